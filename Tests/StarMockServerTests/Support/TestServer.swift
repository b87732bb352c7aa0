import StarMockCore
import StarMockDialects
import StarMockServer

/// Starts a server on 127.0.0.1 port 0 over `setup`, runs `body`, and always shuts it down.
func withServer<R>(
    _ setup: WorldSetup = .demo, dialects: DialectSet = .everything,
    _ body: (Server) async throws -> R
) async throws -> R {
    let server = try await Server.start(
        world: World(setup), configuration: .init(host: "127.0.0.1", port: 0, dialects: dialects))
    do {
        let result = try await body(server)
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
    }
}
