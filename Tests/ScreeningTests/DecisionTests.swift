import Screening
import Testing

/// The two-model decision and the tutorial's `Prob` (confidence of the stated result, whole percent).
struct DecisionTests {
    func scores(_ normal: Double, _ pneumo: Double) -> [ModelScore] {
        [ModelScore(model: "covid_normal", probability: normal), ModelScore(model: "covid_pneumo", probability: pneumo)]
    }

    @Test func bothIsPositiveOnlyWhenEveryModelSaysYes() {
        let decision = Decision(policy: .both)
        let yes = decision.decide(scores(0.97, 0.955))
        #expect(yes.result == .positive)
        #expect(yes.prob == 96) // round(100 * min(0.97, 0.955)) = round(95.5)
        let no = decision.decide(scores(0.97, 0.2))
        #expect(no.result == .negative)
        #expect(no.prob == 80) // the model that said no: 1 - 0.2
        let bothNo = decision.decide(scores(0.3, 0.1))
        #expect(bothNo.prob == 90) // strongest no
        #expect(yes.decidingModel == "covid_pneumo" && no.decidingModel == "covid_pneumo" && bothNo.decidingModel == "covid_pneumo",
                "the weakest yes, or the strongest no, decides")
    }

    @Test func eitherIsPositiveWhenAnyModelSaysYes() {
        let decision = Decision(policy: .either)
        let yes = decision.decide(scores(0.7, 0.2))
        #expect(yes.result == .positive && yes.prob == 70)
        #expect(yes.decidingModel == "covid_normal", "the strongest yes decides")
        let no = decision.decide(scores(0.3, 0.1))
        #expect(no.result == .negative && no.prob == 70) // weakest no
        #expect(no.decidingModel == "covid_normal")
    }

    @Test func aSingleModelPolicyIgnoresTheOther() {
        let decision = Decision(policy: DecisionPolicy("covid_pneumo"))
        let verdict = decision.decide(scores(0.01, 0.88))
        #expect(verdict.result == .positive && verdict.prob == 88 && verdict.scores == scores(0.01, 0.88))
        #expect(verdict.decidingModel == "covid_pneumo")
        #expect(decision.decide(scores(0.99, 0.4)).result == .negative)
    }

    @Test func thresholdsArePerModelAndInclusive() {
        let decision = Decision(policy: .both, thresholds: ["covid_normal": 0.8, "covid_pneumo": 0.6])
        #expect(decision.decide(scores(0.8, 0.6)).result == .positive)
        #expect(decision.decide(scores(0.79, 0.99)).result == .negative)
        #expect(decision.threshold(for: "unlisted") == 0.5)
    }

    @Test func policyTextRoundTrips() {
        for text in ["both", "either", "covid_normal"] {
            #expect(DecisionPolicy(text).description == text)
        }
    }
}

/// INDETERMINATE: what a refused verdict carries.
struct RefusedVerdictTests {
    let scores = [ModelScore(model: "covid_normal", probability: 0.9), ModelScore(model: "covid_pneumo", probability: 0.8)]

    @Test func refusedVerdictKeepsTheScoresAndGivesTheDistanceAsProb() {
        let verdict = Decision().decide(scores).refused(Refusal(reason: "unlike the training radiographs", distanceRatio: 2.345))
        #expect(verdict.result == .indeterminate)
        #expect(verdict.prob == 235 && verdict.distancePercent == 235)
        #expect(verdict.scores == scores)
        #expect(verdict.refusal?.reason == "unlike the training radiographs")
    }

    @Test func probOfAFarImageStaysThreeDigits() {
        let verdict = Decision().decide(scores).refused(Refusal(reason: "x", distanceRatio: 1e9))
        #expect(verdict.prob == 999)
        #expect(Decision().decide(scores).refused(Refusal(reason: "x", distanceRatio: .infinity)).prob == 999)
    }

    @Test func aJudgedVerdictCarriesItsDistanceButNoRefusal() {
        let verdict = Decision().decide(scores).with(distanceRatio: 0.42)
        #expect(verdict.result == .positive && verdict.distancePercent == 42 && verdict.refusal == nil)
    }
}
