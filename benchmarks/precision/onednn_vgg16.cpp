// The 13 conv + ReLU layers and 5 max-pools of VGG16 at 224 px on oneDNN, in f32, bf16 or u8/s8, one image,
// timed per image (random weights: only the speed is measured). Usage: onednn_vgg16 f32|bf16|int8 [runs]
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

int main(int argc, char **argv) {
    const char *precision = argc > 1 ? argv[1] : "f32";
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    const bool int8 = !std::strcmp(precision, "int8"), bf16 = !std::strcmp(precision, "bf16");
    const dt activations = int8 ? dt::u8 : bf16 ? dt::bf16 : dt::f32, weights = int8 ? dt::s8 : activations;
    engine cpu(engine::kind::cpu, 0);
    stream queue(cpu);
    const int layers[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};  // 0: pool
    std::vector<primitive> steps;
    std::vector<std::unordered_map<int, memory>> arguments;
    int size = 224, channels = 3;
    memory current({{1, 3, size, size}, activations, tag::nhwc}, cpu);
    const char *implementation = "";
    for (int out : layers) {
        if (out == 0) {
            memory::desc pooled({1, channels, size / 2, size / 2}, activations, tag::any);
            pooling_forward::primitive_desc pool({prop_kind::forward_inference, algorithm::pooling_max, current.get_desc(), pooled,
                                                  {2, 2}, {2, 2}, {0, 0}, {0, 0}}, cpu);
            memory next(pool.dst_desc(), cpu);
            steps.push_back(pooling_forward(pool));
            arguments.push_back({{DNNL_ARG_SRC, current}, {DNNL_ARG_DST, next}});
            current = next;
            size /= 2;
            continue;
        }
        post_ops relu;
        relu.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
        primitive_attr attributes;
        attributes.set_post_ops(relu);
        if (int8) attributes.set_output_scales(0, {0.01f});
        convolution_forward::primitive_desc conv(
            {prop_kind::forward_inference, algorithm::convolution_direct, memory::desc({1, channels, size, size}, activations, tag::any),
             memory::desc({out, channels, 3, 3}, weights, tag::any), memory::desc({out}, dt::f32, tag::x),
             memory::desc({1, out, size, size}, activations, tag::any), {1, 1}, {1, 1}, {1, 1}},
            attributes, cpu);
        implementation = conv.impl_info_str();
        if (conv.src_desc() != current.get_desc()) {
            memory conformed(conv.src_desc(), cpu);
            steps.push_back(reorder(current, conformed));
            arguments.push_back({{DNNL_ARG_FROM, current}, {DNNL_ARG_TO, conformed}});
            current = conformed;
        }
        memory kernel(conv.weights_desc(), cpu), bias(conv.bias_desc(), cpu), next(conv.dst_desc(), cpu);
        std::memset(kernel.get_data_handle(), 1, conv.weights_desc().get_size());
        std::memset(bias.get_data_handle(), 0, conv.bias_desc().get_size());
        steps.push_back(convolution_forward(conv));
        arguments.push_back({{DNNL_ARG_SRC, current}, {DNNL_ARG_WEIGHTS, kernel}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, next}});
        current = next;
        channels = out;
    }
    std::vector<double> times;
    for (int run = 0; run < runs + 1; ++run) {
        auto start = std::chrono::steady_clock::now();
        for (size_t i = 0; i < steps.size(); ++i) steps[i].execute(queue, arguments[i]);
        queue.wait();
        if (run > 0) times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    std::printf("oneDNN %s (%s): %.1f ms/image (median of %d)\n", precision, implementation, times[times.size() / 2], runs);
    return 0;
}
