public import StarMockCore
import StarMockDialects
public import StarMockScenario

/// StarMock embedded in a Swift program or test: a scenario's world served on a free port of
/// 127.0.0.1, its journal and world at hand.
///
/// ```swift
/// let mock = try await StarMock.start(scenario: "scenarios/sh4de/charging-error.yaml")
/// defer { Task { try? await mock.stop() } }
/// let client = MyClient(baseURL: mock.baseURL, apiKey: "sh4de_test_key")
/// try await client.buyStars("some_user", 100)
/// #expect(mock.journal.count == 2)
/// #expect(mock.world.read { $0.account("shop")?.available } == Money("24.20"))
/// try await mock.stop()
/// ```
public final class StarMock: Sendable {
    /// The running server.
    public let server: Server
    /// The dialects served.
    public let dialects: [String]

    private init(server: Server, dialects: [String]) {
        self.server = server
        self.dialects = dialects
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    public var baseURL: String { server.baseURL }
    /// The port it listens on.
    public var port: Int { server.port }
    /// The world it serves: `world.read { $0.orders }`, `world.read { $0.account("shop") }`.
    public var world: World { server.world }
    /// The exchanges so far, oldest first.
    public var journal: [JournalEntry] { world.read { $0.journal.entries } }

    /// Serves the scenario file at `path`.
    /// - Parameter clock: overrides the scenario's clock.
    public static func start(
        scenario path: String, clock: ClockMode? = nil, host: String = "127.0.0.1", port: Int = 0
    ) async throws -> StarMock {
        try await start(try Scenario.load(path: path), clock: clock, host: host, port: port)
    }

    /// Serves a scenario given as YAML text.
    public static func start(
        yaml: String, clock: ClockMode? = nil, host: String = "127.0.0.1", port: Int = 0
    ) async throws -> StarMock {
        try await start(try Scenario.parse(yaml: yaml), clock: clock, host: host, port: port)
    }

    /// Serves a scenario already read.
    public static func start(
        _ scenario: Scenario, clock: ClockMode? = nil, host: String = "127.0.0.1", port: Int = 0
    ) async throws -> StarMock {
        var setup = scenario.setup
        if let clock { setup.clock = clock }
        return try await start(setup: setup, dialects: scenario.dialects, host: host, port: port)
    }

    /// Serves `setup` with these dialects; a name StarMock does not know is an error.
    public static func start(
        setup: WorldSetup, dialects: [String], host: String = "127.0.0.1", port: Int = 0
    ) async throws -> StarMock {
        guard let served = DialectSet(named: dialects) else {
            throw UnknownDialect(name: dialects.first { DialectSet(named: [$0]) == nil } ?? "")
        }
        let server = try await Server.start(
            world: World(setup), configuration: .init(host: host, port: port, dialects: served))
        return StarMock(server: server, dialects: dialects)
    }

    /// Stops serving: held requests are answered, in-flight ones finish. The world and the
    /// journal stay readable.
    public func stop() async throws { try await server.shutdown() }
}

// MARK: Scoped

/// Serves the scenario file at `path` for the duration of `body`, and stops the server on every
/// way out of it: `body`'s value is returned, its error rethrown, and in both cases the port is
/// closed by then (held requests answered).
///
/// ```swift
/// let posts = try await withStarMock(scenario: "scenarios/sh4de/charging-error.yaml") { mock in
///     try await MyClient(baseURL: mock.baseURL).buyStars("some_user", 100)
///     return mock.journal.filter { $0.method == "POST" }
/// }
/// ```
/// - Parameter clock: overrides the scenario's clock.
public func withStarMock<Value>(
    scenario path: String, clock: ClockMode? = nil, host: String = "127.0.0.1", port: Int = 0,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (StarMock) async throws -> Value
) async throws -> Value {
    let mock = try await StarMock.start(scenario: path, clock: clock, host: host, port: port)
    return try await mock.serving(body)
}

/// Serves a scenario given as YAML text for the duration of `body`; see
/// ``withStarMock(scenario:clock:host:port:isolation:_:)``.
public func withStarMock<Value>(
    yaml: String, clock: ClockMode? = nil, host: String = "127.0.0.1", port: Int = 0,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (StarMock) async throws -> Value
) async throws -> Value {
    let mock = try await StarMock.start(yaml: yaml, clock: clock, host: host, port: port)
    return try await mock.serving(body)
}

/// Serves a scenario already read for the duration of `body`; see
/// ``withStarMock(scenario:clock:host:port:isolation:_:)``.
public func withStarMock<Value>(
    _ scenario: Scenario, clock: ClockMode? = nil, host: String = "127.0.0.1", port: Int = 0,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (StarMock) async throws -> Value
) async throws -> Value {
    var setup = scenario.setup
    if let clock { setup.clock = clock }
    let mock = try await StarMock.start(setup: setup, dialects: scenario.dialects, host: host, port: port)
    return try await mock.serving(body)
}

/// Serves `setup` with these dialects for the duration of `body`; see
/// ``withStarMock(scenario:clock:host:port:isolation:_:)``.
public func withStarMock<Value>(
    setup: WorldSetup, dialects: [String], host: String = "127.0.0.1", port: Int = 0,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (StarMock) async throws -> Value
) async throws -> Value {
    let mock = try await StarMock.start(setup: setup, dialects: dialects, host: host, port: port)
    return try await mock.serving(body)
}

extension StarMock {
    /// Runs `body`, then stops, whichever way `body` ends.
    fileprivate func serving<Value>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (StarMock) async throws -> Value
    ) async throws -> Value {
        let result: Value
        do {
            result = try await body(self)
        } catch {
            try? await stop()
            throw error
        }
        try await stop()
        return result
    }
}

/// A dialect name StarMock does not know.
public struct UnknownDialect: Error, Sendable, CustomStringConvertible {
    /// The name asked for.
    public let name: String
    public var description: String {
        "unknown dialect \"\(name)\"; known: \(DialectSet.allNames.joined(separator: ", "))"
    }
}
