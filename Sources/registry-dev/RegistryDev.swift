// A development launcher for the embedded registry alone: flags → RegistryConfiguration →
// RegistryServer. The `clusterdns` executable runs the same server next to DNS; this one exists
// so that the registry and dnsctl can be tested end to end on their own. `registry-dev import`
// fills a data directory in bulk (benchmarks: 100,000 objects before the server starts).
import ArgumentParser
import ClusterModel
import Foundation
import Logging
import Registry
import ServiceLifecycle

@main
struct RegistryDev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry-dev", abstract: "The ClusterDNS embedded registry on its own.",
        subcommands: [Serve.self, Import.self], defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the embedded registry API (the default: `registry-dev --data-dir D` serves).")

    @Option(help: "API listen address HOST:PORT (port 0 picks a free port).")
    var api = "127.0.0.1:8053"

    @Option(help: "Directory for registry.sqlite.")
    var dataDir: String

    @Option(help: "Range cluster IPs are allocated from.")
    var serviceCidr = "10.96.0.0/16"

    @Option(help: "File holding the bearer token that writes must present.")
    var apiTokenFile: String?

    @Option(help: "Events kept for watches that resume from an older resourceVersion.")
    var historyLimit = 1000

    @Option(help: "Seconds between watch bookmarks.")
    var bookmarkInterval = 60.0

    @Option(help: "Most watches open at once.")
    var maxWatchers = 100

    @Option(help: "Largest request body in bytes.")
    var maxBodyBytes = 3 * 1024 * 1024

    func run() async throws {
        guard let cidr = CIDR(parsing: serviceCidr) else {
            throw ValidationError("--service-cidr \(serviceCidr): expected a range such as 10.96.0.0/16")
        }
        var configuration = RegistryConfiguration(
            dataDirectory: dataDir, serviceCIDR: cidr, maxBodyBytes: maxBodyBytes, maxWatchers: maxWatchers,
            historyLimit: historyLimit, bookmarkInterval: .milliseconds(Int(bookmarkInterval * 1000)))
        do {
            try configuration.setAddress(api)
            if let apiTokenFile { try configuration.loadToken(file: apiTokenFile) }
            try configuration.validate()
        } catch {
            throw ValidationError(error.description)
        }
        var logger = Logger(label: "registry-dev")
        logger.logLevel = .info
        let host = configuration.host
        let server = try await RegistryServer(configuration: configuration, logger: logger) { port in
            // One line on stdout that launchers (and tests) wait for.
            FileHandle.standardOutput.write(Data("registry listening on \(host):\(port)\n".utf8))
        }
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store the objects of manifests in a data directory, in large transactions.",
        discussion: """
            FILE is JSON (an object, a v1 List, an array) or YAML (any number of documents), or a \
            directory of .json/.yaml/.yml files. Every Namespace, Service, EndpointSlice, Endpoints \
            (converted to an EndpointSlice) and Pod is validated and admitted exactly as a POST to \
            the registry API would be; refused ones are reported and skipped, the rest are stored. \
            No registry may run on the data directory meanwhile (it is locked). One line per object \
            on stdout (--quiet: only errors), a summary on stderr; exit status 1 when any object \
            was refused.
            """)

    @Option(help: "Directory for registry.sqlite (created when missing).")
    var dataDir: String

    @Option(help: "Range cluster IPs are allocated from and must lie in (the server's --service-cidr).")
    var serviceCidr = "10.96.0.0/16"

    @Option(help: "Events kept for watches that resume from an older resourceVersion.")
    var historyLimit = 1000

    @Option(help: "Objects per transaction.")
    var batchSize = 2000

    @Flag(help: "Replace objects that exist (default: leave them, reported as unchanged).")
    var replace = false

    @Flag(help: "Print only refused objects, not one line per stored object.")
    var quiet = false

    @Argument(help: "Manifest files or directories.")
    var files: [String]

    func run() async throws {
        guard let cidr = CIDR(parsing: serviceCidr) else {
            throw ValidationError("--service-cidr \(serviceCidr): expected a range such as 10.96.0.0/16")
        }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
        let started = ContinuousClock.now
        var entries: [ManifestEntry] = []
        for file in files {
            do {
                entries += try Manifest.entries(path: file)
            } catch {
                FileHandle.standardError.write(Data("registry-dev import: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
        let decoded = ContinuousClock.now
        let configuration = RegistryConfiguration(
            dataDirectory: dataDir, serviceCIDR: cidr, historyLimit: historyLimit)
        var logger = Logger(label: "registry-dev")
        logger.logLevel = .warning
        let summary: RegistryImport.Summary
        do {
            let importer = try await RegistryImport(configuration: configuration, logger: logger)
            let quiet = self.quiet
            var output = BufferedOutput()
            summary = try await importer.run(entries, batchSize: batchSize, replaceExisting: replace) { report in
                switch report.outcome {
                case .failed, .skipped: output.write(report.line)
                default: if !quiet { output.write(report.line) }
                }
            }
            output.flush()
        } catch let error as RegistryConfigurationError {
            FileHandle.standardError.write(Data("registry-dev import: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
        let finished = ContinuousClock.now
        func seconds(_ duration: Duration) -> String {
            let (s, atto) = duration.components
            return String(format: "%.2f", Double(s) + Double(atto) / 1e18)
        }
        let text = """
            registry-dev import: \(entries.count) objects read in \(seconds(decoded - started)) s, \
            stored in \(seconds(finished - decoded)) s (\(summary.transactions) transactions): \
            created=\(summary.created) replaced=\(summary.replaced) unchanged=\(summary.unchanged) \
            failed=\(summary.failed) skipped=\(summary.skipped) resourceVersion=\(summary.resourceVersion)

            """
        FileHandle.standardError.write(Data(text.utf8))
        if summary.failed > 0 { throw ExitCode.failure }
    }
}

/// stdout in large writes: one `write(2)` per line would cost more than the import itself.
private struct BufferedOutput {
    private var buffer = Data()

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 64 * 1024 { flush() }
    }

    mutating func flush() {
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
