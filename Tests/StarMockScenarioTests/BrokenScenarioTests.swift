import Foundation
import StarMockDialects
import Testing

@testable import StarMockScenario

/// One broken file per diagnostic, each with its exact `file:line:col: message`.
@Suite("Scenario files: diagnostics")
struct BrokenScenarioTests {
    static let known = DialectSet.allNames.joined(separator: ", ")
    static let codes = Sh4de().faultCodes.joined(separator: ", ")
    static let telegramCodes = TelegramBotAPI().faultCodes.joined(separator: ", ")
    static let papayaCodes = Papaya().faultCodes.joined(separator: ", ")
    static let resellerCodes = Reseller().faultCodes.joined(separator: ", ")

    /// (file under Broken/, line, column, message)
    static let cases: [(String, Int, Int, String)] = [
        ("bool-wrong-type.yaml", 5, 39, "\"stars\" must be true or false, not the string \"maybe\""),
        ("clock-unknown.yaml", 3, 8, "\"clock\" must be real, virtual or scaled:N (N > 0, e.g. scaled:10), not \"fast\""),
        ("clock-scale-out-of-range.yaml", 3, 8, "\"clock\": the scale must be from 0.001 to 1000000, not 1000000000.0"),
        ("contract-not-a-mapping.yaml", 3, 11, "\"contract\" must be a mapping, not a list"),
        ("dialect-not-in-scenario.yaml", 7, 34, "unknown dialect \"sh4dee\"; did you mean \"sh4de\"? This scenario's dialects: sh4de"),
        ("dialects-empty.yaml", 2, 11, "\"dialects\" must name at least one dialect (known: \(known))"),
        ("distribution-unknown.yaml", 4, 13, "unknown key \"exponential\" in \"delay\". Allowed: fixed, uniform, normal, lognormal"),
        ("duplicate-api-key.yaml", 8, 13, "key \"sh4de_test\" is declared twice (first at 7:13)"),
        ("duplicate-key.yaml", 4, 1, "duplicate key \"seed\" (first at 3:1): a key may appear once in a mapping"),
        ("duplicate-user.yaml", 6, 18, "user \"Durov\" is declared twice (first at 5:18)"),
        // Two users with one Telegram id would make "the user with this id" depend on order.
        ("duplicate-user-id.yaml", 6, 29, "user id 1006503122 is declared twice (first at 5:29); each Telegram user has an id of their own"),
        ("duration-bad.yaml", 4, 20, "\"pending\" must be a duration like 65s, a distribution like {lognormal: {median: 20s, p99: 2m}}, or never, not \"65 sec\""),
        ("duration-too-long.yaml", 4, 17, "\"wait_timeout\" is too long: at most 277777h (about 31 years), not \"300000h\""),
        ("duration-without-unit.yaml", 4, 17, "\"wait_timeout\" needs a unit: 90s, 90ms or 90m"),
        ("empty.yaml", 1, 1, "the scenario is empty; it needs at least \"name\" and \"dialects\""),
        ("fault-code-of-another-dialect.yaml", 4, 31, "\"reservation_failed\" is not a sh4de error code. Codes: \(codes)"),
        ("fault-code-typo.yaml", 4, 31, "\"CHARGNG_ERROR\" is not a sh4de error code; did you mean \"CHARGING_ERROR\"? Codes: \(codes)"),
        ("fault-key-undeclared.yaml", 9, 34, "key \"sh4de_tset\" is not declared under world.keys; did you mean \"sh4de_test\"?"),
        ("fault-respond-and-transport.yaml", 4, 31, "a fault either responds with an error or breaks the transport, not both"),
        ("fault-without-action.yaml", 4, 5, "a fault needs \"respond: CODE\" (an error of its dialect) or \"transport: …\" (reset, close, garbage, truncate, dribble)"),
        ("faults-not-a-list.yaml", 4, 3, "\"faults\" must be a list (- item lines or [a, b]), not a mapping"),
        ("first-order-id-zero.yaml", 4, 27, "\"first_order_id.sh4de\" must be from 1 to 999999999999, not 0"),
        ("latency-with-phase.yaml", 4, 17, "unknown key \"phase\" in a latency rule. Allowed: dialect, method, path, key, nth, times, probability, from, until, delay"),
        ("lifecycle-unknown-kind.yaml", 4, 3, "unknown key \"star\" in lifecycles; did you mean \"stars\"? Allowed: stars, premium, default"),
        ("lognormal-p99-below-median.yaml", 4, 42, "\"p99\" must not be less than \"median\""),
        ("merge-key.yaml", 5, 6, "YAML merge keys (<<) are not supported in scenarios; write the keys out"),
        ("method-unknown.yaml", 4, 39, "unknown method \"PSOT\"; did you mean \"POST\"? Methods: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"),
        ("missing-dialects.yaml", 1, 1, "missing required key \"dialects\" in the scenario"),
        ("missing-name.yaml", 1, 1, "missing required key \"name\" in the scenario"),
        ("money-negative.yaml", 5, 21, "\"balance\" must not be negative, not \"-1.00\""),
        ("money-three-decimals.yaml", 5, 21, "\"balance\" must be an amount with at most two decimals, like \"25.50\", not \"25.505\""),
        ("money-unquoted.yaml", 5, 21, "\"balance\" must be an amount in quotes, like \"25.50\": write \"25.50\" (a bare number is a YAML float, not exact money)"),
        ("name-not-a-string.yaml", 1, 7, "\"name\" must be a string, not the boolean yes (quote it: \"yes\")"),
        ("not-a-mapping.yaml", 1, 1, "the scenario must be a mapping (key: value lines or {key: value}), not a list"),
        ("nth-zero.yaml", 4, 36, "\"nth\" must be at least 1, not 0"),
        ("outcome-unknown.yaml", 4, 20, "unknown outcome \"complete\"; did you mean \"completed\"? Outcomes: completed, failed, stuck"),
        ("path-double-star-inside.yaml", 4, 23, "\"**\" matches the rest of the path, so it can only be the last segment of \"/api/**/stars\""),
        ("path-unknown-route.yaml", 4, 37, "no sh4de route matches \"/api/v1/ordr/stars\"; did you mean \"/api/v1/order/stars\"? Routes: /api/v1/prices, /api/v1/balance, /api/v1/user/*, /api/v1/order/stars, /api/v1/order/premium, /api/v1/order/*"),
        ("path-with-query.yaml", 4, 37, "a path pattern matches the path without its query: drop \"?wait=true\""),
        ("path-wrong-base.yaml", 4, 37, "sh4de paths start with /api/v1/, not \"/api/v2/stars\""),
        ("premium-months-not-a-number.yaml", 6, 17, "premium prices are keyed by months (3, 6, 12), not the string \"three\""),
        ("probability-above-one.yaml", 4, 37, "\"probability\" must be from 0 to 1, not 1.5"),
        ("rate-limit-missing-limit.yaml", 4, 10, "missing required key \"limit\" in \"rate_limits.sh4de\""),
        ("rate-limit-unknown-key.yaml", 9, 10, "key \"sh4de_live\" is not declared under world.keys"),
        ("rate-limit-zero-window.yaml", 4, 29, "\"window\" must be longer than 0s"),
        ("relative-time-real-clock.yaml", 4, 42, "\"from\": a relative time needs \"start\" when the clock is real (the world would start at the wall time, unknown now); set \"start\" or use an absolute time"),
        ("seed-negative.yaml", 3, 7, "\"seed\" must be a whole number from 0 to 18446744073709551615, not -1"),
        ("start-bad-time.yaml", 3, 8, "\"start\" must be a UTC time like \"2026-03-28 03:00:00\" or \"2026-03-28T03:00:00Z\", not \"2026-13-01 00:00:00\""),
        ("syntax-tab-indent.yaml", 4, 1, "invalid YAML: a tab; YAML indents with spaces only"),
        ("syntax-unclosed-list.yaml", 3, 5, "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 2:11)"),
        ("transport-needs-argument.yaml", 4, 17, "truncate needs a byte count: {truncate: 20}"),
        ("transport-unknown.yaml", 4, 17, "unknown transport fault \"rst\"; did you mean \"reset\"? Transport faults: reset, close, garbage, truncate, dribble"),
        ("truncate-before.yaml", 4, 40, "a truncate fault needs the real response, so it applies only after the world acted: use phase: after (the default for truncate)"),
        ("two-documents.yaml", 3, 1, "a scenario file holds one YAML document; this starts a second"),
        ("uniform-min-above-max.yaml", 5, 40, "\"max\" must not be less than \"min\""),
        ("unit-price-bad.yaml", 5, 23, "\"per_star\" must be a price with at most six decimals, like \"0.013\", not \"0.0000001\""),
        ("unknown-dialect.yaml", 2, 12, "unknown dialect \"sh4d\"; did you mean \"sh4de\"? Known: \(known)"),
        ("unknown-key-no-suggestion.yaml", 4, 31, "unknown key \"colour\" in a fault. Allowed: dialect, method, path, key, nth, times, probability, from, until, respond, transport, phase, respond_verbatim"),
        ("unknown-owner.yaml", 7, 32, "owner \"shp\" has no account; did you mean \"shop\"? Accounts: shop"),
        ("unknown-top-level-key.yaml", 3, 1, "unknown key \"latncy\" in the scenario; did you mean \"latency\"? Allowed: name, description, seed, clock, start, dialects, world, lifecycles, latency, faults, rate_limits, contract, bot_contract"),
        ("bot-contract-unknown-wait.yaml", 5, 21, "\"until\" must be one of ready, invoice, answered, delivered, refunded, canceled-by-bot, settled, not \"answerd\"; did you mean \"answered\"?"),
        ("until-before-from.yaml", 5, 57, "\"until\" (2026-03-28 03:00:30) must be after \"from\" (2026-03-28 03:01:00)"),
        ("user-without-id.yaml", 5, 7, "missing required key \"id\" in a user"),
        ("username-with-at.yaml", 5, 18, "write the username without @: \"durov\""),
        ("weight-zero.yaml", 5, 47, "the weight of \"failed\" must be at least 1, not 0; leave the outcome out to never pick it"),
        // The telegram, papaya and reseller sections and routes.
        ("telegram-bot-duplicate-id.yaml", 7, 17, "bot id 123456789 is used by two bots (first at 6:17); a bot's id is its token's number"),
        ("telegram-fault-code-typo.yaml", 4, 15, "\"TOO_MANY_REQUEST\" is not a telegram error code; did you mean \"TOO_MANY_REQUESTS\"? Codes: \(telegramCodes)"),
        ("telegram-flood-retry-after-fraction.yaml", 4, 33, "\"flood_retry_after\" is sent as whole seconds (retry_after: N): write a whole number of seconds like 5s"),
        ("telegram-nanostar-sign.yaml", 7, 48, "\"nanostar_amount\" has the sign of \"amount\", as the Bot API shows it (-1.5 stars is amount: -1, nanostar_amount: -500000000)"),
        ("telegram-path-method-case.yaml", 4, 40, "no telegram route matches \"/bot*/getmystarbalance\"; did you mean \"/bot*/getMyStarBalance\"? Routes: /bot*/getMe, /bot*/getMyStarBalance, /bot*/getStarTransactions, /bot*/refundStarPayment, /bot*/createInvoiceLink, /bot*/sendInvoice, /bot*/sendMessage, /bot*/answerPreCheckoutQuery, /bot*/editUserStarSubscription, /bot*/getWebhookInfo, /bot*/getUpdates, /bot*/setWebhook, /bot*/deleteWebhook (method names are matched as clients send them, in camelCase)"),
        ("telegram-path-names-token.yaml", 4, 40, "a telegram path pattern does not name a token: write \"/bot*/getMyStarBalance\" and pick the bot with key: TOKEN"),
        ("telegram-rate-limit-in-world.yaml", 5, 5, "telegram's flood limit is set with the other dialects' limits: rate_limits: {telegram: {limit: 30, window: 1s}} (or none)"),
        ("telegram-refunded-twice.yaml", 11, 18, "charge \"stxCharge1\" is refunded twice (first at 10:18)"),
        ("telegram-section-not-served.yaml", 4, 3, "dialect \"telegram\" is not among this scenario's dialects (sh4de); add it to \"dialects\""),
        ("telegram-token-malformed.yaml", 6, 17, "a bot token is <bot id>:<secret>, like 123456789:AAdemo_token; \"my-bot-token\" has no \":\""),
        ("telegram-transaction-without-user.yaml", 8, 13, "missing required key \"user\" in a star transaction with a user (partner: user, the default): a user of world.users or {id: N, first_name: NAME}"),
        ("telegram-user-undeclared.yaml", 9, 78, "user \"some_usr\" is not declared under world.users (or write {id: N, first_name: NAME, username: NAME}); did you mean \"some_user\"?"),
        ("papaya-fault-code.yaml", 4, 15, "\"INTERNAL_SERVER_ERROR\" is not a papaya error code; did you mean \"InternalServerError\"? Codes: \(papayaCodes)"),
        ("papaya-invoice-id-twice.yaml", 10, 14, "invoice 3 is declared twice (first at 9:9)"),
        ("papaya-lapsed-after-start.yaml", 8, 54, "\"lapsed_at\" is after the world starts, but a lapsed subscription is inactive from the start; to lapse it during the run use \"expires_at\""),
        ("papaya-no-application.yaml", 6, 9, "an invoice belongs to an application, the owner of a papaya key: declare one under world.keys ({key: KEY, dialect: papaya, owner: my-app})"),
        ("papaya-owner-unknown.yaml", 7, 17, "no papaya key has owner \"my-ap\", so no client could see this; did you mean \"my-app\"? Papaya applications: my-app"),
        ("papaya-paid-before-created.yaml", 10, 43, "\"at\" must not be before the invoice's created_at"),
        ("papaya-path-unknown.yaml", 4, 42, "no papaya route matches \"/api/invoices\"; did you mean \"/api/invoice\"? Routes: /api/invoice, /api/invoice/*, /api/subscriptions, /api/subscriptions/*"),
        ("papaya-period-unknown.yaml", 7, 32, "unknown period \"Monthly\". Periods: PerDay, PerWeek, PerMonth, PerYear"),
        ("papaya-prices.yaml", 5, 5, "papaya sells nothing at a price list (its prices come with each invoice); remove prices.papaya"),
        ("papaya-rate-zero.yaml", 7, 16, "\"rate\" must be from 0.000001 to 1000000000, as Papaya validates it, not 0"),
        ("papaya-real-clock-needs-created-at.yaml", 7, 9, "missing required key \"created_at\" in an invoice (with a real clock and no \"start\" there is no default)"),
        ("papaya-tx-bad.yaml", 8, 47, "\"tx\" must be 0x and 64 hex digits, not \"0x1234\""),
        ("reseller-fault-code-typo.yaml", 4, 15, "\"SUPPLIER_EROR\" is not a reseller error code; did you mean \"SUPPLIER_ERROR\"? Codes: \(resellerCodes)"),
        ("reseller-key-without-account.yaml", 4, 37, "owner \"shop\" has no account; declare it under world.accounts"),
        ("reseller-package-not-a-number.yaml", 5, 16, "packages are keyed by their number of stars (50, 100, …, at most 1000000000), not the string \"fifty\""),
        ("reseller-package-unquoted.yaml", 5, 20, "\"packages.50\" must be an amount in quotes, like \"25.50\": write \"0.85\" (a bare number is a YAML float, not exact money)"),
        ("reseller-path-unknown.yaml", 4, 37, "no reseller route matches \"/order/*\"; did you mean \"/orders/*\"? Routes: /validate-user, /topup, /orders/*, /balance, /packages"),
        ("reseller-prices.yaml", 5, 5, "reseller prices are its star packages: set world.reseller.packages: {50: \"0.85\", 100: \"1.70\"}"),
    ]

    static var brokenDirectory: URL {
        get throws { try #require(Bundle.module.url(forResource: "Broken", withExtension: nil)) }
    }

    @Test("each broken file gets its diagnostic at the offending node", arguments: cases)
    func diagnostic(file: String, line: Int, column: Int, message: String) throws {
        let url = try Self.brokenDirectory.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let label = "Broken/" + file
        let expected = "\(label):\(line):\(column): \(message)"
        do {
            let scenario = try Scenario.parse(yaml: text, file: label)
            Issue.record("\(file) was accepted as \"\(scenario.name)\"; expected \(expected)")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test("every file under Broken/ has a case, and every case a file")
    func casesMatchFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.brokenDirectory.path)
            .filter { $0.hasSuffix(".yaml") }
        #expect(Set(files) == Set(Self.cases.map(\.0)))
        #expect(Self.cases.count == Set(Self.cases.map(\.0)).count)
    }

    @Test("loading a broken file names it by the path given")
    func loadNamesThePath() throws {
        let path = try Self.brokenDirectory.appendingPathComponent("nth-zero.yaml").path
        #expect(throws: ScenarioError(file: path, line: 4, column: 36, message: "\"nth\" must be at least 1, not 0")) {
            try Scenario.load(path: path)
        }
    }

    @Test("a reader error (bad UTF-8 control character) still has a position")
    func readerError() {
        #expect(throws: ScenarioError(file: "x.yaml", line: 2, column: 7, message: "invalid YAML: control characters are not allowed")) {
            try Scenario.parse(yaml: "name: a\nseed: \u{7}\n", file: "x.yaml")
        }
    }
}

@Suite("Scenario files: every mistake at once")
struct EveryMistakeTests {
    func errors(_ yaml: String) -> String {
        do {
            _ = try Scenario.parse(yaml: yaml, file: "x.yaml")
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test("a missing dialects key and a mistyped seed are both reported, in the order of the file")
    func missingDialectsAndBadSeed() {
        let text = errors("name: two mistakes\nseed: twelve\nclock: fast\n")
        #expect(
            text == """
                x.yaml:1:1: missing required key "dialects" in the scenario
                x.yaml:2:7: "seed" must be a whole number, not the string "twelve"
                x.yaml:3:8: "clock" must be real, virtual or scaled:N (N > 0, e.g. scaled:10), not "fast"
                """)
    }

    @Test("each bad fault of a list is reported; sections that depend on a broken one are named as skipped")
    func listsAndSkipped() {
        let faults = errors(
            """
            name: faults
            dialects: [sh4de]
            faults:
              - {respond: CHARGNG_ERROR}
              - {respond: CHARGING_ERROR, method: FETCH}
              - {respond: CHARGING_ERROR, nth: 0}
            """)
        let lines = faults.split(separator: "\n")
        #expect(lines.count == 3, "\(faults)")
        #expect(lines.map { $0.split(separator: ":")[1] } == ["4", "5", "6"])

        let skipped = errors(
            """
            name: hidden
            dialects: [sh4dee]
            world: {accounts: {shop: {balance: "1.00"}}}
            faults: [{respond: CHARGING_ERROR}]
            """)
        #expect(skipped.hasPrefix("x.yaml:2:12: unknown dialect \"sh4dee\""))
        #expect(skipped.hasSuffix("x.yaml: 2 more sections were not checked, as they depend on what is wrong above: world, faults"))
    }
}
