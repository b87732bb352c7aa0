import StarMockCore

/// The dialects served on one port.
public struct DialectSet: Sendable {
    /// The dialects, in routing order.
    package let dialects: [any Dialect]
    /// Their endpoint tables, in the same order (read once: choosing the dialect of every
    /// request then calls no protocol requirement).
    private let tables: [EndpointTable]

    /// A set of dialects.
    package init(_ dialects: [any Dialect]) {
        self.dialects = dialects
        self.tables = dialects.map(\.endpoints)
    }

    /// The served dialects with these names, in this order; nil when one is unknown.
    public init?(named names: [String]) {
        var found: [any Dialect] = []
        for name in names {
            guard let dialect = Dialects.named(name) else { return nil }
            found.append(dialect)
        }
        self.init(found)
    }

    /// Every dialect StarMock knows.
    public static var everything: DialectSet { DialectSet(Dialects.all) }

    /// Names of every dialect StarMock knows, sorted.
    public static var allNames: [String] { Dialects.all.map(\.id.name).sorted() }

    /// The served dialects' names, in routing order.
    public var names: [String] { dialects.map(\.id.name) }

    /// The served dialect with this name.
    package func dialect(named name: String) -> (any Dialect)? { dialects.first { $0.id.name == name } }

    /// The dialect serving `path`; with a single dialect, that one answers every path.
    package func dialect(for path: String) -> (any Dialect)? {
        if dialects.count == 1 { return dialects[0] }
        return dialect(for: EndpointTable.segments(path))
    }

    /// The dialect serving a path split into segments (``EndpointTable/segments(_:)``).
    package func dialect(for segments: [Substring]) -> (any Dialect)? {
        if dialects.count == 1 { return dialects[0] }
        if let i = tables.firstIndex(where: { $0.claims(segments) }) ?? tables.firstIndex(where: { $0.claimsAsFallback(segments) }) {
            return dialects[i]
        }
        return nil
    }

    /// Renders a problem found before a dialect could read the request (headers too large, no
    /// `Host`) in the shape of the dialect serving `path`.
    package func render(_ problem: RequestProblem, path: String) -> DialectResponse {
        if let dialect = dialect(for: path) { return dialect.render(problem) }
        return Self.noDialect(path)
    }

    static func noDialect(_ path: String) -> DialectResponse {
        .json(
            404,
            .object([
                ("error", .string("not_found")),
                ("message", .string("No served dialect has the path \(path)")),
            ]))
    }
}

extension DialectSet {
    /// Runs one request through the pipeline over these dialects (tests and embedding).
    package func respond(to request: DialectRequest, in world: inout WorldState) -> Exchange {
        Pipeline(self).run(request, in: &world)
    }
}

extension Dialect {
    /// The dialect's name (`id.name`).
    package var name: String { id.name }

    /// Whether this dialect serves `path` when several share a port.
    package func claims(path: String) -> Bool { endpoints.claims(EndpointTable.segments(path)) }
}
