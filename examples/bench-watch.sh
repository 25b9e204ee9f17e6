#!/usr/bin/env bash
# Benchmark of `xraywatch watch`: drops a burst of N (default 200) distinct real radiographs at once into a
# fresh spool and reports
#   - images/s from the first arrival to the last ledger row,
#   - median and 95th-percentile latency from a file's arrival (rename into the inbox) to its ledger row,
#   - the watcher's CPU use while idle (10 s before the burst and 10 s after it, from /proc/<pid>/stat).
#
#   examples/bench-watch.sh [COUNT]        (images from ../shared/data/test, or $BENCH_IMAGES)
#
# MODE=serve runs `xraywatch serve` instead and fetches its dashboard (/) once a second during the burst;
# MODE=both (make bench-serve) runs watch alone, then serve with the dashboard polled, and prints the ratio of
# their throughputs (issue 13's budget: serving costs at most 5 %).
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

run_burst() {  # mode: watch or serve
local mode=$1
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
  "settle_seconds": $settle, "http": {"port": 0}
}
JSON

if [ "$mode" = serve ]; then "$bin" serve --config "$spool/config.json" 2> "$spool/watch.log" &
else "$bin" watch --config "$spool/config.json" 2> "$spool/watch.log" &
fi
watcher=$!
for _ in $(seq 1 300); do [ -s "$spool/ledger.csv" ] && grep -q "watching" "$spool/watch.log" && break; sleep 0.1; done
for _ in $(seq 1 100); do [ "$mode" = watch ] || grep -q "listening on" "$spool/watch.log" && break; sleep 0.1; done
grep -E "OpenBLAS|watching|listening" "$spool/watch.log" | sed 's/^/  /'
port=$(grep -o "listening on http://127.0.0.1:[0-9]*" "$spool/watch.log" | grep -o "[0-9]*$" || true)

python3 - "$spool" "$watcher" "$count" "$mode" "${port:-0}" <<'PY'
import csv, datetime, os, statistics, sys, threading, time, urllib.request
spool, pid, count, mode, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
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
fetched, stop = [], threading.Event()
def poll_dashboard():
    while not stop.is_set():
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response: response.read()
        fetched.append(time.monotonic() - started)
        stop.wait(max(0, 1 - (time.monotonic() - started)))
poller = threading.Thread(target=poll_dashboard) if mode == "serve" else None
if poller: poller.start()
arrival = {}
for name in names:
    os.rename(os.path.join(spool, "staging", name), os.path.join(spool, "inbox", name))
    arrival[name] = time.time()
deadline = time.time() + 3600
while len(rows()) < count and time.time() < deadline:
    time.sleep(0.2)
done = rows()
stop.set()
if poller: poller.join()
idle_after = idle_cpu()

def stamp(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()

latency = sorted(stamp(r["time_utc"]) - arrival[r["input_file"].lstrip("'")] for r in done)
first, last = min(arrival.values()), max(stamp(r["time_utc"]) for r in done)
statuses = {s: sum(1 for r in done if r["status"] == s) for s in ("ok", "rejected", "duplicate")}
p95 = latency[min(len(latency) - 1, int(round(0.95 * len(latency))) - 1)]
throughput = len(done) / (last - first)
print(f"{mode}: burst of {count} images ({statuses}), settle {os.environ.get('SETTLE', '1.0')} s")
print(f"  throughput: {throughput:.2f} images/s (first arrival to last ledger row, {last - first:.1f} s)")
print(f"  latency arrival -> ledger row: median {statistics.median(latency):.2f} s, p95 {p95:.2f} s, max {latency[-1]:.2f} s")
print(f"  idle CPU of the watcher: {idle_before:.2f}% before the burst, {idle_after:.2f}% after (of one core, 10 s each)")
if fetched:
    print(f"  dashboard fetched {len(fetched)} times during the burst, median {1000 * statistics.median(fetched):.0f} ms")
open(os.path.join(os.environ.get("BENCH_RESULTS", "/dev/null")), "a").write(f"{mode} {throughput}\n")
PY
kill -TERM $watcher 2>/dev/null || true; wait $watcher 2>/dev/null || true
rm -rf "$spool"
trap - EXIT
}

mode=${MODE:-watch}
export BENCH_RESULTS=$(mktemp -t xraywatch-bench-results.XXXXXX)
case "$mode" in
    watch|serve) run_burst "$mode" ;;
    both)
        run_burst watch
        run_burst serve
        python3 - "$BENCH_RESULTS" <<'PY'
import sys
figures = dict(line.split() for line in open(sys.argv[1]))
watch, serve = float(figures["watch"]), float(figures["serve"])
print(f"serve with the dashboard polled: {serve / watch:.3f}x the throughput of watch alone ({100 * (1 - serve / watch):+.1f} % cost; budget 5 %)")
PY
        ;;
    *) echo "MODE must be watch, serve or both" >&2; exit 1 ;;
esac
rm -f "$BENCH_RESULTS"
