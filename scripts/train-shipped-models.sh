#!/usr/bin/env bash
# Retrains the two shipped models from the training split, with the recipe the README describes:
# caffe preprocessing (what the VGG16 weights expect), INTER_AREA resize, the tutorial's head, balanced
# class weights, Adam at 3e-4 (chosen on the validation split), 3 augmented draws per image (rotation 15 degrees, contrast 0.25, brightness 0.1, scale 0.1),
# temperature calibration on the validation split, seed 42. covid_normal then fine-tunes VGG16 block 5 with its
# head (8 epochs, Adam 1e-5, best validation epoch kept): validation said so for it, not for covid_pneumo.
# Usage: scripts/train-shipped-models.sh [DATA_FOLDER]   (default ../shared/data; needs a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
if [ ! -f "$data/INDEX.csv" ]; then
    echo "train: $data/INDEX.csv not found; pass the data folder (see ../shared/data/README.md)" >&2
    exit 2
fi
recipe=(--manifest "$data/INDEX.csv" --under train/ --normalisation caffe --resize area
        --learning-rate 3e-4 --class-weight balanced --augment-draws 3 --rotation 15 --contrast 0.25 --brightness 0.1 --scale 0.1
        --calibrate --seed 42 --out models --force)
.build/release/xraywatch train "${recipe[@]}" --labels covid,normal --positive covid --name covid_normal --fine-tune \
    --model-description "COVID-19 against normal chest X-ray (screening aid, not a diagnosis)"
.build/release/xraywatch train "${recipe[@]}" --labels covid,pneumonia --positive covid --name covid_pneumo \
    --model-description "COVID-19 against other (non-COVID) pneumonia (screening aid, not a diagnosis)"
