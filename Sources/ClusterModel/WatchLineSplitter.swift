import Foundation

/// Splits a watch response body into its lines: one JSON event each (the Kubernetes watch
/// framing), whatever the chunk boundaries were.
public struct WatchLineSplitter: Sendable {
    private var pending = Data()

    public init() {}

    /// Adds a chunk and returns the complete, non-empty lines it finished.
    public mutating func append(_ chunk: some Sequence<UInt8>) -> [Data] {
        pending.append(contentsOf: chunk)
        var lines: [Data] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[pending.startIndex..<newline]
            if !line.isEmpty { lines.append(Data(line)) }
            pending.removeSubrange(pending.startIndex...newline)
        }
        return lines
    }
}
