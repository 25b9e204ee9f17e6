import NeuralEngine
import Testing

/// Small hand-checked cases for the head layers (the backbone is checked against ONNX Runtime).
struct LayerTests {
    @Test func averagePoolDropsTrailingRowAndColumnLikeKeras() {
        // 3x3x1 input, pool 2: only the top-left 2x2 block is used.
        let x = Tensor(shape: [3, 3, 1], values: [1, 2, 100, 3, 4, 100, 100, 100, 100])
        let y = Head(layers: [.averagePool(size: 2)]).forward(x)
        #expect(y == Tensor(shape: [1, 1, 1], values: [2.5]))
    }

    @Test func denseUsesKerasKernelLayout() {
        // weight [in=2, out=3]
        let weight = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let bias = Tensor(shape: [3], values: [0.5, 0, -1])
        let y = Head(layers: [.flatten, .dense(weight: weight, bias: bias), .relu]).forward(Tensor(shape: [2], values: [1, -1]))
        #expect(y.values == [0, 0, 0]) // [1-4+0.5, 2-5, 3-6-1] -> relu
        let z = Head(layers: [.dense(weight: weight, bias: bias)]).forward(Tensor(shape: [2], values: [2, 1]))
        #expect(z.values == [6.5, 9, 11])
        // A kernel read transposed (w[out][in]) would give [4.5, 10, 15] above and [2, 4, 6] here.
        let unit = Head(layers: [.dense(weight: weight, bias: Tensor(shape: [3], values: [0, 0, 0]))]).forward(Tensor(shape: [2], values: [0, 1]))
        #expect(unit.values == [4, 5, 6], "input 1 selects the kernel's second row")
    }

    @Test func softmaxIsStableAndSumsToOne() {
        let y = Head(layers: [.softmax]).forward(Tensor(shape: [3], values: [1000, 1000, 0]))
        #expect(abs(y.values[0] - 0.5) < 1e-6 && abs(y.values[1] - 0.5) < 1e-6 && y.values[2] < 1e-30)
    }
}
