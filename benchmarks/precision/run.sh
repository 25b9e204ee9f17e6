#!/usr/bin/env bash
# Why the reduced-precision backbone is int8 and not bf16: the CPU's peak for each dot-product instruction,
# and VGG16's conv layers on oneDNN in f32, bf16 and int8, all on one thread (OMP_NUM_THREADS=1).
# Needs gcc/g++ and libdnnl-dev (make deps). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d "${TMPDIR:-/tmp}/xraywatch-precision.XXXXXX")
trap 'rm -rf "$work"' EXIT
if grep -q avx512_bf16 /proc/cpuinfo; then
    gcc -O3 -march=native -o "$work/peaks" dot_product_peaks.c && "$work/peaks"
else
    echo "this CPU has no AVX512_BF16: no bf16 peak to measure"
fi
g++ -O2 -std=c++17 -o "$work/vgg16" onednn_vgg16.cpp -ldnnl
for precision in f32 bf16 int8; do OMP_NUM_THREADS=1 "$work/vgg16" "$precision" 5; done
