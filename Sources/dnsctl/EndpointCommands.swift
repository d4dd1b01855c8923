import ArgumentParser
import RegistryClient

struct AddEndpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-endpoint", abstract: "Add an endpoint address to a service's EndpointSlice.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "Service name.") var service: String
    @Option(name: [.short, .customLong("namespace")], help: "Namespace.") var namespace = "default"
    @Option(help: "Endpoint IP address.") var ip: String
    @Option(help: "Endpoint hostname (DNS name <hostname>.<service>.<ns>.svc).") var hostname: String?
    @Option(help: "Name of the pod behind the endpoint.") var pod: String?
    @Flag(name: .customLong("not-ready"), help: "Mark the endpoint not ready.") var notReady = false

    func run() async throws {
        try await options.withClient { client in
            let slice = try await client.addEndpoint(
                service: service, namespace: namespace, ip: ip, hostname: hostname, pod: pod, ready: !notReady)
            print("endpoint \(ip) added to service \(namespace)/\(service) (endpointslice \(slice))")
        }
    }
}

struct RemoveEndpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-endpoint", abstract: "Remove an endpoint address from a service's EndpointSlices.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "Service name.") var service: String
    @Option(name: [.short, .customLong("namespace")], help: "Namespace.") var namespace = "default"
    @Option(help: "Endpoint IP address.") var ip: String

    func run() async throws {
        try await options.withClient { client in
            try await client.removeEndpoint(service: service, namespace: namespace, ip: ip)
            print("endpoint \(ip) removed from service \(namespace)/\(service)")
        }
    }
}
