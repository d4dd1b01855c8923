// A development launcher for the embedded registry alone: flags → RegistryConfiguration →
// RegistryServer. The `clusterdns` executable runs the same server next to DNS; this one exists
// so that the registry and dnsctl can be tested end to end on their own.
import ArgumentParser
import Foundation
import Logging
import Registry
import ServiceLifecycle

@main
struct RegistryDev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry-dev", abstract: "Run the ClusterDNS embedded registry API on its own.")

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
