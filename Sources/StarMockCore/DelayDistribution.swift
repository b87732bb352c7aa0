import Foundation

/// How long something takes: a fixed time or a distribution sampled with the world's seeded
/// generator. Used for order lifecycles and injected latency.
public enum DelayDistribution: Sendable, Equatable {
    /// Always this long.
    case fixed(Duration)
    /// Uniform between the bounds.
    case uniform(min: Duration, max: Duration)
    /// Normal with a mean and standard deviation, clamped at zero.
    case normal(mean: Duration, standardDeviation: Duration)
    /// Lognormal given its median and 99th percentile (the tail of a slow upstream).
    case lognormal(median: Duration, p99: Duration)

    /// Draws one delay, never negative, in whole milliseconds.
    public func sample(using random: inout SeededRandom) -> Duration {
        let ms: Double
        switch self {
        case .fixed(let d): return d
        case .uniform(let lo, let hi):
            let a = Double(lo.wholeMilliseconds), b = Double(hi.wholeMilliseconds)
            ms = a + (b - a) * random.unit()
        case .normal(let mean, let sd):
            ms = Double(mean.wholeMilliseconds) + Double(sd.wholeMilliseconds) * random.standardNormal()
        case .lognormal(let median, let p99):
            // ln X ~ N(mu, sigma): median = e^mu, p99 = e^(mu + 2.3263 sigma).
            let mu = log(Double(max(median.wholeMilliseconds, 1)))
            let sigma = max(0, (log(Double(max(p99.wholeMilliseconds, 1))) - mu) / 2.326_347_874)
            ms = exp(mu + sigma * random.standardNormal())
        }
        // Clamp far tails (and NaN) so a wild sample can never trap: at most 30 days.
        let clamped = ms.isNaN ? 0 : min(max(0, ms.rounded()), 2_592_000_000)
        return .milliseconds(Int64(clamped))
    }
}
