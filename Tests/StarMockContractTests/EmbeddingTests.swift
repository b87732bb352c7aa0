import Foundation
import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("StarMock embedded in Swift code", .timeLimit(.minutes(1)))
struct EmbeddingTests {
    @Test("StarMock.start(yaml:) serves the scenario; journal and world are at hand; stop() stops")
    func embedded() async throws {
        let mock = try await StarMock.start(
            yaml: Fixtures.sh4de(contract: "steps:\n  - action: balance"), clock: .scaled(100))
        #expect(mock.baseURL.hasPrefix("http://127.0.0.1:"))
        #expect(mock.port > 0)
        var request = URLRequest(url: URL(string: mock.baseURL + "/api/v1/balance")!)
        request.setValue("sh4de_test_key", forHTTPHeaderField: "X-API-Key")
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).contains("25.50"))
        #expect(mock.journal.map(\.target) == ["/api/v1/balance"])
        #expect(mock.journal.first?.status == 200)
        #expect(mock.world.read { $0.account("shop")?.available } == Money("25.50"))
        try await mock.stop()
        #expect(mock.journal.count == 1)
    }

    @Test("A 429 records its Retry-After in the journal")
    func retryAfterRecorded() async throws {
        let yaml = Fixtures.sh4de(extra: "rate_limits:\n  sh4de: {limit: 1, window: 10s}", contract: "steps:\n  - action: balance")
        // A virtual clock stands still: the second request comes a full window before a slot frees.
        let mock = try await StarMock.start(yaml: yaml, clock: .virtual)
        for _ in 0..<2 {
            var request = URLRequest(url: URL(string: mock.baseURL + "/api/v1/balance")!)
            request.setValue("sh4de_test_key", forHTTPHeaderField: "X-API-Key")
            _ = try await URLSession.shared.data(for: request)
        }
        try await mock.stop()
        let journal = mock.journal
        #expect(journal.map(\.status) == [200, 429])
        #expect(journal[0].retryAfter == nil)
        #expect(journal[1].retryAfter == "10")
    }
}
