import StarMockCore
import StarMockDialects
import StarMockServer

/// Starts a server on 127.0.0.1 port 0 over `setup`, runs `body`, and always shuts it down.
func withServer<R>(
    _ setup: WorldSetup = .demo, dialects: DialectSet = .everything, maxConnections: Int? = nil,
    _ body: (Server) async throws -> R
) async throws -> R {
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0, dialects: dialects)
    if let maxConnections { configuration.maxConnections = maxConnections }
    let server = try await Server.start(world: World(setup), configuration: configuration)
    do {
        let result = try await body(server)
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
    }
}
