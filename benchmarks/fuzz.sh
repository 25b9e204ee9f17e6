#!/usr/bin/env bash
# Fuzzing of the parsers of untrusted bytes (issue 11), for a bounded time, outside CI:
#   image        ImageDecoder.header + decode (PNG/JPEG through the CImageIO shim, DICOM through CDicom/DCMTK),
#                seeds: the decoder fixtures and a small DICOM written with dcmtk's img2dcm when it is installed
#   safetensors  SafeTensorsFile (header, offsets, dtypes, shapes) + every tensor read, seeds: small valid files
#
#   benchmarks/fuzz.sh [SECONDS_PER_TARGET]      (make fuzz; default 300)
#
# Builds Fuzz/ (a separate package) with libFuzzer and AddressSanitizer from the Swift toolchain. Prints the
# runs, the coverage reached and any crash; a crash input is kept under fuzz-findings/ to reproduce with
#   FUZZ_TARGET=<target> Fuzz/.build/release/FuzzDecoders fuzz-findings/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
work=$(mktemp -d "${TMPDIR:-/tmp}/xraywatch-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p fuzz-findings

echo "fuzz: building Fuzz/ with -sanitize=fuzzer,address" >&2
swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address \
    -Xcxx -fsanitize=fuzzer-no-link,address >&2
binary=Fuzz/.build/release/FuzzDecoders

mkdir -p "$work/image" "$work/safetensors"
cp Tests/ImagingTests/Fixtures/*.png Tests/ImagingTests/Fixtures/*.jpg "$work/image/"
if command -v img2dcm >/dev/null; then img2dcm -q Tests/ImagingTests/Fixtures/jpeg_grey.jpg "$work/image/seed.dcm" || true; fi
python3 - "$work/safetensors" <<'PY'
import json, struct, sys
def write(path, tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, payload) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if metadata: header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    open(path, "wb").write(struct.pack("<Q", len(text)) + text + data)
write(f"{sys.argv[1]}/f32.safetensors", {"kernel": ("F32", [2, 3], struct.pack("<6f", *range(6))), "bias": ("F32", [3], struct.pack("<3f", 1, 2, 3))}, {"format": "pt"})
write(f"{sys.argv[1]}/u8.safetensors", {"mask": ("U8", [4, 4], bytes(range(16)))})
write(f"{sys.argv[1]}/empty-shape.safetensors", {"scalar": ("F32", [], struct.pack("<f", 1))})
PY

status=0
for target in image safetensors; do
    echo "fuzz: $target for $seconds s" >&2
    log=$work/$target.log
    if FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="fuzz-findings/$target-" "$work/$target" > "$log" 2>&1; then
        echo "$target: no crash; $(grep -E '^Done|#[0-9]+.*DONE' "$log" | tail -1); $(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)"
    else
        status=1
        echo "$target: FOUND A CRASH (see below; input in fuzz-findings/)"
        grep -E 'ERROR|SUMMARY|Fatal error|precondition|artifact' "$log" | head -20
    fi
done
exit $status
