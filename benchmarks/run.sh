#!/usr/bin/env bash
# `make bench`: xraywatch's speed and memory next to ONNX Runtime and TensorFlow/Keras on the same VGG16
# weights, measured in the same session. Absolute times drift on a shared machine, so the runs are
# interleaved (ours, ORT, ours, ORT, ...) and the table shows medians and the median of the per-round
# ratios. Builds nothing itself (make does).
#
# Environment (all optional):
#   BENCH_ROUNDS   interleaved rounds of ours + ORT (default 3)
#   KERAS_ROUNDS   Keras runs, in the first rounds (default 1; it is slow and only gives a rough anchor)
#   BENCH_CONFIG   configuration for `xraywatch bench` (default config.json, if its models exist)
#   BENCH_IMAGES   a folder of images for the end-to-end figure (default examples/, else the tutorial
#                  images in ../shared)
#   ANCHORS_VENV   python venv with tensorflow-cpu, onnx and onnxruntime (default /tmp/anchors-venv;
#                  created when missing)
#   XRAYWATCH_SHARED  the shared folder (default ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${BENCH_ROUNDS:-3}
keras_rounds=${KERAS_ROUNDS:-1}
venv=${ANCHORS_VENV:-/tmp/anchors-venv}
shared=${XRAYWATCH_SHARED:-../shared}
binary=.build/release/xraywatch
weights=$shared/weights/vgg16_imagenet_notop.safetensors
work=$(mktemp -d "${TMPDIR:-/tmp}/xraywatch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
say() { echo "bench: $*" >&2; }

[ -x "$binary" ] || { say "$binary is missing; run 'make bench' (it builds first)"; exit 1; }

# The configuration: the shipped one once its models exist, else a throwaway one whose heads carry the
# golden reference's random weights (same shapes, so the same speed; the probabilities mean nothing).
config=${BENCH_CONFIG:-config.json}
models_exist() {
    python3 -c 'import json,os,sys; c=json.load(open(sys.argv[1])); d=os.path.dirname(os.path.abspath(sys.argv[1]));
sys.exit(0 if all(os.path.exists(os.path.join(d,m)) for m in c["models"]) else 1)' "$1" 2>/dev/null
}
if ! models_exist "$config"; then
    if [ -f "$shared/golden/golden.safetensors" ] && [ -f models/vgg16_imagenet_notop.safetensors ]; then
        say "models of $config are not there yet: using throwaway heads from the golden data (speed only)"
        config=$(python3 benchmarks/throwaway_models.py "$shared/golden/golden.safetensors" \
            models/vgg16_imagenet_notop.safetensors "$work/models")
    else
        say "no models for $config and no $shared/golden to make throwaway ones; cannot benchmark"; exit 1
    fi
fi

# Images for the end-to-end figure.
if [ -n "${BENCH_IMAGES:-}" ]; then images=("$BENCH_IMAGES")
elif [ -d examples ]; then images=(examples)
elif [ -d "$shared/data/tutorial" ]; then images=("$shared"/data/tutorial/*/)
else say "no examples/ and no $shared/data/tutorial: the end-to-end figure needs images"; exit 1; fi

# The anchors' venv, made on first use.
anchors=yes
if [ ! -f "$shared/anchors/ort_vgg16.py" ] || [ ! -f "$weights" ]; then
    say "skipping the ONNX Runtime and Keras anchors: $shared/anchors or the shared weights are not there"
    anchors=no
elif [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import onnxruntime, onnx, tensorflow' 2>/dev/null; then
    say "creating the anchors' venv in $venv (tensorflow-cpu 2.21.0, onnx, onnxruntime; a few minutes)"
    if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet tensorflow-cpu==2.21.0 onnx onnxruntime; } >&2; then
        say "skipping the anchors: could not create the venv in $venv (set ANCHORS_VENV to an existing one)"
        anchors=no
    fi
fi

results=$work/results.jsonl
for round in $(seq 1 "$rounds"); do
    say "round $round/$rounds: xraywatch bench"
    echo "{\"kind\": \"ours\", \"round\": $round, \"data\": $("$binary" bench --json --config "$config" "${images[@]}" | tail -1)}" >> "$results"
    if [ "$anchors" = yes ]; then
        say "round $round/$rounds: ONNX Runtime"
        echo "{\"kind\": \"ort\", \"round\": $round, \"data\": $("$venv/bin/python" "$shared/anchors/ort_vgg16.py" "$weights" | tail -1)}" >> "$results"
        if [ "$round" -le "$keras_rounds" ]; then
            say "round $round/$rounds: TensorFlow/Keras (tutorial pipeline)"
            echo "{\"kind\": \"keras\", \"round\": $round, \"data\": $("$venv/bin/python" "$shared/anchors/keras_vgg16.py" "$weights" bench | tail -1)}" >> "$results"
        fi
    fi
done

python3 benchmarks/table.py "$results"
