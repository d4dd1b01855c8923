import ArgumentParser
import ClusterModel
import Foundation
import RegistryClient

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or update objects from Kubernetes manifests (YAML or JSON).",
        discussion: """
            Namespace, Service, Endpoints (converted to an EndpointSlice), EndpointSlice and Pod are \
            applied; other kinds are skipped with one line each. Missing namespaces are created.
            """)

    @OptionGroup var options: ServerOptions
    @Option(name: [.short, .customLong("filename")], help: "A file, a directory of .yaml/.yml/.json files, or - for stdin.")
    var file: String

    func run() async throws {
        let manifest: Manifest
        do {
            if file == "-" {
                var stdin = Manifest()
                try stdin.add(data: FileHandle.standardInput.readDataToEndOfFile(), source: "stdin")
                manifest = stdin
            } else {
                manifest = try Manifest.load(path: file)
            }
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        try await options.withClient { client in
            for line in try await client.apply(manifest) { print(line) }
        }
    }
}
