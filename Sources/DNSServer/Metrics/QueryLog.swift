import Logging
import NIOCore

/// `--log-queries`: one line per answered query, in a stable order of space-separated fields
/// (like CoreDNS's log plugin):
///
///     CLIENT PROTO QNAME QTYPE RCODE FLAGS SIZE DURATION_US
///     127.0.0.1:40155 udp web.default.svc.cluster.local. A NOERROR qr,aa,rd 98 14
///
/// SIZE is the response in bytes, DURATION_US the microseconds from the query's arrival to
/// its response being written. Only built when the flag is on: off, the query path checks one
/// optional and nothing else.
struct QueryLog: Sendable {
    let logger: Logger

    func record(
        client: SocketAddress?, transport: QueryTransport, response: UnsafeRawBufferPointer, nanoseconds: UInt64
    ) {
        let type = ResponseFields.questionType(response)
        let fields = [
            Self.describe(client), transport == .udp ? "udp" : "tcp", ResponseFields.name(response),
            DNSMnemonics.type(type), DNSMnemonics.rcode(ResponseFields.rcode(response)), ResponseFields.flags(response),
            String(response.count), String(nanoseconds / 1000),
        ]
        logger.info("\(fields.joined(separator: " "))")
    }

    func record(client: SocketAddress?, transport: QueryTransport, response: [UInt8], nanoseconds: UInt64) {
        response.withUnsafeBytes { record(client: client, transport: transport, response: $0, nanoseconds: nanoseconds) }
    }

    private static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return "-" }
        let port = address.port ?? 0
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

/// Names of DNS numbers, as the query log and the metrics write them.
public enum DNSMnemonics {
    /// A query type's mnemonic (`A`, `SRV`), `TYPE<n>` for the others.
    public static func type(_ type: UInt16) -> String {
        switch type {
        case 0: "-"
        case 1: "A"
        case 2: "NS"
        case 5: "CNAME"
        case 6: "SOA"
        case 12: "PTR"
        case 15: "MX"
        case 16: "TXT"
        case 28: "AAAA"
        case 33: "SRV"
        case 41: "OPT"
        case 65: "HTTPS"
        case 255: "ANY"
        default: "TYPE\(type)"
        }
    }

    /// An rcode's RFC 1035/2136 mnemonic, as CoreDNS labels them; `RCODE<n>` for the others.
    public static func rcode(_ rcode: Int) -> String {
        switch rcode {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        default: "RCODE\(rcode)"
        }
    }
}
