import Foundation
import StarMockContract
import StarMockDialects
import StarMockCore

/// Temporary files for tests: scripts, scenarios, reports.
final class TempDir: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("starmock-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var path: String { url.path }

    /// Writes `text` at `name` (directories created) and returns the path.
    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path) }
        return file.path
    }
}

enum Fixtures {
    /// A sh4de scenario with one account `shop` holding `balance`, key `sh4de_test_key`,
    /// user `some_user`, order ids from 47, and `contract` appended under `contract:`.
    static func sh4de(name: String = "test", balance: String = "25.50", extra: String = "", contract: String) -> String {
        """
        name: \(name)
        dialects: [sh4de]
        start: "2026-03-28 03:00:00"
        world:
          accounts:
            shop: {balance: "\(balance)", spent: "8.42", prior_orders: 12}
          keys:
            - {key: sh4de_test_key, label: My Stars Bot, owner: shop}
          users:
            - {username: some_user, id: 100000001}
          first_order_id: {sh4de: 47}
        \(extra)
        contract:
        \(contract.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        """
    }

    /// A small sh4de client in Python. `CLIENT_MODE`: `good` (buys, polls every
    /// `CLIENT_POLL` seconds until final), `double` (places the order twice), `nopoll` (says
    /// completed at once).
    static let pythonClient = #"""
        import json, os, sys, time, urllib.request, urllib.error
        base = os.environ["STARMOCK_BASE_URL"]
        key = os.environ.get("STARMOCK_API_KEY", "")
        action = os.environ["STARMOCK_ACTION"]
        args = json.loads(os.environ["STARMOCK_ARGS"])
        mode = os.environ.get("CLIENT_MODE", "good")
        poll = float(os.environ.get("CLIENT_POLL", "0.05"))

        def call(method, path, body=None):
            data = json.dumps(body).encode() if body is not None else None
            req = urllib.request.Request(base + path, data=data, method=method,
                                         headers={"X-API-Key": key, "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, json.loads(r.read() or b"null")
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read() or b"null")

        def out(obj):
            print(json.dumps(obj))
            sys.exit(0)

        if action == "balance":
            status, body = call("GET", "/api/v1/balance")
            out({"outcome": "completed", "balance": "%.2f" % body["balance_usd"]})
        if action == "buy-stars":
            status, body = call("POST", "/api/v1/order/stars", {"username": args["username"], "quantity": args["quantity"]})
            if mode == "double":
                status, body = call("POST", "/api/v1/order/stars", {"username": args["username"], "quantity": args["quantity"]})
            if status != 200:
                out({"outcome": "rejected", "error": body.get("error") if isinstance(body, dict) else None})
            order = body["order_id"]
            if mode == "nopoll":
                out({"outcome": "completed", "order_id": order, "status": "completed"})
            while True:
                status, body = call("GET", "/api/v1/order/%d" % order)
                if status == 200 and body["status"] in ("completed", "failed"):
                    out({"outcome": body["status"], "order_id": order, "status": body["status"]})
                time.sleep(poll)
        print("unknown action " + action, file=sys.stderr)
        sys.exit(2)
        """#

    /// A journal entry for rule tests.
    static func entry(
        _ sequence: Int, _ method: String, _ target: String, status: Int? = 200, at ms: Int64, answered: Int64? = nil,
        key: String? = "k", dialect: DialectID = "sh4de", fault: String? = nil, retryAfter: String? = nil, body: String = ""
    ) -> JournalEntry {
        let base = WorldSetup.documentedStart
        return JournalEntry(
            sequence: sequence, receivedAt: base.adding(.milliseconds(ms)),
            answeredAt: base.adding(.milliseconds(answered ?? ms)), dialect: dialect, method: method, target: target,
            key: key, requestBody: "", status: status, responseBody: body, fault: fault, retryAfter: retryAfter)
    }

    /// An order for rule tests.
    static func order(_ id: Int, _ state: OrderState, created: Int64 = 0, updated: Int64? = nil, stuck: Bool = false)
        -> ObservedOrder
    {
        let base = WorldSetup.documentedStart
        return ObservedOrder(
            ref: OrderRef(dialect: "sh4de", id: id), state: state, stuck: stuck, createdAt: base.adding(.milliseconds(created)),
            updatedAt: base.adding(.milliseconds(updated ?? created)))
    }

    /// A purchase step for rule tests.
    static func buyStep(_ number: Int = 1) -> ContractStep {
        ContractStep(number: number, action: "buy-stars", dialect: "sh4de", key: "k")
    }

    /// Whether a process is alive (zombies count as dead).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
            return kill(pid, 0) == 0
        }
        guard let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }
}
