/// "Did you mean …?": the candidate closest to a mistyped word, if one is close enough.
package enum Suggestion {
    /// The candidate with the smallest edit distance (ignoring case) to `word`, when that
    /// distance is small for the word's length; nil when nothing is plausibly meant.
    package static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, Array(candidate.lowercased()))
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let tolerance = max(2, min(word.count, best.candidate.count) / 3)
        return best.distance <= tolerance && best.distance < max(word.count, best.candidate.count) ? best.candidate : nil
    }

    /// Levenshtein distance, with a transposition of neighbours counting as one edit.
    package static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}

extension Suggestion {
    /// `base; did you mean "x"? Label: a, b` or, with nothing close, `base. Label: a, b`.
    package static func message(_ base: String, word: String, candidates: [String], label: String, list: [String]? = nil) -> String
    {
        let listed = "\(label): \((list ?? candidates).joined(separator: ", "))"
        if let near = closest(to: word, in: candidates) { return "\(base); did you mean \"\(near)\"? \(listed)" }
        return "\(base). \(listed)"
    }
}
