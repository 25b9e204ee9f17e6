#!/usr/bin/env python3
"""Prints the README's results tables (Markdown) from `xraywatch evaluate` reports.

Usage: scripts/results-table.py evaluation/test/evaluation.json [evaluation/tutorial/evaluation.json ...]
Each row: a model (or the decision policy) on one split, overall and per source, sensitivity and specificity
with their counts and 95 % Wilson intervals (no figure from fewer than 10 images). Reports made with
`--probes` add the shortcut-probe table."""
import json
import math
import os
import sys


def share(successes, count):
    """'0.961 [0.90-0.99] (99/103)', or 'n<10 (7/9)', or 'n/a (0/0)'."""
    if count == 0:
        return "n/a (0/0)"
    if count < 10:
        return f"n<10 ({successes}/{count})"
    p, n, z = successes / count, count, 1.959964
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return f"{p:.3f} [{max(0, centre - half):.2f}-{min(1, centre + half):.2f}] ({successes}/{count})"


def rows(split, result):
    name = result["name"]
    by_source = sorted(result["bySource"].items())
    # A split from a single source would repeat its "all" row.
    subsets = [("all", result["overall"])] + (by_source if len(by_source) > 1 else [])
    for subset, metrics in subsets:
        binary = metrics.get("binary") or {}
        tp, fn = binary.get("truePositives", 0), binary.get("falseNegatives", 0)
        tn, fp = binary.get("trueNegatives", 0), binary.get("falsePositives", 0)
        auc = binary.get("rocAUC") if tp + fn >= 10 and tn + fp >= 10 else None
        yield (f"| {split} | {name} | {subset} | {metrics['count']} | {share(tp, tp + fn)} "
               f"| {share(tn, tn + fp)} | {'n/a' if auc is None else f'{auc:.3f}'} |")


def probe_rows(split, probes):
    for figure in probes["invariance"]:
        if figure["group"] != "all":
            continue
        agreement = figure["agreement"]
        delta = figure.get("meanAbsoluteDelta")
        yield (f"| {split} | {figure['variant']} | {figure['model']} | {share(agreement['successes'], agreement['count'])} "
               f"| {'n/a' if delta is None else f'{delta:.3f}'} |")
    for figure in probes["lungsRemoved"]:
        if figure.get("note"):
            yield f"| {split} | lungs removed | {figure['model']} | {figure['note']} | |"
        else:
            auc = lambda v: "n/a" if v is None else f"{v:.3f}"
            yield (f"| {split} | lungs removed (ROC AUC with / without lungs, n = {figure['count']}) | {figure['model']} "
                   f"| {auc(figure.get('aucWithLungs'))} / {auc(figure.get('aucWithoutLungs'))} | |")


def main(paths):
    reports = [(os.path.basename(os.path.dirname(path)), json.load(open(path))) for path in paths]
    print("| split | model | images from | n | sensitivity [95 % CI] (TP/P) | specificity [95 % CI] (TN/N) | ROC AUC |")
    print("|---|---|---|---|---|---|---|")
    for split, report in reports:
        for result in report["models"] + ([report["policy"]] if report.get("policy") else []):
            for row in rows(split, result):
                print(row)
    probed = [(split, report["probes"]) for split, report in reports if report.get("probes")]
    if probed:
        print()
        print("| split | probe | model | verdict agreement [95 % CI] (n) | mean abs. delta P |")
        print("|---|---|---|---|---|")
        for split, probes in probed:
            for row in probe_rows(split, probes):
                print(row)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
