import Core
import Store

/// Validates provider create/patch payloads and renders provider records.
enum ProviderPayload {
    static let fields: Set<String> = ["name", "kind", "base_url", "api_key_ref", "settings", "rpm", "tpm", "timeouts", "enabled"]
    static let timeoutFields: Set<String> = ["connect_ms", "first_byte_ms", "total_ms", "stream_idle_ms"]
    static let maxTimeoutMillis = 3_600_000
    /// Provider settings: `ca_file` trusts a private CA for the upstream's TLS; `api_version` is Azure's
    /// `api-version` and Anthropic's `anthropic-version`; `region` is the AWS region Bedrock requests are signed for.
    static let settingsFields: Set<String> = ["ca_file", "api_version", "region"]

    /// A new provider from a POST body.
    static func create(_ body: [UInt8], now: Int64) throws(AdminError) -> ProviderRecord {
        let reader = try FieldReader(body: body, allowed: fields)
        var record = ProviderRecord(id: Identifier.make("prv"), name: "", kind: "", baseURL: "", apiKeyRef: nil, createdAt: now, updatedAt: now)
        _ = try reader.requiredString("name")
        _ = try reader.requiredString("kind")
        try apply(reader, to: &record)
        return record
    }

    /// `record` with a PATCH body applied.
    static func patch(_ record: ProviderRecord, _ body: [UInt8], now: Int64) throws(AdminError) -> ProviderRecord {
        let reader = try FieldReader(body: body, allowed: fields)
        var updated = record
        updated.updatedAt = now
        try apply(reader, to: &updated)
        return updated
    }

    private static func apply(_ reader: FieldReader, to record: inout ProviderRecord) throws(AdminError) {
        if reader.has("name") {
            let name = try reader.requiredString("name")
            guard isSlug(name) else {
                throw AdminError.invalid("name", "must be a slug: 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit")
            }
            record.name = name
        }
        if reader.has("kind") {
            let text = try reader.requiredString("kind")
            guard ProviderKind(rawValue: text) != nil else {
                throw AdminError.invalid("kind", "'\(text)' is not one of \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            record.kind = text
        }
        if reader.has("base_url") {
            if let url = try reader.string("base_url") {
                guard isHTTPURL(url) else { throw AdminError.invalid("base_url", "must be an http:// or https:// URL") }
                record.baseURL = url
            } else {
                record.baseURL = ""
            }
        }
        if reader.has("api_key_ref") {
            let reference = try reader.string("api_key_ref")
            if let reference { try SecretReference.validate(reference, field: "api_key_ref") }
            record.apiKeyRef = reference
        }
        if reader.has("settings") {
            guard let settings = reader.raw("settings"), case .object(let pairs) = settings else {
                throw AdminError.invalid("settings", "must be an object")
            }
            let fields = try FieldReader(object: pairs, allowed: settingsFields, prefix: "settings.")
            if let caFile = try fields.string("ca_file"), !caFile.hasPrefix("/") {
                throw AdminError.invalid("settings.ca_file", "must be an absolute path to a PEM bundle")
            }
            if let version = try fields.string("api_version"),
               version.isEmpty || version.utf8.count > 40 || !version.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "&") }) {
                throw AdminError.invalid("settings.api_version", "must be a version string such as 2024-10-21")
            }
            if let region = try fields.string("region"), !isRegion(region) {
                throw AdminError.invalid("settings.region", "must be an AWS region such as us-east-1")
            }
            record.settings = JSONWriter.string(settings)
        }
        try applyDefaultBaseURL(to: &record)
        if reader.has("rpm") { record.rpm = try reader.int("rpm", in: 0...Int(Int32.max)) }
        if reader.has("tpm") { record.tpm = try reader.int("tpm", in: 0...Int(Int32.max)) }
        if reader.has("timeouts") {
            let timeouts = try reader.object("timeouts", allowed: timeoutFields)
            record.connectTimeoutMillis = try timeouts?.int("connect_ms", in: 1...maxTimeoutMillis)
            record.firstByteTimeoutMillis = try timeouts?.int("first_byte_ms", in: 1...maxTimeoutMillis)
            record.totalTimeoutMillis = try timeouts?.int("total_ms", in: 1...maxTimeoutMillis)
            record.streamIdleTimeoutMillis = try timeouts?.int("stream_idle_ms", in: 1...maxTimeoutMillis)
        }
        if reader.has("enabled") { record.enabled = try reader.requiredBool("enabled") }
    }

    /// An empty base URL becomes the kind's default (Bedrock's comes from its region); Bedrock must know
    /// the region it signs for, from `settings.region` or a `bedrock-runtime.<region>.amazonaws.com` URL.
    private static func applyDefaultBaseURL(to record: inout ProviderRecord) throws(AdminError) {
        let kind = ProviderKind(rawValue: record.kind)
        let region = (try? JSONParser.parse(record.settings))?["region"]?.stringValue
        if record.baseURL.isEmpty {
            if kind == .bedrock, let region {
                record.baseURL = "https://bedrock-runtime.\(region).amazonaws.com"
            } else if let fallback = kind?.defaultBaseURL {
                record.baseURL = fallback
            } else {
                throw AdminError.invalid("base_url", kind == .bedrock ? "or settings.region is required for kind 'bedrock'"
                                                                      : "is required for kind '\(record.kind)'")
            }
        }
        if kind == .bedrock && region == nil && AWSSigV4.region(inBedrockURL: record.baseURL) == nil {
            throw AdminError.invalid("settings.region", "is required for kind 'bedrock' when base_url does not name the region")
        }
    }

    static func isRegion(_ text: String) -> Bool {
        (2...32).contains(text.utf8.count) && text.utf8.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    static func isSlug(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, isLowerAlnum(first) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    static func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }

    static func isHTTPURL(_ text: String) -> Bool {
        guard text.hasPrefix("http://") || text.hasPrefix("https://"), text.utf8.count <= 2048 else { return false }
        guard text.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return false }
        let rest = text.drop(while: { $0 != ":" }).dropFirst(3)
        return !rest.isEmpty && rest.first != "/"
    }

    /// The public JSON of a provider (the key reference only, never a key).
    static func render(_ p: ProviderRecord) -> JSONValue {
        let settings = (try? JSONParser.parse(p.settings)) ?? .object([])
        return .object([
            ("id", .string(p.id)), ("name", .string(p.name)), ("kind", .string(p.kind)), ("base_url", .string(p.baseURL)),
            ("api_key_ref", .optional(p.apiKeyRef)), ("settings", settings), ("rpm", .optional(p.rpm)), ("tpm", .optional(p.tpm)),
            ("timeouts", .object([("connect_ms", .optional(p.connectTimeoutMillis)), ("first_byte_ms", .optional(p.firstByteTimeoutMillis)),
                                  ("total_ms", .optional(p.totalTimeoutMillis)), ("stream_idle_ms", .optional(p.streamIdleTimeoutMillis))])),
            ("enabled", .bool(p.enabled)), ("created_at", .string(Timestamp.iso8601(p.createdAt))),
            ("updated_at", .string(Timestamp.iso8601(p.updatedAt))),
        ])
    }
}
