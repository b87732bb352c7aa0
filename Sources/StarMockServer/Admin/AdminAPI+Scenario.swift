import StarMockCore
import StarMockDialects
import StarMockScenario

extension AdminAPI {
    /// `POST /__admin/scenario` with a scenario's YAML as the body: the world restarts from
    /// it. 200 `{"loaded": NAME}`; 400 `{"error": "scenario:LINE:COL: MESSAGE"}` for a bad
    /// scenario, including one naming a dialect this server does not serve.
    func loadScenario(_ request: DialectRequest) -> DialectResponse {
        guard let text = String(validating: request.body, as: UTF8.self) else {
            return Self.error(400, ScenarioError(file: "scenario", line: 1, column: 1, message: "the body is not UTF-8 text").description)
        }
        let scenario: Scenario
        do {
            scenario = try Scenario.parse(yaml: text, file: "scenario", serving: dialects.names)
        } catch {
            return Self.error(400, error.description)
        }
        restart(to: scenario.setup)
        return Self.ok([("loaded", .string(scenario.name))])
    }
}
