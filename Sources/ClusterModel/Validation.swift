/// Name rules of the Kubernetes API, shared by the manifest loader and the registry.
public enum NameRules {
    /// DNS-1035 label: service names. Lower-case alphanumerics and '-', starts with a letter,
    /// ends alphanumeric, at most 63 characters.
    public static func isDNS1035Label(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLowerLetter(first) else { return false }
        return isLabel(name)
    }

    /// DNS-1123 label: namespace names and hostnames. Like DNS-1035 but may start with a digit.
    public static func isDNS1123Label(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLowerLetter(first) || isDigit(first) else { return false }
        return isLabel(name)
    }

    /// DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters.
    public static func isDNS1123Subdomain(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false)
            .allSatisfy { isDNS1123Label(String($0)) }
    }

    /// A host name an ExternalName may point to: dot-separated labels of letters, digits, '-'
    /// and '_' (case-insensitive), an optional trailing dot, at most 253 characters.
    public static func isHostName(_ name: String) -> Bool {
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard !label.isEmpty, label.utf8.count <= 63 else { return false }
            guard label.utf8.first != UInt8(ascii: "-"), label.utf8.last != UInt8(ascii: "-") else {
                return false
            }
            return label.utf8.allSatisfy { isLowerLetter($0 | 0x20) || isDigit($0) || $0 == 0x2D || $0 == 0x5F }
        }
    }

    private static func isLabel(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 63, let last = bytes.last else { return false }
        guard isLowerLetter(last) || isDigit(last) else { return false }
        return bytes.allSatisfy { isLowerLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerLetter(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
