import StarMockCore
import Yams

extension ScenarioContext {
    /// `world.reseller: {packages: {50: "0.85", 100: "1.70", …}}`: the packages that can be
    /// ordered and their wholesale prices; given, the table replaces the standard one whole.
    mutating func reseller(_ node: Node) throws(ScenarioError) {
        let f = try reader.fields(node, "world.reseller", allowed: ["packages"])
        guard let packagesNode = f["packages"] else { return }
        let entries = try reader.anyFields(packagesNode, "packages").entries
        guard !entries.isEmpty else {
            throw reader.error(packagesNode, "\"packages\" must list at least one package (stars: \"price\")")
        }
        var packages: [Int: Money] = [:]
        for entry in entries {
            guard case .scalar(let scalar) = entry.key, scalar.resolvedTagName == .int, let stars = Int(scalar.string),
                (1...Reseller.largestPackage).contains(stars)
            else {
                throw reader.error(
                    entry.key,
                    "packages are keyed by their number of stars (50, 100, …, at most \(Reseller.largestPackage)), not \(reader.describe(entry.key))")
            }
            packages[stars] = try reader.money(entry.value, "packages.\(stars)")
        }
        setup[ResellerSetup.self].packages = packages
    }
}

extension Reseller {
    /// The largest package a scenario may list, in stars.
    static let largestPackage = 1_000_000_000
}
