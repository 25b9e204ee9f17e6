#!/usr/bin/env bash
# Benchmark of `xraywatch watch`: drops a burst of N (default 200) distinct real radiographs at once into a
# fresh spool and reports
#   - images/s from the first arrival to the last ledger row,
#   - median and 95th-percentile latency from a file's arrival (rename into the inbox) to its ledger row,
#   - the watcher's CPU use while idle (10 s before the burst and 10 s after it, from /proc/<pid>/stat).
#
#   examples/bench-watch.sh [COUNT]        (images from ../shared/data/test, or $BENCH_IMAGES)
#
# Use a release build (swift build -c release): figures from a debug build mean nothing.
# SETTLE (default 1.0) is the settle time; latency includes it by design.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${XRAYWATCH:-$repo/.build/release/xraywatch}
count=${1:-200}
images=${BENCH_IMAGES:-$repo/../shared/data/test}
settle=${SETTLE:-1.0}
models=${MODELS:-$repo/models}
[ -x "$bin" ] || { echo "no xraywatch binary at $bin; run: swift build -c release" >&2; exit 1; }
[ -d "$images" ] || { echo "no images at $images; set BENCH_IMAGES" >&2; exit 1; }

spool=$(mktemp -d -t xraywatch-bench.XXXXXX)
trap 'kill -TERM $watcher 2>/dev/null || true; wait $watcher 2>/dev/null || true; rm -rf "$spool"' EXIT
mkdir -p "$spool/staging" "$spool/inbox"
mapfile -t files < <(find "$images" -type f \( -iname '*.png' -o -iname '*.jp*g' -o -iname '*.jfif' \) | sort | head -n "$count")
[ ${#files[@]} -eq "$count" ] || { echo "only ${#files[@]} images under $images" >&2; exit 1; }
for i in "${!files[@]}"; do cp "${files[$i]}" "$spool/staging/$(printf '%04d' "$i")-$(basename "${files[$i]}")"; done
cat > "$spool/config.json" <<JSON
{
  "inbox": "inbox", "outbox": "outbox", "archive": "archive", "rejected": "rejected", "ledger": "ledger.csv",
  "backbone": "$models/vgg16_imagenet_notop.safetensors",
  "models": ["$models/covid_normal.json", "$models/covid_pneumo.json"],
  "settle_seconds": $settle
}
JSON

"$bin" watch --config "$spool/config.json" 2> "$spool/watch.log" &
watcher=$!
for _ in $(seq 1 300); do [ -s "$spool/ledger.csv" ] && break; sleep 0.1; done
grep -E "OpenBLAS|watching" "$spool/watch.log" | sed 's/^/  /'

python3 - "$spool" "$watcher" "$count" <<'PY'
import csv, datetime, os, statistics, sys, time
spool, pid, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ticks = os.sysconf("SC_CLK_TCK")

def cpu_seconds():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks   # utime + stime

def idle_cpu(seconds=10.0):
    start_cpu, start = cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds() - start_cpu) / (time.monotonic() - start)

def rows():
    with open(os.path.join(spool, "ledger.csv"), newline="") as f:
        return list(csv.DictReader(f))

idle_before = idle_cpu()
names = sorted(os.listdir(os.path.join(spool, "staging")))
arrival = {}
for name in names:
    os.rename(os.path.join(spool, "staging", name), os.path.join(spool, "inbox", name))
    arrival[name] = time.time()
deadline = time.time() + 3600
while len(rows()) < count and time.time() < deadline:
    time.sleep(0.2)
done = rows()
idle_after = idle_cpu()

def stamp(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()

latency = sorted(stamp(r["time_utc"]) - arrival[r["input_file"].lstrip("'")] for r in done)
first, last = min(arrival.values()), max(stamp(r["time_utc"]) for r in done)
statuses = {s: sum(1 for r in done if r["status"] == s) for s in ("ok", "rejected", "duplicate")}
p95 = latency[min(len(latency) - 1, int(round(0.95 * len(latency))) - 1)]
print(f"burst of {count} images ({statuses}), settle {os.environ.get('SETTLE', '1.0')} s")
print(f"  throughput: {len(done) / (last - first):.2f} images/s (first arrival to last ledger row, {last - first:.1f} s)")
print(f"  latency arrival -> ledger row: median {statistics.median(latency):.2f} s, p95 {p95:.2f} s, max {latency[-1]:.2f} s")
print(f"  idle CPU of the watcher: {idle_before:.2f}% before the burst, {idle_after:.2f}% after (of one core, 10 s each)")
PY
