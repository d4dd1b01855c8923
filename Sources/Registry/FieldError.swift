/// One thing wrong with one field of an object, worded like the API server's validation.
struct FieldError: Sendable, Hashable {
    enum Kind: String, Sendable {
        case invalid = "FieldValueInvalid"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case unsupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
    }

    var kind: Kind
    /// The field's path: `spec.ports[0].port`.
    var field: String
    var detail: String

    static func invalid(_ field: String, _ value: String, _ detail: String) -> FieldError {
        FieldError(kind: .invalid, field: field, detail: "Invalid value: \(value): \(detail)")
    }

    static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(kind: .required, field: field, detail: detail.isEmpty ? "Required value" : "Required value: \(detail)")
    }

    static func duplicate(_ field: String, _ value: String) -> FieldError {
        FieldError(kind: .duplicate, field: field, detail: "Duplicate value: \(value)")
    }

    static func unsupported(_ field: String, _ value: String, supported: [String]) -> FieldError {
        let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
        return FieldError(
            kind: .unsupported, field: field, detail: "Unsupported value: \"\(value)\": supported values: \(list)")
    }

    static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(kind: .forbidden, field: field, detail: "Forbidden: \(detail)")
    }

    /// `spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`.
    var message: String { "\(field): \(detail)" }
}
