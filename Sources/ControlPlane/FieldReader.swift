import Core

/// Reads typed fields out of an admin payload, failing with a 422 that names the field.
struct FieldReader {
    let object: [(String, JSONValue)]
    let prefix: String

    /// Parses `body` as a JSON object, refusing fields outside `allowed`.
    init(body: [UInt8], allowed: Set<String>) throws(AdminError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw AdminError(400, "request body is not valid JSON: \(error)")
        }
        guard case .object(let pairs) = document else { throw AdminError(400, "request body must be a JSON object") }
        try self.init(object: pairs, allowed: allowed, prefix: "")
    }

    init(object: [(String, JSONValue)], allowed: Set<String>, prefix: String) throws(AdminError) {
        self.object = object
        self.prefix = prefix
        for (key, _) in object where !allowed.contains(key) {
            throw AdminError.invalid(prefix + key, "unknown field (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// A reader that takes every field of `object` (for documents that carry read-only fields too).
    init(acceptingAll object: [(String, JSONValue)]) {
        self.object = object
        prefix = ""
    }

    func has(_ key: String) -> Bool { object.contains { $0.0 == key } }
    func raw(_ key: String) -> JSONValue? { object.first { $0.0 == key }?.1 }

    /// A present, non-null string, or nil when absent/null.
    func string(_ key: String) throws(AdminError) -> String? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard let text = value.stringValue else { throw AdminError.invalid(prefix + key, "must be a string, got \(value.typeName)") }
        return text
    }

    func requiredString(_ key: String) throws(AdminError) -> String {
        guard let text = try string(key) else { throw AdminError.invalid(prefix + key, "is required") }
        return text
    }

    /// A present, non-null integer within `range`.
    func int(_ key: String, in range: ClosedRange<Int>) throws(AdminError) -> Int? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard let number = value.intValue else { throw AdminError.invalid(prefix + key, "must be an integer, got \(value.typeName)") }
        guard range.contains(number) else { throw AdminError.invalid(prefix + key, "must be between \(range.lowerBound) and \(range.upperBound)") }
        return number
    }

    func bool(_ key: String) throws(AdminError) -> Bool? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw AdminError.invalid(prefix + key, "must be a boolean, got \(value.typeName)") }
        return flag
    }

    func requiredBool(_ key: String) throws(AdminError) -> Bool {
        guard let flag = try bool(key) else { throw AdminError.invalid(prefix + key, "must be a boolean") }
        return flag
    }

    /// A nested object read with its own allowed fields.
    func object(_ key: String, allowed: Set<String>) throws(AdminError) -> FieldReader? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard case .object(let pairs) = value else { throw AdminError.invalid(prefix + key, "must be an object, got \(value.typeName)") }
        return try FieldReader(object: pairs, allowed: allowed, prefix: prefix + key + ".")
    }

    /// A non-negative USD amount with at most six decimals, as micro-dollars.
    func dollars(_ key: String) throws(AdminError) -> Micros? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard case .number(let literal) = value else { throw AdminError.invalid(prefix + key, "must be a number, got \(value.typeName)") }
        guard let amount = Micros(decimal: literal) else {
            throw AdminError.invalid(prefix + key, "must be a non-negative decimal amount with at most 6 fraction digits")
        }
        return amount
    }
}
