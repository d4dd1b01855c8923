// The packet-path fuzz target. Built with `-sanitize=fuzzer` and `-DFUZZING` (scripts/fuzz) it
// is a libFuzzer binary; built normally it replays the inputs named on its command line (the
// seeds and every crash kept as a regression case), so `swift test` can run them.
import Foundation

let target: FuzzTarget
do {
    target = try FuzzTarget()
} catch {
    FileHandle.standardError.write(Data("clusterdns-fuzz: cannot build the test zone: \(error)\n".utf8))
    exit(1)
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// libFuzzer calls back on the thread that started it, the main thread.
let testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 = { data, size in
    MainActor.assumeIsolated { target.run(UnsafeRawBufferPointer(start: data, count: size)) }
    return 0
}
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
#else
var replayed = 0
for path in CommandLine.arguments.dropFirst() {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        FileHandle.standardError.write(Data("clusterdns-fuzz: no such file \(path)\n".utf8))
        exit(1)
    }
    let files = isDirectory.boolValue
        ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
        : [path]
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else { continue }
        data.withUnsafeBytes { target.run($0) }
        replayed += 1
    }
}
print("replayed \(replayed) inputs")
#endif
