import ClusterModel
import Foundation
import GRDB

/// Checks an incoming object the way the API server does before anything is written, and fills
/// in what the server owns (name from `generateName`, namespace, defaults, allocated addresses).
enum Admission {
    /// The identity of an object being written.
    struct Identity {
        var namespace: String
        var name: String
        /// Problems with the name, reported together with the other fields' problems.
        var errors: [FieldError] = []
    }

    /// Checks `kind`, `apiVersion`, name and namespace against the request path; sets them.
    static func prepareMetadata(
        _ body: inout JSONValue, _ resource: KubeResource, pathNamespace: String?, pathName: String?
    ) throws(RegistryError) -> Identity {
        guard case .object = body else { throw .badRequest("the request body must be a JSON object") }
        // A field of the wrong type is a bad request, as the API server's decoder makes it.
        for field in ["kind", "apiVersion"] {
            if let value = body[field], value != .null, value.stringValue == nil {
                throw .badRequest("\(resource.kind) in version \"v1\" cannot be handled: \(field) must be a string")
            }
        }
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != resource.kind {
            throw .badRequest("the body is a \(kind) but the path is for \(resource.rawValue)")
        }
        if let version = body["apiVersion"]?.stringValue, !version.isEmpty, version != resource.apiVersion {
            throw .badRequest("apiVersion \(version) is not served for \(resource.rawValue); use \(resource.apiVersion)")
        }
        body["kind"] = .string(resource.kind)
        body["apiVersion"] = .string(resource.apiVersion)
        var metadata = body["metadata"] ?? [:]
        guard case .object = metadata else { throw .badRequest("metadata must be a JSON object") }
        for field in ["name", "namespace", "generateName", "resourceVersion"] {
            if let value = metadata[field], value != .null, value.stringValue == nil {
                throw .badRequest("\(resource.kind) in version \"v1\" cannot be handled: metadata.\(field) must be a string")
            }
        }

        var namespace = ""
        if resource.isNamespaced {
            namespace = pathNamespace ?? "default"
            if let given = metadata["namespace"]?.stringValue, !given.isEmpty, given != namespace {
                throw .badRequest(
                    "the namespace of the object (\(given)) does not match the namespace of the request (\(namespace))")
            }
            metadata["namespace"] = .string(namespace)
        } else {
            metadata["namespace"] = nil
        }

        var name = metadata["name"]?.stringValue ?? ""
        if let pathName, !name.isEmpty, name != pathName {
            throw .badRequest("the name of the object (\(name)) does not match the name in the URL (\(pathName))")
        }
        if name.isEmpty, let pathName { name = pathName }
        if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            name = prefix + randomSuffix()
        }
        guard !name.isEmpty else {
            throw .invalid(resource, name: "", [.required("metadata.name", "name or generateName is required")])
        }
        var identity = Identity(namespace: namespace, name: name)
        if let problem = nameProblem(resource, name) {
            identity.errors.append(.invalid("metadata.name", "\"\(name)\"", problem))
        }
        metadata["name"] = .string(name)
        body["metadata"] = metadata
        return identity
    }

    /// Why `name` is not allowed for this kind, worded like the API server; nil when it is fine.
    static func nameProblem(_ resource: KubeResource, _ name: String) -> String? {
        switch resource {
        case .services:
            return NameRules.isDNS1035Label(name) ? nil : Messages.dns1035
        case .namespaces:
            return NameRules.isDNS1123Label(name) ? nil : Messages.dns1123Label
        case .endpointSlices, .pods:
            return NameRules.isDNS1123Subdomain(name) ? nil : Messages.dns1123Subdomain
        }
    }

    /// Validates the object's kind-specific fields and, for services, reserves their addresses.
    /// `old` is the stored object on update.
    static func admit(
        _ body: inout JSONValue, _ resource: KubeResource, identity: Identity, old: StoredObject?,
        db: Database, cidr: CIDR
    ) throws {
        var errors = identity.errors
        switch resource {
        case .namespaces:
            // Nothing to validate beyond the name, but the body must read as a Namespace: the DNS
            // feed decodes it so, and one it cannot read would stop the feed for every object.
            _ = try decode(Namespace.self, body, resource)
        case .services:
            try ServiceAdmission(identity: identity, cidr: cidr).admit(&body, old: old, db: db)
        case .endpointSlices:
            errors += ObjectValidation.validate(try decode(EndpointSlice.self, body, resource))
        case .pods:
            errors += ObjectValidation.validate(try decode(Pod.self, body, resource))
        }
        if !errors.isEmpty { throw RegistryError.invalid(resource, name: identity.name, errors) }
    }

    /// The typed view of a JSON body; a field of the wrong type is a bad request, as in Kubernetes.
    static func decode<T: Decodable>(_ type: T.Type, _ body: JSONValue, _ resource: KubeResource) throws(RegistryError)
        -> T
    {
        do {
            return try JSONDecoder().decode(T.self, from: RegistryJSON.encode(body))
        } catch {
            throw .badRequest(
                "\(resource.kind) in version \"v1\" cannot be handled as a \(resource.kind): \(RegistryJSON.describe(error))")
        }
    }

    private static func randomSuffix() -> String {
        // The API server's alphabet: no vowels (no words), no look-alike characters.
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}

/// The API server's wording for name rules, so messages look familiar.
enum Messages {
    static let dns1035 =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
        + "character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123'), at most 63 characters"
    static let dns1123Label =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
        + "and end with an alphanumeric character (e.g. 'my-name', or '123-abc'), at most 63 characters"
    static let dns1123Subdomain =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
        + "start and end with an alphanumeric character (e.g. 'example.com'), at most 253 characters"
    static let portRange = "must be between 1 and 65535, inclusive"
    static let protocols = ["SCTP", "TCP", "UDP"]
}
