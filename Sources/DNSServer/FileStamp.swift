import Foundation

/// What tells a changed file: its inode, size and change times, and for a file that changed
/// moments before it was looked at, its contents.
///
/// Times alone miss edits: the kernel stamps a file with a clock that advances in ticks of
/// several milliseconds (seconds on some file systems), so a tool that rewrites a file twice in
/// one tick, the same length both times, leaves the stamp of the first write. As git does with
/// its "racily clean" index entries, a file whose last change is this recent when it is stamped
/// is also hashed, and compared by contents until a stamp taken later says it is settled.
struct FileStamp: Equatable {
    /// Device, inode, size, modification and status-change times (seconds, nanoseconds);
    /// empty when the file cannot be read.
    private var identity: [Int]
    /// The contents' hash, for a stamp taken within ``racyWindow`` of the file's last change or
    /// taken over from such a stamp; nil otherwise.
    private var digest: Int?

    /// Longer than any file system's timestamp tick (FAT's is 2 s).
    static let racyWindow: Double = 3

    /// The file's stamp now. `previous` is its last one: if that was hashed and nothing else
    /// tells them apart, the contents are compared. Keep the new stamp even when it equals the
    /// previous one: a settled file's stamp drops the hash, and is not read again.
    init(path: String, previous: FileStamp? = nil) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            self.init(path: path, identity: [], changed: 0, previous: previous)
            return
        }
        self.init(
            path: path,
            identity: [
                Int(status.st_dev), Int(status.st_ino), Int(status.st_size), status.st_mtim.tv_sec,
                status.st_mtim.tv_nsec, status.st_ctim.tv_sec, status.st_ctim.tv_nsec,
            ],
            changed: Double(status.st_ctim.tv_sec) + Double(status.st_ctim.tv_nsec) / 1e9, previous: previous)
    }

    /// The stamp of `path` with what `stat` told of it: `identity`, and `changed`, its last
    /// change in seconds since 1970, which `now` (the same) makes racy or settled.
    init(path: String, identity: [Int], changed: Double, previous: FileStamp?, now: Double = Date().timeIntervalSince1970) {
        self.identity = identity
        guard !identity.isEmpty else { return }
        if now - changed < Self.racyWindow {
            digest = Self.hash(path)
        } else if let previous, let earlier = previous.digest, previous.identity == identity {
            // The last stamp was racy and the file has settled since: one more look at the
            // contents, then the times and size say enough again.
            let current = Self.hash(path)
            digest = current == earlier ? nil : current
        }
    }

    /// Whether the contents were hashed (the stamp was taken while the file was racy).
    var isHashed: Bool { digest != nil }

    /// The same file, unchanged: equal identities, and equal contents where both were hashed.
    static func == (lhs: FileStamp, rhs: FileStamp) -> Bool {
        lhs.identity == rhs.identity && (lhs.digest == nil || rhs.digest == nil || lhs.digest == rhs.digest)
    }

    private static func hash(_ path: String) -> Int? {
        guard let contents = FileManager.default.contents(atPath: path) else { return nil }
        var hasher = Hasher()
        contents.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    /// Stamps of a file, or of every file directly in a directory; `previous` are their last ones.
    static func tree(_ path: String, previous: [String: FileStamp]) -> [String: FileStamp] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path: FileStamp(path: path, previous: previous[path])]
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return Dictionary(uniqueKeysWithValues: names.map {
            let file = "\(path)/\($0)"
            return (file, FileStamp(path: file, previous: previous[file]))
        })
    }
}
