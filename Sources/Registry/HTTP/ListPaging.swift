import ClusterModel
import Foundation

/// A list's `limit` and `continue` parameters, as Kubernetes reads them: no limit (or one of 0
/// or less) lists everything at once; a continue token is what the previous page returned.
struct ListPaging {
    var limit: Int?
    var cursor: ListCursor?

    init(resource: KubeResource, limit: String?, continue token: String?) throws(RegistryError) {
        if let limit, !limit.isEmpty {
            guard let value = Int(limit) else { throw .badRequest("limit \"\(limit)\" is not a number") }
            self.limit = value > 0 ? value : nil
        }
        if let token, !token.isEmpty {
            guard let cursor = Self.cursor(token, resource: resource) else {
                throw .badRequest("the continue token is not one this registry gave for \(resource.rawValue)")
            }
            self.cursor = cursor
        }
    }

    /// The token a page hands out for the next one: opaque to clients, and bound to the kind.
    static func token(_ cursor: ListCursor, resource: KubeResource) -> String {
        let token = Token(resource: resource.rawValue, cursor: cursor)
        // Strings and integers only: encoding cannot fail.
        return ((try? JSONEncoder().encode(token)) ?? Data()).base64EncodedString()
    }

    private static func cursor(_ token: String, resource: KubeResource) -> ListCursor? {
        guard let data = Data(base64Encoded: token),
            let decoded = try? JSONDecoder().decode(Token.self, from: data), decoded.resource == resource.rawValue
        else { return nil }
        return decoded.cursor
    }

    private struct Token: Codable {
        var resource: String
        var cursor: ListCursor
    }
}
