import Foundation
import StarMockCore
import StarMockDialects
import Testing

@testable import StarMockScenario

/// Routing and scenario path validation come from the same endpoint tables: every endpoint of
/// every dialect is routed to itself, and its pattern is one a scenario may write.
@Suite("Endpoint tables: routing and validation agree")
struct EndpointTableTests {
    /// A concrete path for a template: each capture filled in (`bot{token}` with a token).
    static func path(for template: PathTemplate) -> String {
        "/" + template.segments.map { segment in
            switch segment {
            case .literal(let text): text
            case .capture(let prefix, _): prefix + (prefix == "bot" ? "123456:AAsecret" : "42")
            }
        }.joined(separator: "/")
    }

    static let all: [(dialect: String, method: String, path: String)] = Dialects.all.flatMap { d in
        d.endpoints.endpoints.map { (d.id.name, $0.method?.name ?? "*", $0.path.text) }
    }

    @Test("every endpoint of every dialect is routed to itself, served together or alone", arguments: all)
    func routes(dialect name: String, method: String, template: String) throws {
        let dialect = try #require(Dialects.named(name))
        let endpoint = try #require(dialect.endpoints.endpoints.first { $0.path.text == template && ($0.method?.name ?? "*") == method })
        let path = Self.path(for: endpoint.path)
        #expect(DialectSet.everything.dialect(for: path)?.id == dialect.id, "\(path) goes to another dialect")
        let asked = endpoint.method ?? .post
        guard case .found(let found, _) = dialect.endpoints.route(method: asked, segments: EndpointTable.segments(path)) else {
            Issue.record("\(method) \(path) is not routed")
            return
        }
        #expect(found.path == endpoint.path && found.method == endpoint.method)
        // The table's own pattern is valid in a scenario, and a fault with it hits the request.
        #expect(RouteCheck.problem(pattern: endpoint.path.pattern, dialect: dialect) == nil)
        #expect(RouteCheck.syntaxProblem(endpoint.path.pattern, dialects: Dialects.all) == nil)
        #expect(PathPattern.matches(pattern: endpoint.path.pattern, path: path))
    }

    @Test("a path's other methods get the dialect's 405, whose Allow lists what the table answers (HEAD with GET)", arguments: all)
    func methodNotAllowed(dialect name: String, method: String, template: String) throws {
        guard method != "*" else { return }  // the Bot API answers every method
        let dialect = try #require(Dialects.named(name))
        let table = dialect.endpoints
        let path = Self.path(for: PathTemplate(template))
        let segments = EndpointTable.segments(path)
        guard case .problem(.methodNotAllowed(let allowed)) = table.route(method: "PATCH", segments: segments) else {
            Issue.record("PATCH \(path) is not a 405")
            return
        }
        // Only the most specific templates matching the path count (`/order/stars` over `/order/{id}`).
        let matching = table.endpoints.filter { $0.path.match(segments, caseInsensitive: table.caseInsensitivePaths) != nil }
        let best = matching.map(\.path.literalCount).max() ?? 0
        var expected: [String] = []
        for e in matching where e.path.literalCount == best {
            expected.append(e.method!.name)
            if table.headAsGet && e.method == .get { expected.append("HEAD") }
        }
        #expect(allowed == expected)
        if table.headAsGet && allowed.contains("GET") {
            guard case .found = table.route(method: .head, segments: segments) else {
                Issue.record("HEAD \(path) is not answered as GET although Allow lists it")
                return
            }
        }
    }

    @Test("a pattern matching no endpoint is refused by validation and routed to the dialect's 404")
    func unknownPaths() {
        for dialect in Dialects.all {
            let base = dialect.endpoints.basePattern.replacingOccurrences(of: "*", with: "123456:AAsecret")
            let path = base + "no-such-endpoint"
            #expect(RouteCheck.problem(pattern: dialect.endpoints.basePattern + "no-such-endpoint", dialect: dialect) != nil)
            guard case .problem(.notFound) = dialect.endpoints.route(method: .get, segments: EndpointTable.segments(path))
            else {
                Issue.record("\(dialect.id): \(path) is routed")
                continue
            }
        }
    }
}
