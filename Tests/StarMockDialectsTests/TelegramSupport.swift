import StarMockCore
import StarMockDialects

/// Sends one request to the telegram dialect alone, through the same routing step the server
/// uses (scripted faults included), and returns the response.
func telegramSend(
    _ world: World, _ method: String = "GET", _ target: String, headers: [(String, String)] = [],
    body: String = ""
) -> DialectResponse {
    let request = DialectRequest(method: HTTPMethod(method), target: target, headers: headers, body: Array(body.utf8))
    let routed = world.transact { DialectSet([TelegramBotAPI()]).respond(to: request, in: &$0) }
    guard case .now(let response) = routed.reply else { fatalError("telegram never holds a request") }
    return response
}

let demoToken = TelegramSetup.demoToken

/// A demo world on a virtual clock (so dates and rate windows are fixed).
func telegramWorld(_ change: (inout WorldSetup) -> Void = { _ in }) -> World {
    var setup = WorldSetup.demo
    setup.clock = .virtual
    change(&setup)
    return World(setup)
}
