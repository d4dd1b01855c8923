/// The RR types, classes and response codes this server deals in (IANA numbers).
public enum RecordType {
    public static let a: UInt16 = 1
    public static let ns: UInt16 = 2
    public static let cname: UInt16 = 5
    public static let soa: UInt16 = 6
    public static let ptr: UInt16 = 12
    public static let hinfo: UInt16 = 13
    public static let mx: UInt16 = 15
    public static let txt: UInt16 = 16
    public static let aaaa: UInt16 = 28
    public static let srv: UInt16 = 33
    public static let opt: UInt16 = 41
    public static let ixfr: UInt16 = 251
    public static let axfr: UInt16 = 252
    public static let any: UInt16 = 255
}

public enum RecordClass {
    public static let internet: UInt16 = 1
    public static let any: UInt16 = 255
}

public enum ResponseCode {
    public static let noError: UInt8 = 0
    public static let formErr: UInt8 = 1
    public static let servFail: UInt8 = 2
    public static let nxDomain: UInt8 = 3
    public static let notImp: UInt8 = 4
    public static let refused: UInt8 = 5
    /// Extended RCODE 16; the header carries its low 4 bits (0), the OPT record the rest.
    public static let badVers: UInt16 = 16
}
