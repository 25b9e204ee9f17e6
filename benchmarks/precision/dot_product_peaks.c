/* Instruction throughput of the two dot-product instructions the backbone could use on one core:
 * vdpbf16ps (AVX512_BF16: 32 bf16 products summed into 16 fp32 lanes) and vfmadd231ps (16 fp32 FMAs).
 * Twelve independent accumulators hide the latency, so the loop runs at throughput. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

#define TWELVE(op) op(a0); op(a1); op(a2); op(a3); op(a4); op(a5); op(a6); op(a7); op(a8); op(a9); op(a10); op(a11)

int main(void) {
    const long n = 100000000;
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80);
    double t = now();
#define BF16(a) a = _mm512_dpbf16_ps(a, x, x)
    for (long i = 0; i < n; i++) { TWELVE(BF16); }
    double bf16 = n * 12 / (now() - t) / 1e9;
    __m512 y = _mm512_set1_ps(1e-9f);
    t = now();
#define FMA(a) a = _mm512_fmadd_ps(a, y, y)
    for (long i = 0; i < n; i++) { TWELVE(FMA); }
    double fp32 = n * 12 / (now() - t) / 1e9;
    __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)), _mm512_add_ps(a4, a5));
    sum = _mm512_add_ps(sum, _mm512_add_ps(_mm512_add_ps(a6, a7), _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11))));
    printf("vdpbf16ps   %.2f G instructions/s x 32 multiply-adds = %.0f G multiply-adds/s\n", bf16, bf16 * 32);
    printf("vfmadd231ps %.2f G instructions/s x 16 multiply-adds = %.0f G multiply-adds/s\n", fp32, fp32 * 16);
    printf("(checksum %g)\n", _mm512_reduce_add_ps(sum));
    return 0;
}
