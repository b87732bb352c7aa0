import StarMockCore
import Testing

@Suite("Journal: bounded in entries and bytes; credentials redacted in its JSON")
struct JournalTests {
    func entry(_ sequence: Int, body: String = "", key: String? = nil, target: String = "/api/v1/balance") -> JournalEntry {
        JournalEntry(
            sequence: sequence, receivedAt: WorldSetup.documentedStart, answeredAt: WorldSetup.documentedStart,
            dialect: "sh4de", method: "POST", target: target, key: key, requestBody: body, status: 200,
            responseBody: "{}", fault: nil)
    }

    @Test("A body is kept up to the cap, its full size recorded")
    func bodyCap() {
        var journal = Journal(capacity: 10, byteBudget: 1 << 20, bodyCap: 100)
        journal.record { entry($0, body: String(repeating: "é", count: 1000)) }
        let kept = journal.entries[0]
        #expect(kept.requestBody.utf8.count <= 100)
        #expect(kept.requestBody.allSatisfy { $0 == "é" })
        #expect(kept.requestBodySize == 2000)
    }

    @Test("Bodies given as bytes: cut at the cap on a character boundary, decoded (lossily) only when read")
    func bodyBytes() {
        var journal = Journal(capacity: 10, byteBudget: 1 << 20, bodyCap: 101)
        journal.record {
            var e = entry($0)
            e.requestBodyBytes = Array(String(repeating: "é", count: 1000).utf8)
            e.responseBodyBytes = [0x7B, 0xFF, 0x7D]  // `{`, a byte that is no UTF-8, `}`
            return e
        }
        let kept = journal.entries[0]
        #expect(kept.requestBodyBytes.count == 100, "the second byte of the 51st é is at the cap: both dropped")
        #expect(kept.requestBody == String(repeating: "é", count: 50))
        #expect(kept.responseBody == "{\u{FFFD}}")
        #expect(kept.responseBodyBytes == [0x7B, 0xFF, 0x7D], "kept as sent")
    }

    @Test("The byte budget evicts the oldest, dropped counts them, the newest is always kept")
    func budget() {
        var journal = Journal(capacity: 10_000, byteBudget: 10_000, bodyCap: 1000)
        for _ in 0..<100 { journal.record { entry($0, body: String(repeating: "x", count: 1000)) } }
        #expect(journal.bytes <= 10_000)
        #expect(journal.recorded == 100)
        #expect(journal.dropped == 100 - journal.count)
        #expect(journal.entries.last?.sequence == 100)
        var tiny = Journal(capacity: 10, byteBudget: 0, bodyCap: 10)
        tiny.record { entry($0) }
        tiny.record { entry($0) }
        #expect(tiny.entries.map(\.sequence) == [2])
        #expect(tiny.dropped == 1)
    }

    @Test("The ring keeps exactly the newest entries that fit, in order, however entries and bytes evict", arguments: [UInt64(1), 2, 3])
    func ringMatchesAModel(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var journal = Journal(capacity: 7, byteBudget: 4_000, bodyCap: 2_000)
        // The model: every entry with its cost, newest last; keep the newest that fit.
        var model: [(sequence: Int, cost: Int)] = []
        for _ in 0..<500 {
            let size = Int.random(in: 0...1_500, using: &rng)
            journal.record { entry($0, body: String(repeating: "x", count: size)) }
            let cost = Journal.entryOverhead + "POST".utf8.count + "/api/v1/balance".utf8.count + size + "{}".utf8.count
            model.append((journal.recorded, cost))
            while model.count > 1 && (model.count > 7 || model.reduce(0) { $0 + $1.cost } > 4_000) { model.removeFirst() }
            #expect(journal.entries.map(\.sequence) == model.map(\.sequence))
            #expect(journal.bytes == model.reduce(0) { $0 + $1.cost })
            #expect(journal.count == model.count)
            #expect(journal.dropped == journal.recorded - model.count)
        }
    }

    @Test("The entry cap still holds")
    func capacity() {
        var journal = Journal(capacity: 3)
        for _ in 0..<200 { journal.record { entry($0) } }
        #expect(journal.entries.map(\.sequence) == [198, 199, 200])
        #expect(journal.dropped == 197)
    }

    @Test("JSON shows a stable placeholder and the last 4 characters, wherever the credential appears")
    func redaction() {
        let token = "123456789:AAdemo_token_for_starmock_only_0000"
        let json = entry(1, body: "token=\(token)", key: token, target: "/bot\(token)/getMe").json
        #expect(json["key"] == .string("[REDACTED]0000"))
        #expect(json["target"] == .string("/bot[REDACTED]0000/getMe"))
        #expect(json["request_body"] == .string("token=[REDACTED]0000"))
        #expect(Redaction.redacted("short") == "[REDACTED]")
        #expect(entry(1, key: nil).json["key"] == .null)
    }
}
