import Core

/// The fields of a chat-completions request that routing needs, read without building the whole
/// document; the original bytes stay available to forward or splice. A class: the closures of a request's
/// attempts share one instead of each copying its fields.
public final class ChatRequest: Sendable {
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
        guard scan.arrayIsEmpty("messages") == false else {
            throw GatewayError.invalidRequest("'messages' must be a non-empty array.", param: "messages")
        }
        var stream = false
        if let value = scan.value("stream"), !value.isNull {
            guard let flag = value.boolValue else { throw GatewayError.invalidRequest("'stream' must be a boolean.", param: "stream") }
            stream = flag
        }
        try Self.checkNumbers(scan)
        self.scan = scan
        self.model = model
        self.stream = stream
        self.includeUsage = scan.value("stream_options")?["include_usage"]?.boolValue ?? false
    }

    /// The numeric parameters the gateway reads, or that no provider accepts out of range: refused here with a
    /// 400 naming the field, rather than reserved against a budget or sent upstream (a `1e999999` is not a count).
    static let integerRanges: [(name: String, range: ClosedRange<Int>)] = [
        ("max_tokens", 1...Int(Int32.max)), ("max_completion_tokens", 1...Int(Int32.max)), ("n", 1...128), ("top_logprobs", 0...20),
        ("seed", Int(Int64.min)...Int(Int64.max)),
    ]
    static let numberRanges: [(name: String, range: ClosedRange<Double>)] = [
        ("temperature", 0...2), ("top_p", 0...1), ("presence_penalty", -2...2), ("frequency_penalty", -2...2),
    ]

    static func checkNumbers(_ scan: JSONObjectScan) throws(GatewayError) {
        for (name, range) in integerRanges {
            guard let value = scan.value(name), !value.isNull else { continue }
            guard let number = value.intValue, range.contains(number) else {
                throw GatewayError.invalidRequest("'\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound).", param: name)
            }
        }
        for (name, range) in numberRanges {
            guard let value = scan.value(name), !value.isNull else { continue }
            guard let number = value.doubleValue, range.contains(number) else {
                throw GatewayError.invalidRequest("'\(name)' must be a number from \(range.lowerBound) to \(range.upperBound).", param: name)
            }
        }
    }
}
