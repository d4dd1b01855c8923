import Foundation
import Testing

/// A fresh directory under the system temp dir for one test's manifests, zones or logs.
struct TemporaryDirectory: Sendable {
    let path: String

    init(prefix: String) throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("clusterdns-it-\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `contents` to `name` inside the directory (atomically: the server never reads half a file).
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// An empty directory `name` inside this one; returns its path.
    func subdirectory(_ name: String) throws -> String {
        let directory = path + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func copy(_ source: String, as name: String) throws {
        try FileManager.default.copyItem(atPath: source, toPath: path + "/" + name)
    }

    /// Removes the directory; a failure is recorded as a test issue, not ignored.
    func remove() {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            Issue.record("cannot remove \(path): \(error)")
        }
    }
}
