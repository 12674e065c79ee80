import HTTPKit

/// How mock-llm answers one request: defaults from flags, overridden by `x-mock-*` headers or by
/// `:key=value` directives in the model name (`mock-demo:chunks=50:interval=10:fault=drop`).
struct MockBehaviour: Sendable {
    enum Fault: String, Sendable {
        /// Close the connection without answering.
        case reset
        /// Stream half of the chunks, then close the connection.
        case drop
        /// Send the response head, then nothing.
        case stall
        /// Answer 200 with an error body instead of a completion.
        case errorBody = "error-body"
        /// Answer 200 with a body cut off in the middle of its JSON.
        case malformed
    }

    var latencyMillis: ClosedRange<Int> = 0...0
    var chunks = 8
    var intervalMillis = 20
    var status = 200
    var fault: Fault?
    /// Extra bytes of padding in every streamed word, to make large streams cheaply.
    var padding = 0
    /// When set, answers carry OpenAI-style quota headers: this many requests left of 100, resetting in 30 s.
    var remainingRequests: Int?
    /// A top-level request parameter this model refuses with a 400, as reasoning models refuse `temperature`.
    var refusedParameter: String?

    /// Reads `key=value` settings; unknown keys are ignored.
    mutating func apply(_ key: String, _ value: String) {
        switch key {
        case "latency", "latency-ms":
            let bounds = value.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 1 { latencyMillis = bounds[0]...bounds[0] }
            if bounds.count == 2, bounds[0] <= bounds[1] { latencyMillis = bounds[0]...bounds[1] }
        case "chunks": if let n = Int(value), n >= 0, n <= 10_000_000 { chunks = n }
        case "interval", "interval-ms": if let n = Int(value), n >= 0 { intervalMillis = n }
        case "padding": if let n = Int(value), n >= 0, n <= 1 << 20 { padding = n }
        case "status": if let n = Int(value), (100...599).contains(n) { status = n }
        case "fault": fault = Fault(rawValue: value)
        case "remaining": if let n = Int(value), n >= 0 { remainingRequests = n }
        case "refuse": refusedParameter = value
        default: break
        }
    }

    /// This behaviour with the request's overrides applied.
    func overridden(by headers: HTTPHeaders, model: String) -> MockBehaviour {
        var result = self
        for (name, value) in headers where name.lowercased().hasPrefix("x-mock-") {
            result.apply(String(name.lowercased().dropFirst(7)), value)
        }
        for directive in model.split(separator: ":").dropFirst() {
            let parts = directive.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result.apply(String(parts[0]), String(parts[1])) }
        }
        return result
    }
}
