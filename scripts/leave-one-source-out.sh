#!/usr/bin/env bash
# Leave-one-source-out validation of a training recipe: for each model and each source that shares a class
# with another source in ../shared/data/train, trains on every other source and validates on that one
# (`xraywatch train --holdout-source`). A recipe that only learns what the training sources look like fails
# here, where an in-distribution validation split would reward it. Prints one line per fold and seed, then,
# with more than one seed, each fold's mean and standard deviation over the seeds: one seed's fold figure
# moves by about 0.1 with the seed alone, so compare recipes on the means.
# Usage: [MODELS="covid_normal"] [SEEDS="1 2 3 4 5"] scripts/leave-one-source-out.sh NAME OUT_FOLDER [TRAIN OPTIONS...]
#   e.g. SEEDS="1 2 3 4 5" scripts/leave-one-source-out.sh lung-field /tmp/loso --lung-field mean --augment-draws 3 ...
#   (default seed 42; the feature cache makes every fold after the first take seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; out=$2; shift 2
data=${DATA:-../shared/data}
seeds=(${SEEDS:-42})
common=(--manifest "$data/INDEX.csv" --under train/ --normalisation caffe --resize area --class-weight balanced
        --learning-rate 3e-4 --force "$@")
runs=()
for seed in "${seeds[@]}"; do
    run="$out/$name"; [ ${#seeds[@]} -gt 1 ] && run="$out/$name/seed-$seed"
    mkdir -p "$run"
    for model in ${MODELS:-covid_normal covid_pneumo}; do
        labels=${model/_/,}; labels=${labels/pneumo/pneumonia}
        for source in cohen marouaelhamidi nih_cxr8; do
            .build/release/xraywatch train "${common[@]}" --seed "$seed" --labels "$labels" --positive covid --name "$model" \
                --holdout-source "$source" --out "$run/$source" > "$run/$model-$source.log" 2>&1 \
                || { echo "fold $model without $source (seed $seed) failed: see $run/$model-$source.log" >&2; exit 1; }
        done
    done
    runs+=("$run")
done
python3 scripts/loso-table.py "$name" "${runs[@]}"
