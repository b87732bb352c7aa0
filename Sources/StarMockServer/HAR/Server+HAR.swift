public import StarMockHAR
import Foundation
import StarMockCore

extension Server {
    /// The journal as a HAR 1.2 archive, URLs on ``baseURL``.
    public func journalHAR() -> HAR {
        let base = baseURL
        return world.read { HAR(journal: $0.journal.entries, baseURL: base) }
    }

    /// Writes ``journalHAR()`` to `path`.
    public func writeJournalHAR(to path: String) throws {
        try Data(journalHAR().text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
