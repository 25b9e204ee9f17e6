#!/usr/bin/env python3
"""Tallies what `xraywatch classify --json` said about the images of ../shared/data/ood (none of which is a
frontal chest radiograph): refused (INDETERMINATE) or not, per category, with the files that got a verdict.
Usage: xraywatch classify --json --config CONFIG DATA/ood > ood.jsonl; scripts/refusal-ood.py DATA/ood/INDEX.csv ood.jsonl"""
import csv, json, os, sys
from collections import defaultdict

if len(sys.argv) != 3:
    sys.exit(__doc__)
index_path, results_path = sys.argv[1:]
root = os.path.dirname(os.path.abspath(index_path))
category = {os.path.join(root, row["path"]): row["category"] for row in csv.DictReader(open(index_path))}
tally = defaultdict(lambda: [0, 0])
judged = []
for line in open(results_path):
    result = json.loads(line)
    path = os.path.abspath(result["file"])
    group = category.get(path, "(not in INDEX.csv)")
    refused = result["result"] in ("INDETERMINATE", "ERROR")
    tally[group][0] += refused
    tally[group][1] += 1
    if not refused:
        judged.append(f'{result["result"]} {result.get("distance_percent", "?")} % {path}')
print("| category | refused | images |")
print("|---|---|---|")
for group in sorted(tally):
    print(f"| {group} | {tally[group][0]} | {tally[group][1]} |")
total = [sum(v[i] for v in tally.values()) for i in (0, 1)]
print(f"| all | {total[0]} ({100 * total[0] / max(1, total[1]):.1f} %) | {total[1]} |")
for line in judged:
    print("judged:", line)
