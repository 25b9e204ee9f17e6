#!/usr/bin/env python3
"""One Markdown row per leave-one-source-out fold: the held-out source's sensitivity and specificity with
counts and 95 % Wilson intervals, and ROC AUC where both classes are there. Given the folders of several
seeds, also one row per fold with the mean and standard deviation over the seeds of the figure the fold
measures (sensitivity where the held-out source has COVID-19 images, else specificity).
Usage: scripts/loso-table.py RECIPE_NAME FOLDER [FOLDER...]   (FOLDER/<source>/<model>.report.json)"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from importlib import import_module

share = import_module("results-table").share
MODELS = ("covid_normal", "covid_pneumo")


def folds(folder):
    """(source, model, binary figures) for every fold report in one run's folder."""
    for source in sorted(os.listdir(folder)):
        for model in MODELS:
            path = os.path.join(folder, source, f"{model}.report.json")
            if os.path.exists(path):
                yield source, model, json.load(open(path))["validation"]["binary"]


def fold_rows(recipe, folder):
    for source, model, b in folds(folder):
        tp, fn, tn, fp = b["truePositives"], b["falseNegatives"], b["trueNegatives"], b["falsePositives"]
        auc = b.get("rocAUC") if tp + fn >= 10 and tn + fp >= 10 else None
        print(f"| {recipe} | {model} | {source} | {share(tp, tp + fn)} | {share(tn, tn + fp)} | "
              f"{'n/a' if auc is None else f'{auc:.3f}'} |")


def measured(b):
    """What a fold measures: sensitivity on a held-out COVID-19 source, else specificity on its negatives."""
    positives = b["truePositives"] + b["falseNegatives"]
    if positives > 0:
        return "sensitivity", b["truePositives"] / positives
    return "specificity", b["trueNegatives"] / (b["trueNegatives"] + b["falsePositives"])


def mean_rows(recipe, folders):
    values = {}
    for folder in folders:
        for source, model, b in folds(folder):
            kind, value = measured(b)
            values.setdefault((source, model, kind), []).append(value)
    for (source, model, kind), seen in sorted(values.items()):
        print(f"| {recipe} | {model} | {source} | {kind} {statistics.mean(seen):.3f} ± {statistics.stdev(seen):.3f} "
              f"over {len(seen)} seeds |")


def main(recipe, folders):
    for folder in folders:
        fold_rows(recipe, folder)
    if len(folders) > 1:
        print()
        mean_rows(recipe, folders)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
