import StarMockCore

/// One request's fate, decided in a single step under the world's lock: the answer (or none,
/// when a transport fault hits before the world sees it), the latency to add and the transport
/// fault to apply. The server only carries it out.
package struct Exchange: Sendable {
    /// The request.
    package var request: DialectRequest
    /// When it arrived, on the world's clock.
    package var received: WorldTime
    /// The dialect serving its path.
    package var dialect: DialectID?
    /// The credential it presented.
    package var credential: String?
    /// The answer.
    package var reply: DialectReply
    /// What the faults did, for the journal (`CHARGING_ERROR`, `reset after commit`, …).
    package var faults: [String] = []
    /// The latency to add.
    package var delay: Duration?
    /// The transport fault to apply.
    package var transport: TransportFault?
    /// True when the world never saw the request (a transport fault before it).
    package var unanswered = false
    /// True once the exchange is in the journal (answers that leave at once are recorded in
    /// the same step that decided them).
    package var recorded = false

    /// Records the exchange as it leaves the server: the target exactly as sent.
    package func record(response: DialectResponse, in world: inout WorldState) {
        let now = world.now
        let lost = unanswered || transport.map { !$0.needsResponse } ?? false
        world.record { sequence in
            var responseHeaders: [JournalHeader] = []
            if !lost {
                responseHeaders.reserveCapacity(response.headers.count + 1)
                for (name, value) in response.headers where !name.caseInsensitiveEquals("Content-Length") {
                    responseHeaders.append(JournalHeader(name, value))
                }
                responseHeaders.append(JournalHeader("Content-Length", String(response.body.count)))
            }
            var entry = JournalEntry(
                sequence: sequence, receivedAt: received, answeredAt: now, dialect: dialect,
                method: request.method.name, target: request.target, key: credential,
                requestBody: "", status: lost ? nil : response.status, responseBody: "",
                fault: faults.isEmpty ? nil : faults.joined(separator: "; "),
                retryAfter: lost ? nil : response.headers.last { $0.0.caseInsensitiveEquals("Retry-After") }?.1,
                requestBodySize: request.body.count, responseBodySize: lost ? 0 : response.body.count,
                requestHeaders: request.headers.map { JournalHeader($0.0, $0.1) },
                responseHeaders: responseHeaders)
            // The bodies' own bytes, shared (the journal cuts them to its cap): nothing is
            // copied or decoded until the journal is read.
            entry.requestBodyBytes = request.body
            entry.responseBodyBytes = lost ? [] : response.body
            return entry
        }
    }
}

/// What every request goes through, once, top to bottom: pick the dialect by path, read the
/// credential, decide the scripted faults, route with the dialect's endpoint table, look the
/// key up, admit it against its rate limit, call the endpoint, and journal the exchange.
package struct Pipeline: Sendable {
    /// The dialects served.
    package let dialects: DialectSet

    /// A pipeline over these dialects.
    package init(_ dialects: DialectSet) { self.dialects = dialects }

    /// What a request is before the world sees it: its path's segments, the dialect serving
    /// it, the credential it presents, what the dialect's `prepare` made of it and the endpoint
    /// it matches. Reads only the request, so a server computes it outside the world's lock.
    package struct Routed: Sendable {
        let segments: [Substring]
        let dialect: (any Dialect)?
        let credential: Credential?
        /// Used where the pipeline's steps reach them (the match before or after the
        /// credential, as the table says).
        let preparation: Preparation?
        let match: EndpointTable.Match?
    }

    /// Splits the path (once: choosing the dialect and routing read the same segments), picks
    /// the dialect, reads the credential, prepares the request and matches its endpoint.
    package func route(_ request: DialectRequest) -> Routed {
        let segments = EndpointTable.segments(request.path)
        guard let dialect = dialects.dialect(for: segments) else {
            return Routed(segments: segments, dialect: nil, credential: nil, preparation: nil, match: nil)
        }
        let preparation = dialect.prepare(request)
        var match: EndpointTable.Match?
        if case .ready(let prepared) = preparation {
            let path = prepared.request.path == request.path ? segments : EndpointTable.segments(prepared.request.path)
            match = dialect.endpoints.route(method: prepared.request.method, segments: path)
        }
        return Routed(
            segments: segments, dialect: dialect, credential: dialect.credential(of: request), preparation: preparation,
            match: match)
    }

    /// Decides one request. `bodyLimit` is set when the body was over it (the dialect's 413).
    package func run(_ request: DialectRequest, bodyLimit: Int? = nil, in world: inout WorldState) -> Exchange {
        run(request, routed: route(request), bodyLimit: bodyLimit, in: &world)
    }

    /// Decides one request already routed by `route(_:)`.
    package func run(_ request: DialectRequest, routed: Routed, bodyLimit: Int? = nil, in world: inout WorldState) -> Exchange {
        let dialect = routed.dialect
        let credential = routed.credential
        var exchange = Exchange(
            request: request, received: world.now, dialect: dialect?.id, credential: credential?.secret,
            reply: .now(DialectResponse(status: 0, body: [])))
        guard let dialect else {
            exchange.reply = .now(DialectSet.noDialect(request.path))
            return finish(exchange, in: &world)
        }
        if let bodyLimit {
            exchange.reply = .now(dialect.render(.bodyTooLarge(limit: bodyLimit)))
            return exchange
        }

        let faults = world.decideFaults(
            for: FaultQuery(dialect: dialect.id, method: request.method.name, path: request.path, key: credential?.secret))
        if let fault = faults.transportBefore {
            exchange.transport = fault
            exchange.unanswered = true
            exchange.faults.append("\(fault) before the world")
        } else {
            if let verbatim = faults.verbatimBefore {
                exchange.reply = .now(Self.response(verbatim))
                exchange.faults.append("verbatim \(verbatim.status)")
            } else if let code = faults.errorBefore, let response = dialect.renderFault(code: code, request: request, in: &world) {
                exchange.reply = .now(response)
                exchange.faults.append(code)
            } else {
                exchange.reply = answer(request, routed: routed, credential: credential ?? .absent, by: dialect, in: &world)
                if let verbatim = faults.verbatimAfter {
                    // A held answer (`?wait=true`) is replaced too: the recording is what counts.
                    exchange.reply = .now(Self.response(verbatim))
                    exchange.faults.append("verbatim \(verbatim.status) after commit")
                } else if let code = faults.errorAfter, let response = dialect.renderFault(code: code, request: request, in: &world) {
                    exchange.reply = .now(response)
                    exchange.faults.append(code)
                }
            }
            if let fault = faults.transportAfter {
                exchange.transport = fault
                exchange.faults.append(fault.needsResponse ? "\(fault)" : "\(fault) after commit")
            }
        }
        if let delay = faults.delay {
            exchange.delay = delay
            exchange.faults.append("latency \(delay.wholeMilliseconds)ms")
        }
        return finish(exchange, in: &world)
    }

    /// A `respond_verbatim` fault's answer as a response.
    static func response(_ answer: VerbatimAnswer) -> DialectResponse {
        DialectResponse(
            status: answer.status,
            headers: answer.headers.filter { !$0.name.caseInsensitiveEquals("Content-Length") }.map { ($0.name, $0.value) },
            body: answer.body)
    }

    /// Journals an answer that leaves at once, in the step that decided it.
    private func finish(_ exchange: Exchange, in world: inout WorldState) -> Exchange {
        var exchange = exchange
        if case .now(let response) = exchange.reply, (exchange.delay ?? .zero) == .zero {
            exchange.record(response: response, in: &world)
            exchange.recorded = true
        }
        return exchange
    }

    /// The dialect's own answer: what it reads first, the route, the key, the rate limit,
    /// the endpoint (the Bot API authenticates before routing; the others route first).
    private func answer(
        _ request: DialectRequest, routed pure: Routed, credential: Credential, by dialect: any Dialect,
        in world: inout WorldState
    ) -> DialectReply {
        let prepared: Prepared
        switch pure.preparation ?? dialect.prepare(request) {
        case .ready(let p): prepared = p
        case .answered(let response): return .now(response)
        }
        let table = dialect.endpoints
        let method = prepared.request.method
        let path = prepared.request.path == request.path ? pure.segments : EndpointTable.segments(prepared.request.path)
        // Matched outside the lock by `route(_:)`; answered before or after the credential as
        // the table says.
        let match = pure.match ?? table.route(method: method, segments: path)
        var routed: (Endpoint, [String: String])?
        if !table.authenticateFirst {
            switch match {
            case .found(let endpoint, let captures): routed = (endpoint, captures)
            case .problem(let problem): return .now(dialect.render(problem))
            }
        }
        let key: APIKey
        switch credential {
        case .absent: return .now(dialect.refuse(.missing, request))
        case .malformed: return .now(dialect.refuse(.malformed(credential), request))
        case .presented(let secret):
            switch dialect.lookUp(secret, in: world) {
            case .unknown: return .now(dialect.refuse(.unknown(secret), request))
            case .disabled: return .now(dialect.refuse(.disabled(secret), request))
            case .valid(let k): key = k
            }
        }
        if case .limited(let retryAfter) = world.admit(
            key: key.key, dialect: dialect.id, default: dialect.defaultRateLimit(world.setup))
        {
            return .now(dialect.rateLimited(retryAfter: retryAfter, request))
        }
        if routed == nil {
            switch match {
            case .found(let endpoint, let captures): routed = (endpoint, captures)
            case .problem(let problem): return .now(dialect.render(problem))
            }
        }
        let (endpoint, captures) = routed!
        let call = DialectCall(request: prepared.request, key: key, captures: captures, context: prepared.context)
        return endpoint.handler(call, &world)
    }
}
