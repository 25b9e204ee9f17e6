// The conv chain behind COneDNN.h: oneDNN primitives for 3x3 conv + ReLU (+ 2x2 max-pool) layers, in fp32 or
// int8. A plan (primitives, memory and the steps between them) is built for one image size and kept until the
// size changes; images run through it one at a time.
//
// int8 scales are per image and per layer, measured as the image runs: every layer writes f32 values y with a
// scale s (real activation = s * y). Before a quantized layer, the largest y of the map is found and the map is
// stored as u8 with 255 for that largest value; the conv multiplies u8 by s8 weights (one scale per output
// channel) into s32 and writes f32 again, in the input's scale. No calibration data is needed, and an image is
// never clipped by ranges measured on other images.
#include "COneDNN.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

// libgomp, which oneDNN runs its threads on: the thread count of this thread's parallel regions.
extern "C" void omp_set_num_threads(int count);

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct Layer {
    int inputChannels, outputChannels;
    std::vector<float> weights, bias;
    bool poolAfter;
    bool quantized;
};

// A primitive with its arguments, or work done here between primitives (finding a scale, setting a bias).
struct Step {
    std::function<void(stream &)> run;
};

// Everything needed to run one image size.
struct Plan {
    explicit Plan(engine &cpu) : queue(cpu) {}
    stream queue;
    int height = 0, width = 0, layerCount = 0;
    std::vector<int> outputLayers;
    memory input;
    std::vector<memory> outputs;
    std::vector<Step> steps;
    // The scale of the map the steps are at: real activation = scale * stored value.
    std::shared_ptr<float> scale = std::make_shared<float>(1.0f);
};

void fail(char *message, const char *what) { std::snprintf(message, CONEDNN_MESSAGE_CAPACITY, "%s", what); }

/// One scale per output channel for s8 weights: real weight = stored value * scale.
std::vector<float> weightScales(const std::vector<float> &weights, int outputChannels) {
    std::vector<float> scales(outputChannels);
    const size_t perChannel = weights.size() / outputChannels;
    for (int channel = 0; channel < outputChannels; ++channel) {
        float largest = 0;
        for (size_t i = 0; i < perChannel; ++i) largest = std::max(largest, std::fabs(weights[channel * perChannel + i]));
        scales[channel] = std::max(largest, 1e-20f) / 127.0f;
    }
    return scales;
}

/// A one-value f32 memory, for scales given at run time.
memory scalar(engine &cpu) { return memory({{1}, dt::f32, tag::x}, cpu); }
void set(memory &value, float number) { *static_cast<float *>(value.get_data_handle()) = number; }

/// The largest value of an f32 map (padding of blocked layouts is zero, and the values are ReLU outputs).
float largest(const memory &map) {
    const float *values = static_cast<const float *>(map.get_data_handle());
    const size_t count = map.get_desc().get_size() / sizeof(float);
    float result = 0;
    for (size_t i = 0; i < count; ++i) result = std::max(result, values[i]);
    return result;
}

}  // namespace

struct conednn_chain {
    engine cpu{engine::kind::cpu, 0};
    std::vector<Layer> layers;
    std::mutex lock;  // runs are serialised: each spreads over the cores itself
    std::unique_ptr<Plan> plan;

    bool quantized(int index) const { return index > 0 && layers[index].quantized; }

    void appendPrimitive(Plan &plan, primitive operation, std::unordered_map<int, memory> arguments) {
        plan.steps.push_back({[operation, arguments](stream &queue) { operation.execute(queue, arguments); }});
    }

    void appendHostWork(Plan &plan, std::function<void()> work) {
        plan.steps.push_back({[work](stream &queue) { queue.wait(); work(); }});
    }

    /// Appends a reorder of `from` into `to` multiplied by a scale computed at run time by `scaleNow`.
    void appendScaledReorder(Plan &plan, memory from, memory to, std::function<float()> scaleNow) {
        primitive_attr attributes;
        attributes.set_output_scales(0, {DNNL_RUNTIME_F32_VAL});
        reorder operation(reorder::primitive_desc(from, to, attributes));
        memory scale = scalar(cpu);
        plan.steps.push_back({[operation, from, to, scale, scaleNow](stream &queue) mutable {
            set(scale, scaleNow());
            operation.execute(queue, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}, {DNNL_ARG_ATTR_OUTPUT_SCALES, scale}});
        }});
    }

    /// Stores the f32 map `source` as u8 with its largest value as 255, in the layout `desc`; the plan's scale
    /// becomes that of one u8 step.
    memory appendQuantization(Plan &plan, memory source, const memory::desc &desc) {
        memory quantized(desc, cpu);
        auto factor = std::make_shared<float>(1.0f);
        auto scale = plan.scale;
        appendHostWork(plan, [source, factor, scale] {
            const float top = largest(source);
            *factor = top > 0 ? 255.0f / top : 1.0f;
            *scale = *scale / *factor;
        });
        appendScaledReorder(plan, source, quantized, [factor] { return *factor; });
        return quantized;
    }

    /// Appends conv + ReLU for layer `index` reading `source` (f32 at the plan's scale); returns its f32
    /// output, at the same scale.
    memory appendConvolution(Plan &plan, int index, memory source, int height, int width) {
        const Layer &layer = layers[index];
        const bool int8 = quantized(index);
        memory::dims sourceDims{1, layer.inputChannels, height, width};
        memory::dims outputDims{1, layer.outputChannels, height, width};
        memory::dims weightDims{layer.outputChannels, layer.inputChannels, 3, 3};
        memory::desc sourceDesc(sourceDims, int8 ? dt::u8 : dt::f32, tag::any);
        memory::desc weightDesc(weightDims, int8 ? dt::s8 : dt::f32, tag::any);
        memory::desc biasDesc({layer.outputChannels}, dt::f32, tag::x);
        memory::desc outputDesc(outputDims, dt::f32, tag::any);

        post_ops relu;
        relu.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
        primitive_attr attributes;
        attributes.set_post_ops(relu);
        std::vector<float> weightScale(layer.outputChannels, 1.0f);
        if (int8) {
            weightScale = weightScales(layer.weights, layer.outputChannels);
            attributes.set_output_scales(1 << 1, weightScale);
        }
        convolution_forward::primitive_desc description(
            {prop_kind::forward_inference, algorithm::convolution_direct, sourceDesc, weightDesc, biasDesc, outputDesc,
             {1, 1}, {1, 1}, {1, 1}},
            attributes, cpu);

        if (int8) {
            source = appendQuantization(plan, source, description.src_desc());
        } else if (source.get_desc() != description.src_desc()) {
            memory conformed(description.src_desc(), cpu);
            appendPrimitive(plan, reorder(source, conformed), {{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, conformed}});
            source = conformed;
        }
        memory weights(description.weights_desc(), cpu);
        {
            memory userWeights({weightDims, dt::f32, tag::oihw}, cpu, const_cast<float *>(layer.weights.data()));
            std::vector<float> inverse(weightScale.size());
            for (size_t i = 0; i < inverse.size(); ++i) inverse[i] = 1.0f / weightScale[i];
            primitive_attr scaling;
            scaling.set_output_scales(int8 ? 1 : 0, int8 ? inverse : std::vector<float>{1.0f});
            reorder(reorder::primitive_desc(userWeights, weights, scaling)).execute(plan.queue, userWeights, weights);
            plan.queue.wait();
        }
        // Output = ReLU(weightScale * (acc + bias)) in the input's scale s: the real bias divided by s (and by
        // the weight scale, as oneDNN adds the bias to the accumulator before the output scale).
        memory bias(biasDesc, cpu);
        auto scale = plan.scale;
        const std::vector<float> realBias = layer.bias;
        appendHostWork(plan, [bias, scale, realBias, weightScale]() mutable {
            float *values = static_cast<float *>(bias.get_data_handle());
            for (size_t c = 0; c < realBias.size(); ++c) values[c] = realBias[c] / (*scale * weightScale[c]);
        });
        memory output(description.dst_desc(), cpu);
        appendPrimitive(plan, convolution_forward(description),
                        {{DNNL_ARG_SRC, source}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, output}});
        return output;
    }

    memory appendPool(Plan &plan, memory source, int channels, int height, int width) {
        memory::desc outputDesc({1, channels, height / 2, width / 2}, dt::f32, tag::any);
        pooling_forward::primitive_desc description(
            {prop_kind::forward_inference, algorithm::pooling_max, source.get_desc(), outputDesc, {2, 2}, {2, 2}, {0, 0}, {0, 0}}, cpu);
        memory output(description.dst_desc(), cpu);
        appendPrimitive(plan, pooling_forward(description), {{DNNL_ARG_SRC, source}, {DNNL_ARG_DST, output}});
        return output;
    }

    std::unique_ptr<Plan> build(int height, int width, int layerCount, std::vector<int> outputLayers) {
        auto plan = std::make_unique<Plan>(cpu);
        plan->height = height; plan->width = width;
        plan->layerCount = layerCount; plan->outputLayers = outputLayers;
        plan->input = memory({{1, layers[0].inputChannels, height, width}, dt::f32, tag::nhwc}, cpu, nullptr);
        auto scale = plan->scale;
        appendHostWork(*plan, [scale] { *scale = 1.0f; });
        memory current = plan->input;
        int h = height, w = width;
        for (int index = 0; index < layerCount; ++index) {
            const Layer &layer = layers[index];
            current = appendConvolution(*plan, index, current, h, w);
            if (layer.poolAfter) { current = appendPool(*plan, current, layer.outputChannels, h, w); h /= 2; w /= 2; }
            if (std::find(outputLayers.begin(), outputLayers.end(), index) != outputLayers.end()) {
                memory output({{1, layer.outputChannels, h, w}, dt::f32, tag::nhwc}, cpu, nullptr);
                appendScaledReorder(*plan, current, output, [scale] { return *scale; });
                plan->outputs.push_back(output);
            }
        }
        return plan;
    }
};

extern "C" {

int conednn_int8_supported(void) {
    const int isa = int(dnnl_get_effective_cpu_isa());
    return (isa & 0x40) || (isa & 0x400) ? 1 : 0;  // the AVX-512 VNNI or AVX-VNNI bit of dnnl_cpu_isa_t
}

const char *conednn_isa_description(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_avx512_core_amx: return "AVX-512 with AMX";
    case dnnl_cpu_isa_avx512_core_bf16: return "AVX-512 with VNNI and bf16";
    case dnnl_cpu_isa_avx512_core_vnni: return "AVX-512 with VNNI";
    case dnnl_cpu_isa_avx2_vnni: return "AVX2 with AVX-VNNI";
    case dnnl_cpu_isa_avx512_core: return "AVX-512";
    case dnnl_cpu_isa_avx2: return "AVX2";
    default: return "no AVX2";
    }
}

conednn_chain *conednn_chain_create(const conednn_layer *layers, int count,
                                    char message[CONEDNN_MESSAGE_CAPACITY]) {
    try {
        auto chain = std::make_unique<conednn_chain>();
        for (int index = 0; index < count; ++index) {
            const conednn_layer &given = layers[index];
            const size_t weightCount = size_t(given.output_channels) * given.input_channels * 9;
            chain->layers.push_back({given.input_channels, given.output_channels,
                                     std::vector<float>(given.weights, given.weights + weightCount),
                                     std::vector<float>(given.bias, given.bias + given.output_channels),
                                     given.pool_after != 0, given.quantized != 0});
        }
        return chain.release();
    } catch (const std::exception &error) {
        fail(message, error.what());
        return nullptr;
    }
}

void conednn_chain_destroy(conednn_chain *chain) { delete chain; }

int conednn_chain_run(conednn_chain *chain, int threads, const float *input, int batch, int height, int width,
                      int layer_count, const int *output_layers, int output_count, float *const *outputs,
                      char message[CONEDNN_MESSAGE_CAPACITY]) {
    try {
        std::lock_guard<std::mutex> guard(chain->lock);
        omp_set_num_threads(std::max(1, threads));
        std::vector<int> wanted(output_layers, output_layers + output_count);
        Plan *plan = chain->plan.get();
        if (!plan || plan->height != height || plan->width != width || plan->layerCount != layer_count || plan->outputLayers != wanted) {
            chain->plan.reset();  // the old plan's memory goes before the new one's is allocated
            chain->plan = chain->build(height, width, layer_count, wanted);
            plan = chain->plan.get();
        }
        const size_t inputSize = size_t(height) * width * chain->layers[0].inputChannels;
        std::vector<size_t> outputSizes;
        for (auto &output : plan->outputs) outputSizes.push_back(output.get_desc().get_size() / sizeof(float));
        for (int image = 0; image < batch; ++image) {
            plan->input.set_data_handle(const_cast<float *>(input + image * inputSize));
            for (int i = 0; i < output_count; ++i) plan->outputs[i].set_data_handle(outputs[i] + image * outputSizes[i]);
            for (auto &step : plan->steps) step.run(plan->queue);
            plan->queue.wait();
        }
        return 0;
    } catch (const std::exception &error) {
        fail(message, error.what());
        return -1;
    }
}

}  // extern "C"
