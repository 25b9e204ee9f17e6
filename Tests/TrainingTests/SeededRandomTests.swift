import Testing
@testable import Training

@Suite struct SeededRandomTests {
    @Test func sameSeedSameSequenceOtherSeedOtherSequence() {
        var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7), c = SeededRandom(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test func streamsAndKeysAreIndependent() {
        var a = SeededRandom(seed: 1, stream: 1), b = SeededRandom(seed: 1, stream: 2)
        #expect(a.next() != b.next())
        var k1 = SeededRandom(seed: 1, key: "abc#1"), k2 = SeededRandom(seed: 1, key: "abc#2"), k3 = SeededRandom(seed: 1, key: "abc#1")
        let v1 = k1.next()
        #expect(v1 != k2.next())
        #expect(v1 == k3.next())
    }

    @Test func uniformAndIndexStayInRange() {
        var random = SeededRandom(seed: 3)
        for _ in 0..<10_000 {
            let u = random.uniform(-15, 15)
            #expect(u >= -15 && u < 15)
            let i = random.index(below: 7)
            #expect((0..<7).contains(i))
        }
    }

    @Test func shuffleIsAPermutationAndReproducible() {
        var a = SeededRandom(seed: 11), b = SeededRandom(seed: 11)
        var x = Array(0..<100), y = Array(0..<100)
        a.shuffle(&x); b.shuffle(&y)
        #expect(x == y)
        #expect(x != Array(0..<100))
        #expect(x.sorted() == Array(0..<100))
    }
}
