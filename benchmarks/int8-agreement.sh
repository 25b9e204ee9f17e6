#!/usr/bin/env bash
# `make bench-int8`: how far the int8 backbone moves the screening results from the fp32 one. Runs
# `xraywatch classify --json` on every image of ../shared/data/test (or DATA) with backbone_precision fp32 and
# int8, through the whole path of the bundled config (both models, lungs, refusal), and prints verdict
# agreement (95 % Wilson interval), mean and max |delta P| per model, and every verdict that changed.
# The accuracy bar (issue 14): agreement >= 99.5 %, mean |delta P| <= 0.005, max <= 0.05 per model.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA:-../shared/data/test}
binary=.build/release/xraywatch
[ -x "$binary" ] || { echo "bench-int8: $binary is missing; run 'make bench-int8' (it builds first)" >&2; exit 1; }
[ -d "$data" ] || { echo "bench-int8: $data is not there (set DATA)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xraywatch-int8.XXXXXX")
trap 'rm -rf "$work"' EXIT
for precision in fp32 int8; do
    start=$(date +%s.%N)
    "$binary" classify --config config.json --backbone-precision "$precision" --json "$data" > "$work/$precision.jsonl"
    echo "bench-int8: $precision took $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s for classify on $data" >&2
done
python3 benchmarks/int8_agreement.py "$work/fp32.jsonl" "$work/int8.jsonl"
