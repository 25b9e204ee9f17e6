"""Compares two `xraywatch classify --json` outputs (fp32, int8) image by image; see int8-agreement.sh."""
import json, math, sys

def load(path):
    return {row['file']: row for row in map(json.loads, open(path)) if 'result' in row}

def wilson(successes, n, z=1.96):
    if n == 0:
        return (float('nan'), float('nan'))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half

reference, quantized = load(sys.argv[1]), load(sys.argv[2])
files = sorted(set(reference) & set(quantized))
agree = sum(reference[f]['result'] == quantized[f]['result'] for f in files)
low, high = wilson(agree, len(files))
print(f'verdicts agree on {agree} of {len(files)} images: {agree / len(files):.4f} [{low:.3f}-{high:.3f}] (bar: 0.995)')
for model in sorted(reference[files[0]]['models']):
    deltas = [abs(reference[f]['models'][model] - quantized[f]['models'][model]) for f in files]
    print(f'{model}: mean |delta P| {sum(deltas) / len(deltas):.4f} (bar 0.005), max {max(deltas):.4f} (bar 0.05), '
          f'{sum(d > 0.02 for d in deltas)} images above 0.02')
for f in files:
    if reference[f]['result'] != quantized[f]['result']:
        print(f"changed: {f}: fp32 {reference[f]['result']} {reference[f]['models']} -> int8 {quantized[f]['result']} {quantized[f]['models']}")
