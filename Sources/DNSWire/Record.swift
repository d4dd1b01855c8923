/// One resource record of class IN, held as plain Swift values until ldns encodes it.
/// 32 bytes: a large cluster's model holds a million of them (the TTL after the data packs
/// into the data's tail padding; the rare wide cases are boxed).
public struct Record: Sendable, Hashable {
    public var owner: DNSName
    public var data: RData
    public var ttl: UInt32

    public init(owner: DNSName, ttl: UInt32, data: RData) {
        self.owner = owner
        self.ttl = ttl
        self.data = data
    }

    public var type: UInt16 { data.type }
}

/// Record data. The common types are typed; anything else read from a zone file keeps its
/// presentation text and is re-read by ldns when it is encoded.
public enum RData: Sendable, Hashable {
    case a(AddressBytes)
    case aaaa(AddressBytes)
    case cname(DNSName)
    case ptr(DNSName)
    case ns(DNSName)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    case txt([String])
    indirect case hinfo(cpu: String, os: String)
    indirect case soa(SOAData)
    indirect case text(type: UInt16, presentation: String)

    public var type: UInt16 {
        switch self {
        case .a: return RecordType.a
        case .aaaa: return RecordType.aaaa
        case .cname: return RecordType.cname
        case .ptr: return RecordType.ptr
        case .ns: return RecordType.ns
        case .srv: return RecordType.srv
        case .txt: return RecordType.txt
        case .hinfo: return RecordType.hinfo
        case .soa: return RecordType.soa
        case .text(let type, _): return type
        }
    }

    /// The octets of an A or AAAA record.
    public var address: AddressBytes? {
        switch self {
        case .a(let bytes), .aaaa(let bytes): return bytes
        default: return nil
        }
    }

    /// The name this record points at, for additional-section processing and CNAME chasing.
    public var target: DNSName? {
        switch self {
        case .cname(let name), .ptr(let name), .ns(let name): return name
        case .srv(_, _, _, let target): return target
        default: return nil
        }
    }
}

public struct SOAData: Sendable, Hashable {
    public var mname: DNSName
    public var rname: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32

    public init(
        mname: DNSName, rname: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32,
        expire: UInt32, minimum: UInt32
    ) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}
