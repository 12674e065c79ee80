import Core
import HTTPKit

/// Reads an event stream whose events carry JSON in `data:` (Anthropic, Gemini with `alt=sse`),
/// yielding each event's parsed data; comments and empty events are skipped.
struct SSEJSONReader {
    private var splitter = SSEEventSplitter()

    /// The JSON payloads of the events `bytes` completes.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, providerName: String) throws(GatewayError) -> [JSONValue] {
        var payloads: [[UInt8]] = []
        do {
            try splitter.feed(bytes) { event in payloads.append(SSEPayload.data(of: event)) }
        } catch {
            throw StreamFailure.malformed("an event exceeded \(splitter.maxEventBytes) bytes", provider: providerName)
        }
        var values: [JSONValue] = []
        for payload in payloads where !payload.isEmpty {
            guard let value = try? JSONParser.parse(payload) else {
                throw StreamFailure.malformed("an event's data is not JSON", provider: providerName)
            }
            values.append(value)
        }
        return values
    }

    /// True when the stream stopped inside an event.
    var hasPartialEvent: Bool { splitter.hasPartialEvent }
}

/// Errors raised while translating a stream, in the shape the relay sends as the last event.
enum StreamFailure {
    static func malformed(_ why: String, provider: String) -> GatewayError {
        GatewayError(status: 502, type: "api_error", code: "upstream_stream_invalid", message: "Provider '\(provider)' sent a malformed stream: \(why).")
    }
}
