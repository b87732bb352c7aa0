import Foundation
import StarMockDialects
import Testing

@testable import StarMockScenario

/// The scenario library under `scenarios/<dialect>/` stays valid. Folders of dialects this
/// build does not know (yet) are skipped; they are checked once the dialect is merged.
@Suite("Scenario library")
struct ScenarioLibraryTests {
    /// The repository's `scenarios/` folder, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scenarios")

    /// The dialect folders under `scenarios/`.
    static func folders() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// `(dialect, file name)` for every scenario of a dialect this build knows.
    static func files() -> [String] {
        folders().filter { Dialects.named($0) != nil }.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(folder)/\($0)" }
        }
    }

    @Test("every library scenario of a known dialect reads, says what it reproduces, and serves its folder's dialect", arguments: files())
    func scenario(file: String) throws {
        let path = Self.root.appendingPathComponent(file).path
        let scenario: Scenario
        do {
            scenario = try Scenario.load(path: path)
        } catch {
            Issue.record("\(error)")
            return
        }
        let folder = String(file.prefix { $0 != "/" })
        #expect(scenario.dialects.contains(folder))
        #expect(scenario.description.count >= 20, "\(file) needs a description saying what it reproduces")
    }

    @Test("the library has scenarios for every known dialect it has a folder for")
    func library() {
        let folders = Self.folders()
        #expect(folders.contains("sh4de"))
        for folder in folders where Dialects.named(folder) != nil {
            #expect(Self.files().contains { $0.hasPrefix(folder + "/") }, "scenarios/\(folder) is empty")
        }
    }

    @Test("every sh4de error code of the documented table has a library scenario that scripts or provokes it")
    func sh4deErrorCases() throws {
        let texts = try Self.files().filter { $0.hasPrefix("sh4de/") }.map {
            try String(contentsOf: Self.root.appendingPathComponent($0), encoding: .utf8)
        }
        for code in [
            "MISSING_API_KEY", "INVALID_API_KEY", "KEY_DISABLED", "INSUFFICIENT_BALANCE", "INVALID_MONTHS", "USER_NOT_FOUND",
            "ORDER_NOT_FOUND", "FORBIDDEN", "RATE_LIMIT_EXCEEDED", "CHARGING_ERROR", "SERVICE_UNAVAILABLE",
        ] {
            #expect(texts.contains { $0.contains(code) }, "no sh4de scenario mentions \(code)")
        }
    }

    @Test(
        "the telegram, papaya and reseller libraries have the documented errors and classic incidents",
        arguments: [
            "telegram/flood-control-retry-after", "telegram/invalid-token", "telegram/negative-balance",
            "telegram/refund-already-refunded", "papaya/unpaid-invoice", "papaya/paid-invoice-active-subscription",
            "papaya/lapsed-subscription", "papaya/pagination-past-the-end", "papaya/unauthorized-empty-body",
            "reseller/invalid-user", "reseller/order-processing-then-completed", "reseller/order-failed",
            "reseller/insufficient-balance", "reseller/supplier-error-after-commit",
        ])
    func incident(name: String) throws {
        let scenario = try Scenario.load(path: Self.root.appendingPathComponent(name + ".yaml").path)
        #expect(scenario.contractNode != nil, "\(name) should say what a client must do (contract:)")
    }

    @Test("every scriptable fault code of telegram, papaya and reseller is scripted or provoked by a library scenario")
    func dialectErrorCases() throws {
        for dialect in ["telegram", "papaya", "reseller"] {
            let texts = try Self.files().filter { $0.hasPrefix(dialect + "/") }.map {
                try String(contentsOf: Self.root.appendingPathComponent($0), encoding: .utf8)
            }
            // Provoked rather than scripted: a revoked token, an empty 401, Papaya's 400s and
            // 429, the reseller's limit.
            let provoked = [
                "UNAUTHORIZED": "revoked", "Unauthorized": "enabled: false", "BadRequest": "BadRequest",
                "TooManyRequests": "rate_limits", "NotFound": "NotFound", "RATE_LIMITED": "rate_limits",
                "KEY_DISABLED": "enabled: false", "CHARGE_ALREADY_REFUNDED": "CHARGE_ALREADY_REFUNDED",
                "CHARGE_NOT_FOUND": "CHARGE_NOT_FOUND", "USER_NOT_FOUND": "USER_NOT_FOUND",
                "USER_CANNOT_RECEIVE": "USER_CANNOT_RECEIVE", "ORDER_NOT_FOUND": "ORDER_NOT_FOUND",
                "INSUFFICIENT_BALANCE": "INSUFFICIENT_BALANCE",
            ]
            for code in try #require(Dialects.named(dialect)).faultCodes {
                let needle = provoked[code] ?? code
                #expect(texts.contains { $0.contains(needle) }, "no \(dialect) scenario scripts or provokes \(code)")
            }
        }
    }
}
