#!/usr/bin/env python3
"""One Markdown row per leave-one-source-out fold: the held-out source's sensitivity and specificity with
counts and 95 % Wilson intervals, and ROC AUC where both classes are there.
Usage: scripts/loso-table.py RECIPE_NAME FOLDER   (FOLDER/<source>/<model>.report.json)"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from importlib import import_module

share = import_module("results-table").share


def main(recipe, folder):
    for source in sorted(os.listdir(folder)):
        for model in ("covid_normal", "covid_pneumo"):
            path = os.path.join(folder, source, f"{model}.report.json")
            if not os.path.exists(path):
                continue
            b = json.load(open(path))["validation"]["binary"]
            tp, fn, tn, fp = b["truePositives"], b["falseNegatives"], b["trueNegatives"], b["falsePositives"]
            auc = b.get("rocAUC") if tp + fn >= 10 and tn + fp >= 10 else None
            print(f"| {recipe} | {model} | {source} | {share(tp, tp + fn)} | {share(tn, tn + fp)} | "
                  f"{'n/a' if auc is None else f'{auc:.3f}'} |")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
