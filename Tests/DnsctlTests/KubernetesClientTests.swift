import Foundation
import Testing

/// The Python interpreter to use: `CLUSTERDNS_PYTHON`, else the `.venv-k8s` that
/// `scripts/setup` makes at the package root, else `python3`.
enum PythonKubernetes {
    static let interpreter: String = {
        if let explicit = ProcessInfo.processInfo.environment["CLUSTERDNS_PYTHON"] { return explicit }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let venv = root.appendingPathComponent(".venv-k8s/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }()

    /// Whether that interpreter can import the official client.
    static let available: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, "-c", "import kubernetes"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}

@Suite("Compatibility with the official Kubernetes Python client")
struct KubernetesClientTests {
    @Test(.enabled(
        if: PythonKubernetes.available,
        "skipped: the Python module kubernetes is missing (scripts/setup installs it in .venv-k8s, or set CLUSTERDNS_PYTHON)"))
    func pythonClientCreatesListsAndWatches() throws {
        let registry = try RegistryProcess()
        defer { registry.stop() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [PythonKubernetes.interpreter, try fixture("kubernetes_client_check.py"), registry.server]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("kubernetes client: ok"), "\(text)")
    }
}
