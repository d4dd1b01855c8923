import ClusterModel
@testable import ClusterZone
import DNSWire
import Foundation
import Testing

/// A saved snapshot read back answers byte for byte like the one saved, and a file that is not
/// exactly what this configuration saved is refused whole.
@Suite("Snapshot file")
struct SnapshotFileTests {
    static let identity = "cluster.local ttl 5 / no zone files / store 42"

    /// Seed 5 starts from 400 services, so its shards hold replaced entries saved as they are.
    @Test(arguments: [1, 2, 5])
    func aSavedSnapshotAnswersLikeTheOriginal(seed: UInt64) throws {
        let (snapshot, _, configuration) = try Self.randomCluster(seed: seed)
        try withTemporaryFile { path in
            let annotations = ["position.services": "1234", "position.namespaces": "17"]
            try SnapshotFile.write(snapshot, identity: Self.identity, annotations: annotations, to: path)
            let (restored, readAnnotations) = try SnapshotFile.read(
                path: path, identity: Self.identity, configuration: configuration)
            #expect(readAnnotations == annotations)
            #expect(restored.synced)
            #expect(restored.serial == snapshot.serial)
            #expect(restored.nameCount == snapshot.nameCount)
            #expect(restored.problems == snapshot.problems)
            #expect(restored.autopathClientCount == snapshot.autopathClientCount)
            #expect(restored.byteCount > 0)
            try AnswerComparison.expectSame(restored, snapshot, step: 0)
        }
    }

    /// A restart: a new engine given the same objects takes the saved answers instead of
    /// compiling them, and later changes still update it as if it had compiled them itself
    /// (seed 1 and 2 have aliases into the zone, whose chains must be followed after adoption).
    @Test(arguments: [1, 2, 5])
    func aNewEngineAdoptsASavedSnapshotOfTheSameObjects(seed: UInt64) throws {
        let (saved, state, configuration) = try Self.randomCluster(seed: seed)
        let engine = try SnapshotEngine(configuration: configuration)
        _ = try engine.snapshot(serial: 1, synced: false)
        engine.replace(state: state)
        let adopted = try #require(try engine.adopt(saved, synced: true))
        #expect(adopted.compiledNames == 0)
        #expect(adopted.serial == saved.serial)
        #expect(adopted.problems == saved.problems)
        try AnswerComparison.expectSame(adopted, saved, step: 0)

        var random = SplitMix(seed: seed + 100)
        var current = state
        for step in 1...20 {
            var delta = ClusterDelta()
            RandomCluster.change(&delta, state: current, using: &random)
            current = delta.applied(to: current)
            engine.apply(delta)
            let incremental = try engine.snapshot(serial: saved.serial, synced: true)
            let whole = try SnapshotBuilder(configuration: configuration).build(state: current, serial: incremental.serial)
            try AnswerComparison.expectSame(incremental, whole, step: step)
        }
    }

    @Test func objectsThatDifferAreNotAdopted() throws {
        let (saved, state, configuration) = try Self.randomCluster(seed: 2)
        let engine = try SnapshotEngine(configuration: configuration)
        var extra = ClusterDelta()
        let service = RandomCluster.clusterIP("only-here", "n0", ip: "10.96.9.9")
        extra.services[ClusterDelta.key(service)] = service
        engine.replace(state: extra.applied(to: state))
        #expect(try engine.adopt(saved, synced: true) == nil)
        // Nothing was taken: the engine compiles everything as it would have.
        let built = try engine.snapshot(serial: 9, synced: true)
        #expect(built.nameCount > saved.nameCount)
        #expect(built.compiledNames == built.nameCount)
    }

    @Test func anotherIdentityIsRefused() throws {
        let (snapshot, _, configuration) = try Self.randomCluster(seed: 3)
        try withTemporaryFile { path in
            try SnapshotFile.write(snapshot, identity: Self.identity, annotations: [:], to: path)
            let error = #expect(throws: SnapshotFileError.self) {
                _ = try SnapshotFile.read(path: path, identity: Self.identity + " changed", configuration: configuration)
            }
            #expect(error?.description.contains("another configuration") == true)
        }
    }

    /// Every cut of the file and a flipped byte anywhere in it: an error, never a crash.
    @Test func aDamagedFileIsRefused() throws {
        let (snapshot, _, configuration) = try Self.randomCluster(seed: 4)
        try withTemporaryFile { path in
            try SnapshotFile.write(snapshot, identity: Self.identity, annotations: ["a": "b"], to: path)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            var random = SplitMix(seed: 9)
            for length in Set([0, 7, 8, 30, bytes.count / 2, bytes.count - 8, bytes.count - 1]
                + (0..<20).map { _ in Int.random(in: 0..<bytes.count, using: &random) })
            {
                try bytes.prefix(length).write(to: URL(fileURLWithPath: path))
                #expect(throws: SnapshotFileError.self, "cut at \(length)") {
                    _ = try SnapshotFile.read(path: path, identity: Self.identity, configuration: configuration)
                }
            }
            for _ in 0..<40 {
                var damaged = bytes
                let offset = Int.random(in: 0..<bytes.count, using: &random)
                damaged[offset] ^= UInt8.random(in: 1...255, using: &random)
                try damaged.write(to: URL(fileURLWithPath: path))
                #expect(throws: SnapshotFileError.self, "byte \(offset) flipped") {
                    _ = try SnapshotFile.read(path: path, identity: Self.identity, configuration: configuration)
                }
            }
            try (bytes + [0]).write(to: URL(fileURLWithPath: path))
            #expect(throws: SnapshotFileError.self) { _ = try SnapshotFile.read(path: path, identity: Self.identity, configuration: configuration) }
        }
    }

    /// Behind the checksum, the last line of defence: a shard whose indexes leave their arrays
    /// (a bug in a writer, say) is refused, index by index.
    @Test func aShardWhoseIndexesLeaveTheirArraysIsRefused() throws {
        let snapshot = try Self.randomCluster(seed: 5).snapshot
        let shard = try #require(snapshot.shards.max { $0.entries.count < $1.entries.count })
        let zones = snapshot.zones.count
        #expect(shard.isConsistent(zoneCount: zones))
        func with(
            entries: [NameEntry]? = nil, types: [TypeAnswer]? = nil, answers: [CompiledAnswer]? = nil,
            bytes: [UInt8]? = nil
        ) -> ZoneShard {
            ZoneShard(
                table: shard.table, entries: entries ?? shard.entries, types: types ?? shard.types,
                answers: answers ?? shard.answers, bytes: bytes ?? shard.bytes, cuts: shard.cuts,
                externalTargets: shard.externalTargets, removed: shard.removed)
        }
        var entries = shard.entries
        entries[0].zone = UInt16(zones)
        #expect(!with(entries: entries).isConsistent(zoneCount: zones))
        entries = shard.entries
        entries[0].typesCount = UInt16(shard.types.count + 1)
        #expect(!with(entries: entries).isConsistent(zoneCount: zones))
        var types = shard.types
        types[0].answer = UInt32(shard.answers.count)
        #expect(!with(types: types).isConsistent(zoneCount: zones))
        var answers = shard.answers
        answers[0].whole.bodyLength = UInt32(shard.bytes.count + 1)
        #expect(!with(answers: answers).isConsistent(zoneCount: zones))
        #expect(!with(bytes: []).isConsistent(zoneCount: zones))
        #expect(NameTable(slots: [Int32](repeating: 5, count: 16), arena: [], starts: [], lengths: []) == nil)
    }

    /// A compact SRV answer (``CompactTargets``) is walked for the name that gives it: a target
    /// pointer past that name, or records that do not add up to the answer's length, are refused.
    @Test func aCompactServiceAnswerThatLeavesItsNameIsRefused() throws {
        let snapshot = try Self.randomCluster(seed: 5).snapshot
        let zones = snapshot.zones.count
        let (shard, index) = try #require(snapshot.shards.lazy.compactMap { shard in
            shard.answers.firstIndex { $0.compactTargets }.map { (shard, $0) }
        }.first)
        #expect(shard.isConsistent(zoneCount: zones))
        func with(_ change: (inout [UInt8], inout CompiledAnswer) -> Void) -> ZoneShard {
            var (bytes, answers) = (shard.bytes, shard.answers)
            change(&bytes, &answers[index])
            return ZoneShard(
                table: shard.table, entries: shard.entries, types: shard.types, answers: answers, bytes: bytes,
                cuts: shard.cuts, externalTargets: shard.externalTargets, removed: shard.removed)
        }
        // The first SRV record's target pointer: the record starts with the owner's pointer
        // (2), then 10 fixed octets and 6 of priority, weight and port; the target's labels
        // come before its pointer.
        let start = Int(shard.answers[index].bodyStart)
        var pointer = start + 18
        while shard.bytes[pointer] & 0xC0 == 0 { pointer += 1 + Int(shard.bytes[pointer]) }
        #expect(!with { bytes, _ in bytes[pointer + 1] = 0xFF }.isConsistent(zoneCount: zones))
        #expect(!with { _, answer in answer.whole.bodyLength += 1 }.isConsistent(zoneCount: zones))
        #expect(!with { bytes, _ in bytes.removeLast(bytes.count - pointer) }.isConsistent(zoneCount: zones))
    }

    @Test func aMissingFileOrAnUnsyncedSnapshotIsAnError() throws {
        #expect(throws: SnapshotFileError.self) {
            _ = try SnapshotFile.read(
                path: "/nonexistent/clusterdns-snapshot", identity: Self.identity,
                configuration: ZoneConfiguration(zone: DNSName("cluster.local")))
        }
        let unsynced = try ZoneSnapshot.unsynced(configuration: ZoneConfiguration(zone: DNSName("cluster.local")))
        try withTemporaryFile { path in
            #expect(throws: SnapshotFileError.self) {
                try SnapshotFile.write(unsynced, identity: Self.identity, annotations: [:], to: path)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    /// A snapshot after 30 random changes (aliases, headless services, pods for autopath),
    /// with the objects and configuration it was made from.
    static func randomCluster(seed: UInt64) throws -> (snapshot: ZoneSnapshot, state: ClusterState, configuration: ZoneConfiguration) {
        var random = SplitMix(seed: seed)
        let (engine, initial, configuration) = try RandomCluster.engine(seed: seed, serial: 3)
        var state = initial
        for _ in 0..<30 {
            var delta = ClusterDelta()
            RandomCluster.change(&delta, state: state, using: &random)
            state = delta.applied(to: state)
            engine.apply(delta)
            _ = try engine.snapshot(serial: 4, synced: true)
        }
        return (try engine.snapshot(serial: 5, synced: true), state, configuration)
    }

    private func withTemporaryFile(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("clusterdns-snapshot-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory.appendingPathComponent("snapshot").path)
    }
}
