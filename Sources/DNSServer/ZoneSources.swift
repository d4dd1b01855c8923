import ClusterModel
import ClusterZone
import DNSWire
import Foundation
import Logging

/// The files a snapshot is built from: static zone files and, optionally, manifests. Each is
/// re-read when it changes (``FileStamp``); a file that fails to parse is reported
/// with its line and the last good version keeps serving.
actor ZoneSources {
    private let zonesDirectory: String
    private let manifestsPath: String?
    private let logger: Logger
    private var zones: [String: (stamp: FileStamp, zone: StaticZone?)] = [:]
    private var manifestStamp: [String: FileStamp] = [:]
    private(set) var state = ClusterState()
    private var warnedMissingDirectory = false

    init(zonesDirectory: String, manifests: String?, logger: Logger) {
        self.zonesDirectory = zonesDirectory
        self.manifestsPath = manifests
        self.logger = logger
    }

    nonisolated var hasManifests: Bool { manifestsPath != nil }

    var staticZones: [StaticZone] {
        zones.keys.sorted().compactMap { zones[$0]?.zone }
    }

    /// Re-reads what changed; true when the served data may differ.
    func refresh() throws(ManifestError) -> Bool {
        let manifestsChanged = try refreshManifests()
        return refreshZones() || manifestsChanged
    }

    private func refreshZones() -> Bool {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: zonesDirectory)
        } catch {
            // Running without static zones is normal; say so once, not at every poll.
            if !warnedMissingDirectory {
                logger.notice("no static zones: cannot read --zones-dir", metadata: ["zone.dir": "\(zonesDirectory)"])
                warnedMissingDirectory = true
            }
            names = []
        }
        let paths = Set(names.filter { $0.hasSuffix(".zone") }.map { zonesDirectory + "/" + $0 })
        var changed = false
        for path in zones.keys where !paths.contains(path) {
            zones[path] = nil
            logger.info("zone file removed", metadata: ["zone.file": "\(path)"])
            changed = true
        }
        for path in paths.sorted() {
            let stamp = FileStamp(path: path, previous: zones[path]?.stamp)
            guard zones[path]?.stamp != stamp else {
                zones[path]?.stamp = stamp
                continue
            }
            let previous = zones[path]?.zone
            let fileName = (path as NSString).lastPathComponent
            do {
                let origin = try DNSName(String(fileName.dropLast(".zone".count)))
                let zone = try StaticZone.load(path: path, origin: origin)
                zones[path] = (stamp, zone)
                logger.info("zone loaded", metadata: ["zone.file": "\(path)", "zone.records": "\(zone.records.count)"])
                changed = true
            } catch {
                zones[path] = (stamp, previous)
                logger.error(
                    "zone file not loaded, \(previous == nil ? "not served" : "previous version keeps serving")",
                    metadata: ["zone.file": "\(path)", "error": "\(error)"])
            }
        }
        return changed
    }

    private func refreshManifests() throws(ManifestError) -> Bool {
        guard let manifestsPath else { return false }
        let stamps = FileStamp.tree(manifestsPath, previous: manifestStamp)
        guard stamps != manifestStamp else {
            manifestStamp = stamps
            return false
        }
        let first = manifestStamp.isEmpty
        do {
            let manifest = try Manifest.load(path: manifestsPath)
            manifestStamp = stamps
            state = manifest.state
            for line in manifest.skipped { logger.notice("\(line)") }
            logger.info("manifests loaded", metadata: [
                "manifests": "\(manifestsPath)", "services": "\(state.services.count)",
                "endpointslices": "\(state.endpointSlices.count)",
            ])
            return true
        } catch {
            // At start-up there is nothing to keep serving: the caller reports and exits.
            if first { throw error }
            manifestStamp = stamps
            logger.error("manifests not reloaded, previous objects keep serving", metadata: ["error": "\(error)"])
            return false
        }
    }
}
