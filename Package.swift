// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "ClusterDNS",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "clusterdns", targets: ["clusterdns"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLDNS",
            pkgConfig: "ldns",
            providers: [.apt(["libldns-dev"])]
        ),
        .target(name: "DNSWire", dependencies: ["CLDNS"], swiftSettings: strict),
        .target(
            name: "ClusterModel",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "ClusterZone", dependencies: ["DNSWire", "ClusterModel"], swiftSettings: strict),
        .target(
            name: "DNSServer",
            dependencies: [
                "ClusterZone",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "clusterdns",
            dependencies: [
                "DNSServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire"], swiftSettings: strict),
        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel"], swiftSettings: strict),
        .testTarget(
            name: "ClusterZoneTests",
            dependencies: ["ClusterZone", "DNSWire", "ClusterModel"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DNSServerTests",
            dependencies: [
                "DNSServer", "DNSWire", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "DNSWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
