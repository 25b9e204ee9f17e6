#!/usr/bin/env bash
# Leave-one-source-out validation of a training recipe: for each model and each source that shares a class
# with another source in ../shared/data/train, trains on every other source and validates on that one
# (`xraywatch train --holdout-source`). A recipe that only learns what the training sources look like fails
# here, where an in-distribution validation split would reward it. Prints one line per fold.
# Usage: [MODELS="covid_normal"] scripts/leave-one-source-out.sh NAME OUT_FOLDER [TRAIN OPTIONS...]
#   e.g. scripts/leave-one-source-out.sh lung-field /tmp/loso --lung-field mean --augment-draws 3 ...
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; out=$2; shift 2
data=${DATA:-../shared/data}
common=(--manifest "$data/INDEX.csv" --under train/ --normalisation caffe --resize area --class-weight balanced
        --learning-rate 3e-4 --seed 42 --force "$@")
mkdir -p "$out/$name"
for model in ${MODELS:-covid_normal covid_pneumo}; do
    labels=${model/_/,}; labels=${labels/normal/normal}; labels=${labels/pneumo/pneumonia}
    for source in cohen marouaelhamidi nih_cxr8; do
        .build/release/xraywatch train "${common[@]}" --labels "$labels" --positive covid --name "$model" \
            --holdout-source "$source" --out "$out/$name/$source" > "$out/$name/$model-$source.log" 2>&1 \
            || { echo "fold $model without $source failed: see $out/$name/$model-$source.log" >&2; exit 1; }
    done
done
python3 scripts/loso-table.py "$name" "$out/$name"
