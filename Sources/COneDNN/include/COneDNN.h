/* COneDNN: a small C interface over oneDNN (Debian libdnnl-dev, C++ API) for the NeuralEngine target.
 *
 * It runs a chain of 3x3 conv + ReLU layers, each optionally followed by a 2x2 max-pool (the VGG16 conv base),
 * each layer in fp32 or with 8-bit integers (u8 activations with one scale per image and layer, s8 weights with
 * one scale per output channel) on the CPU's VNNI dot-product instructions. Every oneDNN call and C++ exception
 * stays inside conv_chain.cpp; callers see a status and a message. */
#ifndef CONEDNN_H
#define CONEDNN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { CONEDNN_MESSAGE_CAPACITY = 256 };

/* One 3x3 conv (padding 1, stride 1) + ReLU layer. The weights are copied at creation. */
typedef struct {
    int input_channels;
    int output_channels;
    const float *weights;   /* OIHW: [output_channels][input_channels][3][3] */
    const float *bias;      /* [output_channels] */
    int pool_after;         /* 1: a 2x2 max-pool with stride 2 follows */
    /* 1 to run this layer on u8 inputs and s8 weights, 0 for fp32. The first layer reads the signed,
     * mean-subtracted input and always runs in fp32. */
    int quantized;
} conednn_layer;

typedef struct conednn_chain conednn_chain;

/* int8 activation scales are measured per image and layer as the image runs (the largest value of the map is
 * stored as 255), so no calibration data is needed. */

/* 1 when the CPU has the instructions the int8 path is built for (AVX-512 VNNI or AVX-VNNI). */
int conednn_int8_supported(void);

/* The instruction set oneDNN dispatches to on this CPU, e.g. "Intel AVX-512 with Intel DL Boost". */
const char *conednn_isa_description(void);

/* A chain of `count` layers; NULL with `message` filled on failure. */
conednn_chain *conednn_chain_create(const conednn_layer *layers, int count,
                                    char message[CONEDNN_MESSAGE_CAPACITY]);
void conednn_chain_destroy(conednn_chain *chain);

/* Runs `batch` images (one after the other), HWC f32 `height x width x layers[0].input_channels` each, one
 * after the other in `input`, through the first `layer_count` layers, on `threads` threads. For each of the
 * `output_count` layer indices in `output_layers` (ascending), writes that layer's output (after its pool, if
 * any) as HWC f32 for every image, one after the other, into `outputs[i]`. Safe to call from several threads:
 * calls run one at a time. Returns 0, or -1 with `message` filled. */
int conednn_chain_run(conednn_chain *chain, int threads, const float *input, int batch, int height, int width,
                      int layer_count, const int *output_layers, int output_count, float *const *outputs,
                      char message[CONEDNN_MESSAGE_CAPACITY]);
#ifdef __cplusplus
}
#endif

#endif
