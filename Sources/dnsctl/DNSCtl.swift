import ArgumentParser
import Foundation
import RegistryClient

/// `dnsctl`: the command line for the ClusterDNS registry. Each command is a thin adapter over
/// `RegistryClient`; the registry does the validation, so every client gets the same errors.
@main
struct DNSCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnsctl",
        abstract: "Manage the services and endpoints that ClusterDNS answers for.",
        usage: "dnsctl [--server URL] [--token T] <subcommand> [options]",
        discussion: """
            --server (env DNSCTL_SERVER, default http://127.0.0.1:8053) and --token (env DNSCTL_TOKEN) \
            may come before or after the subcommand. Exit status 0 on success, 1 with the registry's \
            message on stderr when a request fails.
            """,
        subcommands: [
            AddService.self, DeleteService.self, AddEndpoint.self, RemoveEndpoint.self, Get.self, Apply.self,
            Watch.self, Resolve.self,
        ])

    /// `dnsctl --server URL get services` must work: ArgumentParser reads options only after
    /// the subcommand, so the global `--server`/`--token` given first are moved after it.
    static func main() async {
        await main(ServerOptions.movingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
    }
}

/// `--server` and `--token`, shared by every command, with their environment twins.
struct ServerOptions: ParsableArguments {
    @Option(help: "Registry API URL (env DNSCTL_SERVER; default http://127.0.0.1:8053).")
    var server: String?

    @Option(help: "Bearer token for writes (env DNSCTL_TOKEN).")
    var token: String?

    var resolvedServer: String {
        server ?? ProcessInfo.processInfo.environment["DNSCTL_SERVER"] ?? "http://127.0.0.1:8053"
    }

    /// `[--server U] [--token T] COMMAND ARGS` → `COMMAND [--server U] [--token T] ARGS`.
    static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        var globals: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--server" || argument == "--token", index + 1 < arguments.count {
                globals += [argument, arguments[index + 1]]
                index += 2
            } else if argument.hasPrefix("--server=") || argument.hasPrefix("--token=") {
                globals.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !globals.isEmpty, index < arguments.count else { return arguments }
        return [arguments[index]] + globals + arguments[(index + 1)...]
    }

    var resolvedToken: String? { token ?? ProcessInfo.processInfo.environment["DNSCTL_TOKEN"] }

    /// Runs `body` with a client; a failure is one line on stderr and exit status 1.
    func withClient(_ body: (RegistryClient) async throws -> Void) async throws {
        let client = RegistryClient(server: resolvedServer, token: resolvedToken)
        do {
            try await body(client)
            await client.shutdown()
        } catch {
            await client.shutdown()
            if error is ExitCode || error is CleanExit { throw error }
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }
}

/// `-n NS` / `-A`.
struct NamespaceOptions: ParsableArguments {
    @Option(name: [.short, .customLong("namespace")], help: "Namespace (default: default).")
    var namespace: String = "default"

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Every namespace.")
    var allNamespaces = false

    /// The namespace to query, nil for all.
    var scope: String? { allNamespaces ? nil : namespace }
}

enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("dnsctl: \(message)\n".utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }
}
