/// `labelSelector` and `fieldSelector` of a list or watch, reduced to the forms clients use:
/// `k=v`, `k==v`, `k!=v`, `k`, `!k` for labels; `metadata.name=` and `metadata.namespace=`.
struct ObjectFilter: Sendable {
    private enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case absent(String)
    }

    private var requirements: [Requirement] = []
    private var name: String?
    private var namespace: String?

    static let everything = ObjectFilter()

    init() {}

    init(labelSelector: String?, fieldSelector: String?) throws(RegistryError) {
        for term in Self.terms(labelSelector) {
            if let range = term.range(of: "!=") {
                requirements.append(.notEquals(String(term[..<range.lowerBound]), String(term[range.upperBound...])))
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                requirements.append(.equals(String(term[..<range.lowerBound]), String(term[range.upperBound...])))
            } else if term.hasPrefix("!") {
                requirements.append(.absent(String(term.dropFirst())))
            } else if term.contains(" ") || term.contains("(") {
                throw .badRequest("labelSelector \"\(term)\": only k=v, k!=v, k and !k are supported")
            } else {
                requirements.append(.exists(term))
            }
        }
        for term in Self.terms(fieldSelector) {
            let parts = term.replacingOccurrences(of: "==", with: "=").split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw .badRequest("fieldSelector \"\(term)\": expected field=value") }
            switch parts[0] {
            case "metadata.name": name = String(parts[1])
            case "metadata.namespace": namespace = String(parts[1])
            default:
                throw .badRequest(
                    "fieldSelector \"\(term)\": only metadata.name and metadata.namespace are supported")
            }
        }
    }

    /// Whether every object matches.
    var isEverything: Bool { requirements.isEmpty && name == nil && namespace == nil }

    func matches(_ object: StoredObject) -> Bool {
        if let name, object.name != name { return false }
        if let namespace, object.namespace != namespace { return false }
        guard !requirements.isEmpty else { return true }
        let labels = object.labels
        return requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .exists(let key): return labels[key] != nil
            case .absent(let key): return labels[key] == nil
            }
        }
    }

    private static func terms(_ selector: String?) -> [String] {
        (selector ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

import Foundation
