#!/usr/bin/env bash
# Reproduces the README's results table: the shipped models, alone and under the default `both` policy,
# on the patient-disjoint test split and on the tutorial's own validation images, overall and per source.
# Usage: scripts/evaluate-shipped-models.sh [DATA_FOLDER]   (default ../shared/data; needs a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
if [ ! -f "$data/INDEX.csv" ]; then
    echo "evaluate: $data/INDEX.csv not found; pass the data folder (see ../shared/data/README.md)" >&2
    exit 2
fi
for split in test tutorial; do
    echo "== $split/"
    .build/release/xraywatch evaluate --manifest "$data/INDEX.csv" --under "$split/" \
        --model models/covid_normal.json --model models/covid_pneumo.json --policy both \
        --report "evaluation/$split"
done
echo "Reports: evaluation/test/evaluation.html, evaluation/tutorial/evaluation.html"
