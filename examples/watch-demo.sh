#!/usr/bin/env bash
# Demo of `xraywatch watch`: starts the watcher on a temporary spool, drops a few images into its inbox
# one by one, and shows the ledger rows as they are written. Ctrl-C (or the end) stops the watcher with
# SIGTERM, which lets it finish the file in hand.
#
#   examples/watch-demo.sh [IMAGE...]
#
# Without arguments it drops the example images bundled in examples/ (or, when there are none, a few of
# ../shared/data/tutorial). Uses .build/release/xraywatch (build with `swift build -c release`), or $XRAYWATCH.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${XRAYWATCH:-$repo/.build/release/xraywatch}
models=${MODELS:-$repo/models}
[ -x "$bin" ] || { echo "no xraywatch binary at $bin; run: swift build -c release" >&2; exit 1; }

images=("$@")
if [ ${#images[@]} -eq 0 ]; then
    mapfile -t images < <(find "$repo/examples" -maxdepth 1 -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \) | sort | head -n 4)
fi
if [ ${#images[@]} -eq 0 ] && [ -d "$repo/../shared/data/tutorial" ]; then
    mapfile -t images < <(find "$repo/../shared/data/tutorial" -type f | sort | awk 'NR % 12 == 1' | head -n 4)
fi
[ ${#images[@]} -gt 0 ] || { echo "no images to drop; pass some as arguments" >&2; exit 1; }

spool=$(mktemp -d -t xraywatch-demo.XXXXXX)
mkdir -p "$spool/staging"
cat > "$spool/config.json" <<JSON
{
  "inbox": "inbox", "outbox": "outbox", "archive": "archive", "rejected": "rejected", "ledger": "ledger.csv",
  "backbone": "$models/vgg16_imagenet_notop.safetensors",
  "models": ["$models/covid_normal.json", "$models/covid_pneumo.json"],
  "settle_seconds": 1.0
}
JSON

"$bin" watch --config "$spool/config.json" 2> >(sed 's/^/  [watcher] /' >&2) &
watcher=$!
tailer=
stop() {
    [ -n "$tailer" ] && kill "$tailer" 2>/dev/null || true
    if kill -0 "$watcher" 2>/dev/null; then kill -TERM "$watcher"; wait "$watcher" || true; fi
    echo
    echo "Spool kept for a look: $spool (outbox: $spool/outbox, ledger: $spool/ledger.csv)"
}
trap stop EXIT

# Wait for the watcher to be ready (it creates the ledger with its header row).
for _ in $(seq 1 300); do [ -s "$spool/ledger.csv" ] && break; sleep 0.1; done
[ -s "$spool/ledger.csv" ] || { echo "the watcher did not start" >&2; exit 1; }

echo "== ledger ($spool/ledger.csv) =="
tail -n +1 -f "$spool/ledger.csv" &
tailer=$!

for image in "${images[@]}"; do
    sleep 1
    name=$(basename "$image")
    # Copy next to the inbox, then rename in: the watcher never sees a half-copied file either way.
    cp "$image" "$spool/staging/$name"
    mv "$spool/staging/$name" "$spool/inbox/$name"
done

# Wait until every dropped file has its row (header + one line per image, names without newlines).
for _ in $(seq 1 600); do
    [ "$(($(wc -l < "$spool/ledger.csv") - 1))" -ge ${#images[@]} ] && break
    sleep 0.2
done
sleep 0.5
echo "== outbox =="
ls -1 "$spool/outbox"
