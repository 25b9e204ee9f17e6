import Foundation
import Testing
@testable import Training

@Suite struct AdamOptimizerTests {
    @Test func stepsMatchHandComputedKerasLegacyAdam() {
        // p -= lr/(1+decay*i) * sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v)+eps), values worked out by hand (Python).
        var optimizer = AdamOptimizer(learningRate: 0.1, decay: 0.5)
        var parameters: [[Float]] = [[1.0]]
        optimizer.step(&parameters, gradients: [[0.5]])
        #expect(abs(Double(parameters[0][0]) - 0.9000006324515321) < 1e-6)
        #expect(abs(optimizer.currentLearningRate - 0.1 / 1.5) < 1e-12)
        optimizer.step(&parameters, gradients: [[-0.25]])
        #expect(abs(Double(parameters[0][0]) - 0.8822449302891253) < 1e-6)
        #expect(optimizer.iterations == 2)
    }
}

@Suite struct HeadNetworkTests {
    /// Finite differences of the loss against the analytic gradients of every parameter kind.
    @Test func gradientsMatchFiniteDifferences() {
        let parameters = HeadParameters(inputs: 5, hidden: 4, classes: 3, seed: 9)
        var random = SeededRandom(seed: 5)
        var params = parameters
        params.hiddenBias = (0..<4).map { _ in Float(random.uniform(0.05, 0.3)) }   // keep ReLUs away from their kink
        params.outputBias = (0..<3).map { _ in Float(random.uniform(-0.2, 0.2)) }
        let inputs = (0..<15).map { _ in Float(random.uniform(0, 2)) }
        let labels = [0, 2, 1]
        let weights: [Float] = [1, 2, 0.5]
        let analytic = HeadNetwork.lossAndGradients(params, inputs: inputs, labels: labels, keepMask: nil, weights: weights)
        #expect(abs(analytic.loss - HeadNetwork.loss(params, inputs: inputs, labels: labels, weights: weights)) < 1e-6)

        func numeric(_ path: WritableKeyPath<HeadParameters, [Float]>, _ index: Int) -> Double {
            let h: Float = 1e-2
            var plus = params, minus = params
            plus[keyPath: path][index] += h
            minus[keyPath: path][index] -= h
            return (HeadNetwork.loss(plus, inputs: inputs, labels: labels, weights: weights)
                    - HeadNetwork.loss(minus, inputs: inputs, labels: labels, weights: weights)) / Double(2 * h)
        }
        let checks: [(WritableKeyPath<HeadParameters, [Float]>, [Float])] = [
            (\.hiddenWeight, analytic.gradients.hiddenWeight), (\.hiddenBias, analytic.gradients.hiddenBias),
            (\.outputWeight, analytic.gradients.outputWeight), (\.outputBias, analytic.gradients.outputBias),
        ]
        for (path, gradient) in checks {
            for index in gradient.indices {
                let expected = numeric(path, index)
                #expect(abs(Double(gradient[index]) - expected) < 2e-3 + 2e-2 * abs(expected), "index \(index): \(gradient[index]) vs \(expected)")
            }
        }
    }

    /// The consistency term's gradients against finite differences of the whole loss (cross-entropy on the
    /// labelled rows plus the weighted symmetric KL divergence between each row and its partner).
    @Test func consistencyGradientsMatchFiniteDifferences() {
        var params = HeadParameters(inputs: 5, hidden: 4, classes: 3, seed: 11)
        var random = SeededRandom(seed: 6)
        params.hiddenBias = (0..<4).map { _ in Float(random.uniform(1.5, 2)) }   // every ReLU open, away from its kink
        params.outputWeight = params.outputWeight.map { $0 * 3 }   // logits far enough apart for a visible penalty
        let inputs = (0..<30).map { _ in Float(random.uniform(0, 2)) }   // 3 labelled rows, then 3 partners
        let labels = [0, 2, 1]
        func loss(_ p: HeadParameters) -> Double {
            HeadNetwork.lossAndGradients(p, inputs: inputs, labels: labels, keepMask: nil, weights: nil, consistency: 2).loss
        }
        let analytic = HeadNetwork.lossAndGradients(params, inputs: inputs, labels: labels, keepMask: nil, weights: nil, consistency: 2)
        let crossEntropyOnly = HeadNetwork.loss(params, inputs: Array(inputs[0..<15]), labels: labels)
        #expect(analytic.loss > crossEntropyOnly + 1e-3, "the partners' disagreement adds to the loss")
        let checks: [(WritableKeyPath<HeadParameters, [Float]>, [Float])] = [
            (\.hiddenWeight, analytic.gradients.hiddenWeight), (\.outputWeight, analytic.gradients.outputWeight),
            (\.outputBias, analytic.gradients.outputBias),
        ]
        for (path, gradient) in checks {
            for index in gradient.indices {
                let h: Float = 1e-2
                var plus = params, minus = params
                plus[keyPath: path][index] += h
                minus[keyPath: path][index] -= h
                let expected = (loss(plus) - loss(minus)) / Double(2 * h)
                #expect(abs(Double(gradient[index]) - expected) < 2e-3 + 2e-2 * abs(expected), "\(path) index \(index): \(gradient[index]) vs \(expected)")
            }
        }
    }

    @Test func identicalPartnersAddNothing() {
        let params = HeadParameters(inputs: 3, hidden: 4, classes: 2, seed: 2)
        let rows: [Float] = [1, 2, 3, 0.5, 0, 1]
        let alone = HeadNetwork.lossAndGradients(params, inputs: rows, labels: [0, 1], keepMask: nil, weights: nil)
        let paired = HeadNetwork.lossAndGradients(params, inputs: rows + rows, labels: [0, 1], keepMask: nil, weights: nil, consistency: 5)
        #expect(abs(alone.loss - paired.loss) < 1e-9)
        #expect(zip(alone.gradients.hiddenWeight, paired.gradients.hiddenWeight).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func dropoutMaskBlocksDroppedUnitsAndScalesKeptOnes() {
        let params = HeadParameters(inputs: 3, hidden: 2, classes: 2, seed: 1)
        let inputs: [Float] = [1, 2, 3]
        let allDropped = HeadNetwork.lossAndGradients(params, inputs: inputs, labels: [0], keepMask: [0, 0], weights: nil)
        #expect(allDropped.gradients.hiddenWeight.allSatisfy { $0 == 0 })
        #expect(allDropped.gradients.outputWeight.allSatisfy { $0 == 0 })
        #expect(abs(allDropped.loss - log(2)) < 1e-6)   // zero biases, no signal: uniform softmax
    }

    @Test func glorotInitialisationStaysWithinItsLimitAndBiasesAreZero() {
        let params = HeadParameters(inputs: 4608, hidden: 128, classes: 2, seed: 42)
        let limit = Float((6.0 / Double(4608 + 128)).squareRoot())
        #expect(params.hiddenWeight.allSatisfy { abs($0) <= limit })
        #expect(params.hiddenBias.allSatisfy { $0 == 0 } && params.outputBias.allSatisfy { $0 == 0 })
        #expect(params == HeadParameters(inputs: 4608, hidden: 128, classes: 2, seed: 42))
        #expect(params != HeadParameters(inputs: 4608, hidden: 128, classes: 2, seed: 43))
    }
}

@Suite struct HeadTrainerTests {
    /// Two or three Gaussian clusters in `dimension` dimensions, `draws` noisy copies each.
    static func clusters(count: Int, classes: Int, dimension: Int = 64, draws: Int = 2, seed: UInt64) -> [TrainingExample] {
        var random = SeededRandom(seed: seed)
        let centres = (0..<classes).map { _ in (0..<dimension).map { _ in Float(random.uniform(0, 1)) } }
        return (0..<count).map { i in
            let label = i % classes
            return TrainingExample(draws: (0..<draws).map { _ in
                centres[label].map { max(0, $0 + Float(random.uniform(-0.6, 0.6))) }
            }, label: label)
        }
    }

    static func recipe(seed: UInt64 = 1) -> HeadRecipe {
        var recipe = HeadRecipe()
        recipe.hidden = 16
        recipe.epochs = 15
        recipe.learningRate = 3e-3
        recipe.seed = seed
        return recipe
    }

    @Test(arguments: [2, 3])
    func learnsASeparableProblem(classes: Int) {
        let training = Self.clusters(count: 240, classes: classes, seed: 3)
        let validation = Self.clusters(count: 60, classes: classes, seed: 3).map { ValidationExample(features: $0.draws[0], label: $0.label) }
        var epochs = 0
        let trained = HeadTrainer(recipe: Self.recipe(), classes: classes).train(training, validation: validation) { event in
            if case .epoch = event { epochs += 1 }
        }
        #expect(epochs == 15)
        #expect(trained.history.count == 15)
        #expect(trained.history.last!.loss < trained.history.first!.loss)
        #expect((trained.history.last!.validationAccuracy ?? 0) >= 0.95)
        #expect(trained.history.last!.learningRate < trained.history.first!.learningRate)
    }

    @Test func sameSeedIsBitIdenticalAndAnotherSeedIsNot() {
        let training = Self.clusters(count: 100, classes: 2, seed: 4)
        let a = HeadTrainer(recipe: Self.recipe(seed: 7), classes: 2).train(training)
        let b = HeadTrainer(recipe: Self.recipe(seed: 7), classes: 2).train(training)
        let c = HeadTrainer(recipe: Self.recipe(seed: 8), classes: 2).train(training)
        #expect(a.parameters == b.parameters)
        #expect(a.history == b.history)
        #expect(a.parameters != c.parameters)
    }

    /// The consistency loss pulls the answers for two draws of an image together: train on clusters whose
    /// second draw carries a large nuisance shift in a few dimensions, and the trained head's answers for the
    /// two draws differ less with the term than without it.
    @Test func consistencyMakesTheDrawsAgree() {
        var training = Self.clusters(count: 200, classes: 2, dimension: 16, draws: 2, seed: 12)
        var random = SeededRandom(seed: 13)
        for i in training.indices {
            let shift = Float(random.uniform(-2, 2))
            for d in 0..<4 { training[i].draws[1][d] = max(0, training[i].draws[1][d] + shift) }
        }
        func disagreement(_ recipe: HeadRecipe) -> Double {
            let head = HeadTrainer(recipe: recipe, classes: 2).train(training).parameters
            let first = HeadTrainer.predict(head, training.map { $0.draws[0] })
            let second = HeadTrainer.predict(head, training.map { $0.draws[1] })
            return zip(first, second).map { Double(abs($0[0] - $1[0])) }.reduce(0, +) / Double(training.count)
        }
        var consistent = Self.recipe()
        consistent.consistency = 10
        let with = disagreement(consistent), without = disagreement(Self.recipe())
        #expect(with < 0.5 * without, "mean |P(draw 0) - P(draw 1)| \(with) with the term, \(without) without")
    }

    @Test func partnersDoNotChangeTheOtherRandomDraws() {
        let loop = EpochLoop(epochs: 2, batchSize: 4, dropout: 0.5, hidden: 3, seed: 9)
        var paired = loop
        paired.withPartners = true
        var plain: [EpochLoop.Batch] = [], withPartners: [EpochLoop.Batch] = []
        let counts = [3, 1, 2, 3, 3, 2, 1]
        _ = loop.run(drawCounts: counts, step: { plain.append($0); return (0, 0) },
                     endEpoch: { _ in .init(learningRate: 0) }, onEvent: { _ in })
        _ = paired.run(drawCounts: counts, step: { withPartners.append($0); return (0, 0) },
                       endEpoch: { _ in .init(learningRate: 0) }, onEvent: { _ in })
        #expect(plain.map(\.examples) == withPartners.map(\.examples))
        #expect(plain.map(\.draws) == withPartners.map(\.draws))
        #expect(plain.map(\.keepMask) == withPartners.map(\.keepMask))
        for batch in withPartners {
            let partners = try! #require(batch.partners)
            for (i, example) in batch.examples.enumerated() {
                #expect(partners[i] < counts[example])
                #expect(counts[example] == 1 || partners[i] != batch.draws[i], "a partner is another draw")
            }
        }
    }

    @Test func balancedClassWeightsFollowClassFrequencies() {
        var recipe = HeadRecipe()
        recipe.classWeighting = .balanced
        let weights = HeadTrainer(recipe: recipe, classes: 2).classWeights(for: [0, 0, 0, 1])
        #expect(weights == [4.0 / 6.0, 2.0])
        #expect(HeadTrainer(recipe: HeadRecipe(), classes: 2).classWeights(for: [0, 1, 1]) == [1, 1])
    }
}

@Suite struct TemperatureScalingTests {
    @Test func overconfidentLogitsGetATemperatureAboveOneAndDecisionsStay() {
        // Logits scaled 5x too large: half the confident calls are wrong, so T should come out near 5x.
        var logits: [Float] = [], labels: [Int] = []
        for i in 0..<200 {
            let margin: Float = i % 4 == 0 ? -1 : 1    // 75 % right with margin 1 after cooling
            logits += [5 * margin, 0]
            labels.append(0)
        }
        let fit = TemperatureScaling(logits: logits, labels: labels, classes: 2)
        #expect(fit.temperature > 2)
        #expect(fit.lossAfter < fit.lossBefore)
        #expect(fit.calibrationErrorAfter < fit.calibrationErrorBefore)
        let parameters = HeadParameters(inputs: 3, hidden: 2, classes: 2, seed: 1)
        let scaled = fit.apply(to: parameters)
        #expect(zip(scaled.outputWeight, parameters.outputWeight).allSatisfy { abs($0 - $1 / Float(fit.temperature)) < 1e-6 })
        let input: [Float] = [1, 2, 3]
        let before = HeadNetwork.probabilities(parameters, inputs: input, rows: 1), after = HeadNetwork.probabilities(scaled, inputs: input, rows: 1)
        #expect((before[0] >= 0.5) == (after[0] >= 0.5))
    }
}
