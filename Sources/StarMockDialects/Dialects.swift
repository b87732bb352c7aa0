import StarMockCore

/// The one list that assembles every dialect StarMock knows, in routing order (the two
/// flagship dialects first). Nothing else in the tree names a dialect outside its own folder.
package enum Dialects {
    /// Every dialect.
    package static let all: [any Dialect] = [Sh4de(), TGMarket(), TelegramBotAPI(), Papaya(), Reseller()]

    /// The dialect with this name.
    package static func named(_ name: String) -> (any Dialect)? { all.first { $0.id.name == name } }

    /// The dialect `starmock bots` runs bots against (`Dialect.hostsBots`).
    package static var bots: any Dialect { all.first { $0.hostsBots }! }
}
