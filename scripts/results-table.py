#!/usr/bin/env python3
"""Prints the README's results table (Markdown) from `xraywatch evaluate` reports.

Usage: scripts/results-table.py evaluation/test/evaluation.json [evaluation/tutorial/evaluation.json ...]
Each row: a model (or the decision policy) on one split, overall and per source."""
import json
import os
import sys


def fmt(value):
    return "n/a" if value is None else f"{value:.3f}"


def rows(split, result):
    name = result["name"]
    by_source = sorted(result["bySource"].items())
    # A split from a single source would repeat its "all" row.
    subsets = [("all", result["overall"])] + (by_source if len(by_source) > 1 else [])
    for subset, metrics in subsets:
        binary = metrics.get("binary") or {}
        tp, fn = binary.get("truePositives", 0), binary.get("falseNegatives", 0)
        tn, fp = binary.get("trueNegatives", 0), binary.get("falsePositives", 0)
        sensitivity = binary.get("sensitivity") if tp + fn else None
        specificity = binary.get("specificity") if tn + fp else None
        auc = binary.get("rocAUC") if tp + fn and tn + fp else None
        yield (f"| {split} | {name} | {subset} | {metrics['count']} | {fmt(sensitivity)} ({tp}/{tp + fn}) "
               f"| {fmt(specificity)} ({tn}/{tn + fp}) | {fmt(auc)} |")


def main(paths):
    print("| split | model | images from | n | sensitivity (TP/P) | specificity (TN/N) | ROC AUC |")
    print("|---|---|---|---|---|---|---|")
    for path in paths:
        report = json.load(open(path))
        split = os.path.basename(os.path.dirname(path))
        for result in report["models"] + ([report["policy"]] if report.get("policy") else []):
            for row in rows(split, result):
                print(row)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
