import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

@Suite("Live socket: the demo world over HTTP", .timeLimit(.minutes(1)))
struct ServeSmokeTests {
    @Test("The documented balance body arrives byte for byte over a real socket")
    func balanceOverSocket() async throws {
        try await withServer { server in
            let response = try await RawHTTP.send(
                port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(
                response.bodyText == """
                    {
                      "status": "ok",
                      "balance_usd": 25.50,
                      "total_orders": 12,
                      "total_spent_usd": 8.42,
                      "key_label": "My Stars Bot"
                    }
                    """)
        }
    }
}

@Suite("Embedding: StarMock.start")
struct EmbeddingStartTests {
    @Test("An unknown dialect name is an error, not a server that silently serves nothing")
    func unknownDialect() async throws {
        await #expect(throws: UnknownDialect.self) {
            _ = try await StarMock.start(setup: .demo, dialects: ["sh4de", "nosuch"])
        }
    }
}
