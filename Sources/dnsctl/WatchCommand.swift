import ArgumentParser
import ClusterModel
import Foundation
import RegistryClient

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print changes to services and endpoint slices as they happen.",
        discussion: "Starts with the current objects (as ADDED), then follows; resumes after a dropped connection.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case services, endpointslices
    }

    @OptionGroup var options: ServerOptions
    @Argument(help: "services or endpointslices (default: both).") var kind: Kind?
    @OptionGroup var scope: NamespaceOptions
    @Flag(name: .customLong("json"), help: "Print each event as the server's JSON line.") var json = false
    @Option(help: "Stop after this many seconds (default: run until interrupted).") var timeout: Int?

    func run() async throws {
        let kinds: [KubeResource] = kind.map { [$0 == .services ? .services : .endpointSlices] } ?? [.services, .endpointSlices]
        let namespace = scope.scope
        let deadline = timeout.map { ContinuousClock.now.advanced(by: .seconds($0)) }
        let printJSON = json
        try await options.withClient { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for resource in kinds {
                    group.addTask {
                        try await follow(client, resource, namespace, deadline, printJSON)
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}

/// Watches one kind until the deadline, resuming from the last version after a dropped
/// connection and starting over (current objects again) after a 410.
private func follow(
    _ client: RegistryClient, _ resource: KubeResource, _ namespace: String?, _ deadline: ContinuousClock.Instant?,
    _ printJSON: Bool
) async throws {
    var position: String?
    var connected = false
    var failures = 0
    while true {
        var remaining: Int?
        if let deadline {
            let left = deadline - .now
            guard left >= .seconds(1) else { return }
            remaining = Int(left.components.seconds)
        }
        do {
            try await client.watch(
                resource, namespace: namespace, resourceVersion: position, timeoutSeconds: remaining
            ) { event in
                connected = true
                failures = 0
                if event.type == "ERROR" {
                    let code = event.object["code"].map { "\($0)" } ?? ""
                    Terminal.note("watch of \(resource.rawValue) restarts: \(event.object["message"]?.stringValue ?? code)")
                    position = nil
                    return false
                }
                if let version = event.resourceVersion { position = version }
                if event.type != "BOOKMARK" { EventPrinter.print(event, resource: resource, json: printJSON) }
                return true
            }
        } catch let error as RegistryClientError {
            // Once the registry has answered, a broken connection is resumed, as any watch
            // client does; a registry that never answered is an error.
            guard connected, failures < 5 else { throw error }
            failures += 1
            Terminal.note("watch of \(resource.rawValue) interrupted (\(error)); resuming")
            try await Task.sleep(for: .milliseconds(200 * failures))
        }
    }
}
