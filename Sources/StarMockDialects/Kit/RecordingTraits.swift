import StarMockCore

/// What reading a recording of a dialect needs to know of it (`Dialect.recording`): how a
/// credential kept by the journal is presented again, what its answers say of the world
/// (`starmock scenario from`), which body fields hold a purchase's size, and how a fault rule may
/// select its paths. By default: the credential as the API description declares it, nothing
/// read from the answers, no purchase fields, paths kept as recorded.
package struct RecordingTraits: Sendable {
    /// How a request presents its credential. A journal entry keeps the credential, not the
    /// headers: its request is rebuilt with the credential in this scheme (`.path`: nothing to
    /// add, it is in the recorded path).
    package var credential: APIDescription.Security

    /// For a dialect whose credential sits in the path: the pattern a fault rule selects a
    /// recorded path with, the credential's part a `*` (`/bot*/getMe`), or nil when this path
    /// holds no credential. A dialect with one may have `*` in its rules' paths; one without
    /// (nil, the default) has its rules select the recorded path as it is, never a wildcard.
    package var credentialPathPattern: (@Sendable (String) -> String?)?

    /// How its answers show an account's money (balances, orders, prices), for the world a
    /// recording implies; nil: its keys own no inferred account.
    package var answers: RecordedAnswers?

    /// The request-body fields holding a purchase's size, for the contract protocol's
    /// `buy-stars` / `buy-premium` steps; nil: the protocol has no purchase action for it.
    package var purchase: PurchaseFields?

    /// The traits.
    package init(
        credential: APIDescription.Security, credentialPathPattern: (@Sendable (String) -> String?)? = nil,
        answers: RecordedAnswers? = nil, purchase: PurchaseFields? = nil
    ) {
        self.credential = credential
        self.credentialPathPattern = credentialPathPattern
        self.answers = answers
        self.purchase = purchase
    }

    /// The header a recorded credential is presented in again; nil when it is in the path.
    package func credentialHeader(for key: String) -> (name: String, value: String)? {
        switch credential {
        case .header(let name): (name, key)
        case .bearer: ("Authorization", "Bearer \(key)")
        case .path: nil
        }
    }

    /// The name of the header a credential is presented in; nil when it is in the path.
    package var credentialHeaderName: String? { credentialHeader(for: "")?.name }
}

/// What a recorded request of a money dialect is, from its method and path.
package enum RecordedCall: Sendable, Equatable {
    /// The key's balance.
    case balance
    /// The price list.
    case prices
    /// A user lookup; the name as in the path (percent-encoded).
    case user(String)
    /// A purchase: `stars` or `premium`.
    case order(kind: String)
    /// An order's status.
    case status(id: Int)
    /// Anything else.
    case other
}

/// How a money dialect's recorded answers are read.
package struct RecordedAnswers: Sendable {
    /// What a request is, from its method (upper case) and its path's segments.
    package var classify: @Sendable (_ method: String, _ path: [String]) -> RecordedCall
    /// The fields of a balance answer that may hold the balance, in order: the first present
    /// one is read.
    package var balanceFields: [String]
    /// What a price-list answer (`RecordedCall.prices`) says; by default nothing.
    package var prices: @Sendable (JSON?) -> RecordedPrices

    /// A reader.
    package init(
        classify: @escaping @Sendable (_ method: String, _ path: [String]) -> RecordedCall, balanceFields: [String],
        prices: @escaping @Sendable (JSON?) -> RecordedPrices = { _ in RecordedPrices() }
    ) {
        self.classify = classify
        self.balanceFields = balanceFields
        self.prices = prices
    }
}

/// A price list as a recorded answer shows it, its prices as written.
package struct RecordedPrices: Sendable {
    /// The price of one star.
    package var perStar: String?
    /// The smallest star order.
    package var minStars: Int?
    /// Premium prices by months, in the answer's order.
    package var premium: [(Int, String)]

    /// A price list.
    package init(perStar: String? = nil, minStars: Int? = nil, premium: [(Int, String)] = []) {
        self.perStar = perStar
        self.minStars = minStars
        self.premium = premium
    }
}

/// The request-body fields holding a purchase's size.
package struct PurchaseFields: Sendable, Equatable {
    /// A stars purchase's number of stars.
    package var stars: String
    /// A premium purchase's number of months.
    package var premium: String

    /// The fields.
    package init(stars: String, premium: String) {
        self.stars = stars
        self.premium = premium
    }

    /// The field of a purchase of this kind (`stars`, else premium).
    package func field(kind: String) -> String { kind == "stars" ? stars : premium }
}

extension Dialect {
    /// The documented price list, when the dialect has one (`PriceListRule.documented`).
    package var documentedPrices: PriceList? {
        if case .documented(let list) = priceList { list } else { nil }
    }
}
