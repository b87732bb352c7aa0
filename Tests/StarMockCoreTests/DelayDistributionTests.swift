import Testing

@testable import StarMockCore

@Suite("Delay distributions")
struct DelayDistributionTests {
    func samples(_ d: DelayDistribution, count: Int, seed: UInt64 = 2026) -> [Int64] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in d.sample(using: &rng).wholeMilliseconds }
    }

    @Test("fixed is exact and draws nothing from the generator")
    func fixed() {
        var rng = SeededRandom(seed: 1)
        let d = DelayDistribution.fixed(.milliseconds(65_000))
        for _ in 0..<10 { #expect(d.sample(using: &rng) == .seconds(65)) }
        #expect(rng.next() == SeededRandom(seed: 1).nextValue())
        // Sub-millisecond fixed delays are returned as given.
        #expect(DelayDistribution.fixed(.microseconds(1500)).sample(using: &rng) == .microseconds(1500))
    }

    @Test("uniform stays within its bounds and covers them")
    func uniform() {
        let s = samples(.uniform(min: .milliseconds(100), max: .milliseconds(200)), count: 20_000)
        #expect(s.allSatisfy { (100...200).contains($0) })
        #expect(s.min()! <= 101)
        #expect(s.max()! >= 199)
        let mean = Double(s.reduce(0, +)) / Double(s.count)
        #expect(abs(mean - 150) < 2)
        #expect(samples(.uniform(min: .seconds(3), max: .seconds(3)), count: 100).allSatisfy { $0 == 3000 })
    }

    @Test("lognormal honours its median and p99 (20k seeded samples)", arguments: [
        (Int64(200), Int64(2_000)), (30_000, 300_000), (1_000, 1_500), (65_000, 65_000),
    ])
    func lognormal(median: Int64, p99: Int64) {
        let s = samples(.lognormal(median: .milliseconds(median), p99: .milliseconds(p99)), count: 20_000).sorted()
        #expect(s.allSatisfy { $0 >= 0 })
        let observedMedian = Double(s[s.count / 2])
        let observedP99 = Double(s[s.count * 99 / 100])
        #expect(abs(observedMedian - Double(median)) <= 0.10 * Double(median), "median \(observedMedian)")
        #expect(abs(observedP99 - Double(p99)) <= 0.20 * Double(p99), "p99 \(observedP99)")
        // About 1% of samples above p99.
        let above = s.count(where: { $0 > p99 })
        if p99 > median { #expect((100...300).contains(above), "above p99: \(above)") }
    }

    @Test("lognormal with p99 below the median degrades to a constant median")
    func lognormalDegenerate() {
        #expect(samples(.lognormal(median: .seconds(5), p99: .seconds(1)), count: 100).allSatisfy { $0 == 5000 })
        #expect(samples(.lognormal(median: .zero, p99: .zero), count: 100).allSatisfy { $0 == 1 })
    }

    @Test("normal is clamped at zero and centred on its mean")
    func normal() {
        let wide = samples(.normal(mean: .milliseconds(10), standardDeviation: .milliseconds(100)), count: 20_000)
        #expect(wide.allSatisfy { $0 >= 0 })
        #expect(wide.contains(0))
        let narrow = samples(.normal(mean: .seconds(10), standardDeviation: .milliseconds(500)), count: 20_000)
        let mean = Double(narrow.reduce(0, +)) / Double(narrow.count)
        #expect(abs(mean - 10_000) < 25)
        #expect(narrow.allSatisfy { (7_500...12_500).contains($0) })
    }

    @Test("never negative, whole milliseconds", arguments: [
        DelayDistribution.uniform(min: .zero, max: .milliseconds(3)),
        .normal(mean: .zero, standardDeviation: .seconds(1)),
        .lognormal(median: .milliseconds(1), p99: .seconds(10)),
    ])
    func neverNegative(d: DelayDistribution) {
        var rng = SeededRandom(seed: 5)
        for _ in 0..<5_000 {
            let sample = d.sample(using: &rng)
            #expect(sample >= .zero)
            #expect(sample == .milliseconds(sample.wholeMilliseconds))
        }
    }

    @Test("the same seed draws the same samples")
    func deterministic() {
        let d = DelayDistribution.normal(mean: .seconds(1), standardDeviation: .milliseconds(300))
        #expect(samples(d, count: 500, seed: 11) == samples(d, count: 500, seed: 11))
        #expect(samples(d, count: 500, seed: 11) != samples(d, count: 500, seed: 12))
    }

    @Test("unit() is in [0, 1)")
    func unitRange() {
        var rng = SeededRandom(seed: 3)
        var lo = 1.0, hi = 0.0
        for _ in 0..<10_000 {
            let u = rng.unit()
            #expect(u >= 0 && u < 1)
            lo = min(lo, u)
            hi = max(hi, u)
        }
        #expect(lo < 0.001 && hi > 0.999)
    }
}

extension SeededRandom {
    /// The first value of a fresh copy (for checking that nothing was drawn).
    fileprivate func nextValue() -> UInt64 {
        var copy = self
        return copy.next()
    }
}
