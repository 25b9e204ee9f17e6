#!/usr/bin/env bash
# Reproduces the README's results tables: the shipped models, alone and under the default `both` policy,
# on the patient-disjoint test split (with the shortcut probes) and on the tutorial's own validation images,
# overall and per source.
# Usage: scripts/evaluate-shipped-models.sh [DATA_FOLDER] [MODELS_FOLDER] [REPORT_FOLDER]
#   (defaults ../shared/data, models, evaluation; needs a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
models=${2:-models}
reports=${3:-evaluation}
if [ ! -f "$data/INDEX.csv" ]; then
    echo "evaluate: $data/INDEX.csv not found; pass the data folder (see ../shared/data/README.md)" >&2
    exit 2
fi
for split in test tutorial; do
    echo "== $split/"
    probes=(); [ "$split" = test ] && probes=(--probes)
    .build/release/xraywatch evaluate --manifest "$data/INDEX.csv" --under "$split/" \
        --model "$models/covid_normal.json" --model "$models/covid_pneumo.json" --policy both \
        --lungs models/lungs.json --refusal models/refusal.json "${probes[@]}" --report "$reports/$split"
done
echo "Reports: $reports/test/evaluation.html, $reports/tutorial/evaluation.html"
