import ClusterModel
import Foundation
import GRDB
import Logging

/// The registry's durable state in SQLite: objects, the event history watches resume from, the
/// global resourceVersion and the address reservations. Every write is one transaction, and a
/// transaction is acknowledged only after SQLite has synced it (WAL, `synchronous=FULL`).
final class RegistryStore: Sendable {
    let pool: DatabasePool
    let hub: WatchHub
    let serviceCIDR: CIDR
    let historyLimit: Int
    let logger: Logger
    private let lock: DataDirectoryLock

    /// Opens (or creates) `registry.sqlite` in `directory` and brings its schema up to date.
    init(directory: String, serviceCIDR: CIDR, historyLimit: Int, logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        lock = try DataDirectoryLock(directory: directory)
        let path = (directory as NSString).appendingPathComponent("registry.sqlite")
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // Each of the pool's connections (a writer, up to five readers) keeps its own page cache,
        // 2 MB by default, filled as it reads: up to 12 MB of RSS. The file's pages are in the
        // kernel's cache anyway; a small cache each keeps the hot B-tree pages. Measured in the
        // soak at N = 10,000 (one run each): RSS 5 MB lower throughout.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(Self.pageCacheKiB)")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets synchronous=NORMAL with WAL; NORMAL may lose the last commits on power loss.
        // FULL syncs the WAL at every commit, so an acknowledged write survives a crash.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try Self.migrator.migrate(pool)
        self.pool = pool
        self.serviceCIDR = serviceCIDR
        self.historyLimit = max(historyLimit, 1)
        self.logger = logger
        let current = try pool.read { db in try Self.state(db, .resourceVersion) }
        self.hub = WatchHub(resourceVersion: current)
    }

    /// Page cache per connection, KiB.
    static let pageCacheKiB = 512

    /// Closes the database and gives up the data directory, once the API has stopped.
    func close() {
        do {
            try pool.close()
        } catch {
            logger.warning("closing the registry database", metadata: ["error": "\(error)"])
        }
        lock.release()
    }

    /// The SQLite `synchronous` setting of the writer connection (2 = FULL), for tests.
    func synchronousSetting() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The SQLite `cache_size` of the writer and of a reader connection, for tests.
    func pageCacheSettings() throws -> (writer: Int, reader: Int) {
        let sql = "PRAGMA cache_size"
        let writer = try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: sql) ?? 0 }
        let reader = try pool.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
        return (writer, reader)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE objects (
                    resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                    resourceVersion INTEGER NOT NULL, json BLOB NOT NULL,
                    PRIMARY KEY (resource, namespace, name)) WITHOUT ROWID;
                CREATE TABLE events (
                    resourceVersion INTEGER PRIMARY KEY, type TEXT NOT NULL, resource TEXT NOT NULL,
                    namespace TEXT NOT NULL, name TEXT NOT NULL, json BLOB NOT NULL);
                CREATE TABLE state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                CREATE TABLE clusterIPs (ip TEXT PRIMARY KEY, owner TEXT NOT NULL);
                CREATE INDEX clusterIPsByOwner ON clusterIPs (owner);
                CREATE TABLE nodePorts (port INTEGER PRIMARY KEY, owner TEXT NOT NULL);
                CREATE INDEX nodePortsByOwner ON nodePorts (owner);
                """)
        }
        migrator.registerMigration("v2: store identity") { db in
            try setState(db, .storeIdentity, Int64.random(in: 1...Int64.max))
        }
        return migrator
    }

    /// Counters kept in the `state` table.
    enum StateKey: String {
        /// The last resourceVersion handed out.
        case resourceVersion
        /// Every event up to this version has been trimmed from the history.
        case compactedThrough
        /// Where the next cluster IP search starts, so released IPs are not reused soon.
        case clusterIPCursor
        case nodePortCursor
        /// Random, set when the store is created: tells this store from another one that
        /// happens to be at the same resourceVersion.
        case storeIdentity
    }

    static func state(_ db: Database, _ key: StateKey) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = ?", arguments: [key.rawValue]) ?? 0
    }

    static func setState(_ db: Database, _ key: StateKey, _ value: Int64) throws {
        try db.execute(
            sql: "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [key.rawValue, value])
    }

    /// Creates the namespaces every cluster starts with, once, on a new data directory.
    func seedIfEmpty() async throws {
        let isNew = try await pool.read { db in try Self.state(db, .resourceVersion) == 0 }
        guard isNew else { return }
        for name in ["default", "kube-system", "kube-public"] {
            _ = try await create(.namespaces, namespace: nil, body: ["metadata": ["name": .string(name)]])
        }
    }
}
