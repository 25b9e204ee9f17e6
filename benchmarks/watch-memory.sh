#!/usr/bin/env bash
# Peak memory of `xraywatch watch` on bursts of large images (issues 11 and 14: "peak RSS under 1 GB whatever
# the inputs"). Each burst is dropped into a fresh inbox and processed by `watch --once` (the same pipeline,
# pixel budget and claim limit as a running watcher); the peak resident set size is the child's ru_maxrss.
#
#   benchmarks/watch-memory.sh [BURST...]    (make bench-memory; BURST: black-png photo-jpeg test-300, default all)
#
# Bursts: 18 distinct all-black 8000x7999 greyscale PNGs (62 KB each: tiny files, 64 Mpx each once decoded),
# 18 distinct 8000x8000 photo-like JPEGs (noise on a gradient, ~19 MB each, made with cjpeg from
# libjpeg-turbo-progs), and 300 images of ../shared/data/test. Needs a release build and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=.build/release/xraywatch
shared=${XRAYWATCH_SHARED:-../shared}
[ -x "$binary" ] || { echo "bench-memory: $binary is missing; run 'make bench-memory' (it builds first)" >&2; exit 1; }
command -v cjpeg >/dev/null || { echo "bench-memory: cjpeg is missing: apt-get install libjpeg-turbo-progs" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xraywatch-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT

make_black_pngs() {   # 18 greyscale PNGs, 8000x7999, all black but one pixel that makes each distinct
    python3 - "$1" <<'PY'
import struct, sys, zlib
def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
width, height = 8000, 7999
for tag in range(18):
    packer, body = zlib.compressobj(9), bytearray()
    body += packer.compress(b"\x00" + bytes([tag + 1]) + bytes(width - 1))
    row = b"\x00" + bytes(width)
    for _ in range(height - 1): body += packer.compress(row)
    body += packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(f"{sys.argv[1]}/black-{tag:02d}.png", "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", bytes(body)) + chunk(b"IEND", b""))
PY
}

make_photo_jpegs() {  # 18 JPEGs, 8000x8000 RGB, quality 90
    for tag in $(seq 1 18); do
        python3 - "$work/photo.ppm" "$tag" <<'PY'
import os, sys
side, bands = 8000, 72
tables = [bytes(min(255, (v & 31) + band * 3) for v in range(256)) for band in range(bands)]
with open(sys.argv[1], "wb") as f:
    f.write(b"P6\n%d %d\n255\n" % (side, side))
    f.write(bytes([int(sys.argv[2])]) * (side * 3))
    for y in range(1, side): f.write(os.urandom(side * 3).translate(tables[y * bands // side]))
PY
        cjpeg -quality 90 "$work/photo.ppm" > "$1/photo-$tag.jpg"
    done
    rm -f "$work/photo.ppm"
}

copy_test_images() {
    find "$shared/data/test" -type f \( -iname '*.png' -o -iname '*.jp*g' \) | sort | head -n 300 |
        while read -r file; do cp "$file" "$1/$(printf '%04d' "$((n = ${n:-0} + 1))")-$(basename "$file")"; done
}

run_burst() {  # name, generator
    local spool=$work/$1
    mkdir -p "$spool/inbox"
    "$2" "$spool/inbox"
    local count; count=$(find "$spool/inbox" -type f | wc -l)
    python3 - "$binary" "$spool" "$count" "$1" "$PWD" <<'PY'
import csv, json, os, resource, subprocess, sys, time
binary, spool, count, name, repo = sys.argv[1:]
config = json.load(open(os.path.join(repo, "config.json")))
for key in ("inbox", "outbox", "archive", "rejected", "ledger"):
    config[key] = os.path.join(spool, os.path.basename(config[key]))
for key in ("backbone", "lungs", "refusal"):
    if key in config: config[key] = os.path.join(repo, config[key])
config["models"] = [os.path.join(repo, m) for m in config["models"]]
config["settle_seconds"] = 0.2
json.dump(config, open(os.path.join(spool, "config.json"), "w"))
start = time.monotonic()
with open(os.path.join(spool, "watch.log"), "w") as log:
    status = subprocess.run([binary, "watch", "--once", "--config", os.path.join(spool, "config.json")], stderr=log).returncode
seconds = time.monotonic() - start
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
rows = list(csv.DictReader(open(config["ledger"])))
statuses = {s: sum(r["status"] == s for r in rows) for s in ("ok", "rejected", "duplicate")}
print(f"{name:>12}: {count} files, exit {status}, rows {statuses}, {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
PY
}

bursts=("${@:-black-png photo-jpeg test-300}")
wanted() { [[ " ${bursts[*]} " == *" $1 "* ]]; }
echo "bench-memory: peak resident memory of 'watch --once' per burst (target: under 1024 MB)"
wanted black-png && run_burst black-png make_black_pngs
wanted photo-jpeg && run_burst photo-jpeg make_photo_jpegs
if wanted test-300; then
    if [ -d "$shared/data/test" ]; then run_burst test-300 copy_test_images
    else echo "bench-memory: $shared/data/test is missing: skipping the burst of 300 test images"; fi
fi
