"""Prints the `make bench` table from the JSON lines benchmarks/run.sh collected.

Each line: {"kind": "ours" | "ort" | "keras", "round": N, "data": {...}} with `data` as printed by
`xraywatch bench --json` or by the anchor scripts. Shows medians with the range over rounds, and ratios
as the median of per-round ratios (ours and ORT of the same round ran back to back, so load drift cancels)."""
import json, statistics, sys

runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
by_kind = {kind: [r for r in runs if r['kind'] == kind] for kind in ('ours', 'ort', 'keras')}

def figures(kind, extract):
    return [extract(r['data']) for r in by_kind[kind]]

def cell(values, digits=0):
    if not values:
        return 'n/a'
    middle = statistics.median(values)
    spread = f' ({min(values):.{digits}f}-{max(values):.{digits}f})' if len(values) > 1 else ''
    return f'{middle:.{digits}f}{spread}'

def paired_ratio(ours, theirs):
    """Median over rounds of ours(round) / theirs(round)."""
    theirs_by_round = {r['round']: r['data'] for r in by_kind[theirs[0]]}
    ratios = [ours(r['data']) / theirs[1](theirs_by_round[r['round']])
              for r in by_kind['ours'] if r['round'] in theirs_by_round]
    return (f'{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}, {len(ratios)} rounds)'
            if ratios else 'n/a')

ours_b1 = lambda d: d['backboneMillisecondsBatch1']
ours_b16 = lambda d: d['backboneMillisecondsPerImageBatch16']
ort_b1 = lambda d: 1000 * d['backbone_latency_s']
ort_b16 = lambda d: 1000 / d['backbone_throughput_img_s_b16']
keras_b1 = lambda d: 1000 * d['backbone_only_latency_s']
ours_e2e = lambda d: d['endToEndImagesPerSecond']
keras_two = lambda d: d['two_models_throughput_img_s_b16']
keras_two_latency = lambda d: 1000 * d['two_models_latency_s']

precision = by_kind['ours'][0]['data'].get('backbonePrecision', 'fp32') if by_kind['ours'] else 'fp32'
fp32_b1 = lambda d: d.get('fp32BackboneMillisecondsBatch1') or float('nan')
fp32_b16 = lambda d: d.get('fp32BackboneMillisecondsPerImageBatch16') or float('nan')
fp32_rows = [
    ('backbone fp32, batch 1 (ms/image)', cell(figures('ours', fp32_b1)), cell(figures('ort', ort_b1)), '', paired_ratio(fp32_b1, ('ort', ort_b1))),
    ('backbone fp32, batch 16 (ms/image)', cell(figures('ours', fp32_b16)), cell(figures('ort', ort_b16)), '', paired_ratio(fp32_b16, ('ort', ort_b16))),
] if precision != 'fp32' else []
rows = fp32_rows + [
    (f'backbone {precision}, batch 1 (ms/image)', cell(figures('ours', ours_b1)), cell(figures('ort', ort_b1)),
     cell(figures('keras', keras_b1)), paired_ratio(ours_b1, ('ort', ort_b1))),
    (f'backbone {precision}, batch 16 (ms/image)', cell(figures('ours', ours_b16)), cell(figures('ort', ort_b16)),
     'n/a', paired_ratio(ours_b16, ('ort', ort_b16))),
    ('2 models end to end (images/s)', cell(figures('ours', ours_e2e), 2), 'n/a',
     cell(figures('keras', keras_two), 2), paired_ratio(ours_e2e, ('keras', keras_two))),
    ('2 models end to end, no lung segmenter (images/s)', cell(figures('ours', lambda d: d.get('endToEndWithoutLungsImagesPerSecond') or float('nan')), 2),
     'n/a', '', ''),
    ('lung decoder + clean-up (ms/image)', cell([v for v in figures('ours', lambda d: d.get('lungSegmenterMillisecondsPerImage')) if v is not None], 1),
     '', '', ''),
    ('Grad-CAM of both models + refusal check (ms/image)', cell([v for v in figures('ours', lambda d: d.get('explanationMillisecondsPerImage')) if v is not None], 2),
     '', '', ''),
    ('tutorial 2 models, batch 1 (ms/image)', 'n/a', 'n/a', cell(figures('keras', keras_two_latency)), ''),
    ('peak RSS (MB)', cell(figures('ours', lambda d: d['peakResidentMegabytes'])), '', '', ''),
]
header = ('figure (median, range)', 'xraywatch', 'ONNX Runtime', 'TF/Keras', 'ratio (median of rounds)')
widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]
for row in [header] + rows:
    print('  '.join(str(value).ljust(width) for value, width in zip(row, widths)).rstrip())
print()
if by_kind['ours']:
    data = by_kind['ours'][0]['data']
    print(f"xraywatch: backbone {data.get('backbonePrecision', 'fp32')} (the end-to-end rows use it; int8 = oneDNN, blocks 3-4 in int8); "
          f"OpenBLAS kernel {data['kernel']}, {data['blasThreads']} BLAS thread(s); "
          f"end to end = read, decode, preprocess, backbone, both heads and (when configured) the lung segmenter "
          f"on {data['endToEndImages']} files.")
    pairs = [(r['data']['endToEndWithoutLungsImagesPerSecond'], r['data']['endToEndImagesPerSecond'])
             for r in by_kind['ours'] if r['data'].get('endToEndWithoutLungsImagesPerSecond')]
    if pairs:
        added = [100 * (without / with_lungs - 1) for without, with_lungs in pairs]
        print(f"Lung segmentation adds {statistics.median(added):.1f} % to the per-image cost "
              f"(median of {len(added)} rounds; goal: at most 25 %).")
    explained = [(r['data']['explanationMillisecondsPerImage'], 1000 / r['data']['endToEndImagesPerSecond'])
                 for r in by_kind['ours'] if r['data'].get('explanationMillisecondsPerImage') is not None and r['data']['endToEndImagesPerSecond'] > 0]
    if explained:
        added = [100 * ms / (per_image - ms) for ms, per_image in explained]
        print(f"Grad-CAM and the refusal check add {statistics.median(added):.1f} % to the per-image cost "
              f"(median of {len(added)} rounds; goal: at most 30 %).")
print('Ratios: backbone rows are ours / ONNX Runtime (below 1 is faster); the end-to-end row is ours / Keras '
      "two-model batch-16 throughput (above 1 is faster; Keras's figure excludes decoding).")
