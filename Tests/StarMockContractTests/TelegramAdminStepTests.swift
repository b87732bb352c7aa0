import Foundation
import StarMockContract
import Testing

@Suite("The runner: telegram's control endpoints as admin steps", .timeLimit(.minutes(1)))
struct TelegramAdminStepTests {
    static func scenario(_ steps: String) -> String {
        """
        name: telegram admin steps
        dialects: [telegram]
        world:
          users:
            - {username: some_user, id: 100000001}
          telegram:
            bots:
              - {token: "123456789:AAstarmock_shop_bot_token_000000", username: shop_bot}
        contract:
          steps:
        \(steps)
        """
    }

    @Test("POST /__admin/telegram/message and /pay run as admin steps; an unknown invoice fails the step with its 404")
    func steps() async throws {
        let dir = try TempDir()
        let options = ContractOptions(client: "true", timeout: .seconds(10), jobs: 1)
        let good = try ContractScenario.load(
            path: try dir.write(
                "telegram/message.yaml",
                Self.scenario(
                    """
                        - admin: {method: POST, path: /__admin/telegram/message, body: {user_id: 100000001, text: /start}}
                    """)))
        let bad = try ContractScenario.load(
            path: try dir.write(
                "telegram/pay.yaml",
                Self.scenario(
                    """
                        - admin: {method: POST, path: /__admin/telegram/pay, body: {user_id: 100000001, link: "https://t.me/$nope"}}
                    """)))
        let reports = await ContractRunner.run([good, bad], options: options)
        #expect(reports[0].status == .passed, "\(reports[0].failures.map(\.headline))")
        #expect(reports[1].status == .failed)
        #expect(reports[1].failures.first?.message.contains("answered 404") == true)
    }
}
