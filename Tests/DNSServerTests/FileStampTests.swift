@testable import DNSServer
import Foundation
import Testing

@Suite("Telling a changed zone or manifest file")
struct FileStampTests {
    /// A file of its own, removed after `body`.
    func withFile(_ contents: String, _ body: (String) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "filestamp-\(UUID().uuidString).zone"
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    @Test func anUntouchedFileKeepsItsStamp() throws {
        try withFile("a IN A 192.0.2.1\n") { path in
            let first = FileStamp(path: path)
            #expect(FileStamp(path: path, previous: first) == first)
        }
    }

    /// The modification time put back, the size the same: the status-change time (which no
    /// call can set back) tells, and so do the contents of a file this fresh.
    @Test func aSameSizedEditWithItsOldModificationTimeIsAChange() throws {
        try withFile("a IN A 192.0.2.1\n") { path in
            let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
            let first = FileStamp(path: path)
            try "a IN A 192.0.2.2\n".write(toFile: path, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: try #require(before)], ofItemAtPath: path)
            #expect(FileStamp(path: path, previous: first) != first)
        }
    }

    /// Two writes in one timestamp tick leave the same times and size (`identity` stands for
    /// them): the contents tell, while the file is racy and once more when it has settled.
    @Test func writesInOneTickAreToldApartByContents() throws {
        try withFile("a IN A 192.0.2.1\n") { path in
            let identity = [1, 2, 17, 1_000, 5, 1_000, 5]
            let racy = FileStamp(path: path, identity: identity, changed: 1_000, previous: nil, now: 1_000.5)
            #expect(racy.isHashed)
            try "a IN A 192.0.2.2\n".write(toFile: path, atomically: false, encoding: .utf8)
            #expect(FileStamp(path: path, identity: identity, changed: 1_000, previous: racy, now: 1_001) != racy)
            // Looked at again only after the window: still the contents that tell.
            let settled = FileStamp(path: path, identity: identity, changed: 1_000, previous: racy, now: 1_100)
            #expect(settled != racy)
            #expect(settled.isHashed)
            // Unchanged since: equal, and no longer hashed, so it is not read again.
            let later = FileStamp(path: path, identity: identity, changed: 1_000, previous: settled, now: 1_200)
            #expect(later == settled && !later.isHashed)
            let again = FileStamp(path: path, identity: identity, changed: 1_000, previous: later, now: 1_300)
            #expect(again == later && !again.isHashed)
        }
    }

    @Test func aFileLongSettledIsNotHashed() throws {
        try withFile("a IN A 192.0.2.1\n") { path in
            let stamp = FileStamp(path: path, identity: [1, 2, 17, 1_000, 5, 1_000, 5], changed: 1_000, previous: nil, now: 2_000)
            #expect(!stamp.isHashed)
        }
    }
}
