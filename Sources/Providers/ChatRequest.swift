import Core

/// The fields of a chat-completions request that routing needs, read without building the whole
/// document; the original bytes stay available to forward or splice.
public struct ChatRequest: Sendable {
    /// The validated request body, top level indexed.
    public let scan: JSONObjectScan
    public let model: String
    public let stream: Bool
    /// The client asked for a final usage chunk (`stream_options.include_usage`).
    public let includeUsage: Bool

    /// Validates a request body and reads its routing fields; throws a 400 `GatewayError` naming the offending field.
    /// Message contents are left to the provider to judge.
    public init(body: [UInt8]) throws(GatewayError) {
        let scan: JSONObjectScan
        do {
            scan = try JSONObjectScan(body)
        } catch {
            throw GatewayError.invalidRequest("The request body is not a valid JSON object: \(error).", code: "invalid_json")
        }
        guard let model = scan.value("model")?.stringValue, !model.isEmpty else {
            throw GatewayError.invalidRequest("You must provide a model parameter (a non-empty string).", param: "model")
        }
        guard let messages = scan.range(of: "messages"), Self.isNonEmptyArray(body[messages]) else {
            throw GatewayError.invalidRequest("'messages' must be a non-empty array.", param: "messages")
        }
        var stream = false
        if let value = scan.value("stream"), !value.isNull {
            guard let flag = value.boolValue else { throw GatewayError.invalidRequest("'stream' must be a boolean.", param: "stream") }
            stream = flag
        }
        self.scan = scan
        self.model = model
        self.stream = stream
        self.includeUsage = scan.value("stream_options")?["include_usage"]?.boolValue ?? false
    }

    /// True for `[` followed by at least one element (the scan already validated the syntax).
    static func isNonEmptyArray(_ value: ArraySlice<UInt8>) -> Bool {
        guard value.first == UInt8(ascii: "[") else { return false }
        return value.dropFirst().first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D } != UInt8(ascii: "]")
    }
}
