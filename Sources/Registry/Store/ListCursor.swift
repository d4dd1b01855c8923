/// Where the next page of a list starts: after the object `namespace`/`name`, in the state the
/// list's first page showed (`resourceVersion`).
struct ListCursor: Sendable, Equatable, Codable {
    var resourceVersion: Int64
    var namespace: String
    var name: String
}
