#!/usr/bin/env bash
# Trains the two candidate recipes the README compares with the shipped models (into OUT/whole-shift and
# OUT/lung-field, never into models/), then evaluates each with the shortcut probes (OUT/eval-*):
#   whole-shift  the whole image, with processing-shift draws (stored at 160-512 px, JPEG quality 50-95,
#                gamma, noise) on top of rotation, contrast, brightness and zoom;
#   lung-field   the same draws, the classifier seeing only the lung fields (--lung-field mean).
# Leave-one-source-out folds: scripts/leave-one-source-out.sh with the same options.
# Usage: scripts/train-candidate-recipes.sh OUT [DATA_FOLDER]   (needs a release build; about an hour on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/train-candidate-recipes.sh OUT [DATA_FOLDER]}
data=${2:-../shared/data}
shift_draws=(--augment-draws 3 --rotation 10 --contrast 0.25 --brightness 0.1 --scale 0.1
             --gamma 0.3 --noise 4 --smallest-side 160 --jpeg-quality 50)
for recipe in whole-shift lung-field; do
    extra=(); [ "$recipe" = lung-field ] && extra=(--lung-field mean)
    common=(--manifest "$data/INDEX.csv" --under train/ --normalisation caffe --resize area --learning-rate 3e-4
            --class-weight balanced "${shift_draws[@]}" "${extra[@]}" --calibrate --seed 42 --out "$out/$recipe" --force)
    .build/release/xraywatch train "${common[@]}" --labels covid,normal --positive covid --name covid_normal
    .build/release/xraywatch train "${common[@]}" --labels covid,pneumonia --positive covid --name covid_pneumo
    bash scripts/evaluate-shipped-models.sh "$data" "$out/$recipe" "$out/eval-$recipe"
    python3 scripts/results-table.py "$out/eval-$recipe/test/evaluation.json"
done
