import Core
import HTTPKit

/// A provider wire format mock-llm speaks: how it authenticates and validates a request the way the
/// real API does, and renders its answer (whole, as stream events, or as an error) in that API's shape.
protocol MockWire: Sendable {
    /// Checks credentials; the error response when they are wrong.
    func authenticate(_ request: HTTPRequest, requiredKey: String) -> HTTPResponse?
    /// Validates the request strictly; the answer plan, or the provider's 400.
    func plan(_ request: HTTPRequest, body: JSONValue) -> Result<MockPlan, MockRefusal>
    func response(_ completion: MockCompletion) -> JSONValue
    /// The whole stream, event by event (already SSE-encoded), ending with the provider's end marker.
    func streamEvents(_ completion: MockCompletion) -> [[UInt8]]
    /// How many of the last events are the stream's trailer (usage, end marker), which a provider sends at once
    /// after the last generated event rather than paced like tokens.
    func trailingEventCount(_ completion: MockCompletion) -> Int
    func errorResponse(status: Int, message: String) -> HTTPResponse
    /// The stream's content type (SSE unless the format says otherwise).
    var streamContentType: String { get }
}

/// The provider's error answer to a request it refuses.
struct MockRefusal: Error {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}

/// What a validated request asks mock-llm for.
struct MockPlan {
    var model: String
    var stream: Bool
    var includeUsage = false
    var promptWords: Int
    /// The tool to call instead of answering with text (the request offers tools and does not yet carry a result).
    var toolToCall: String?
}

extension MockWire {
    var streamContentType: String { "text/event-stream" }
    func trailingEventCount(_ completion: MockCompletion) -> Int { 0 }

    func invalid(_ message: String) -> Result<MockPlan, MockRefusal> { .failure(MockRefusal(errorResponse(status: 400, message: message))) }
}

/// Words in a text, as mock-llm's token count.
func wordCount(_ text: String) -> Int { text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count }

/// A URL path segment with its %XX escapes decoded (model names in paths are percent-encoded).
func percentDecoded(_ segment: Substring) -> String {
    var bytes: [UInt8] = []
    var index = segment.utf8.startIndex
    let utf8 = segment.utf8
    while index < utf8.endIndex {
        if utf8[index] == UInt8(ascii: "%"), let end = utf8.index(index, offsetBy: 3, limitedBy: utf8.endIndex),
           let value = UInt8(String(decoding: utf8[utf8.index(after: index)..<end], as: UTF8.self), radix: 16) {
            bytes.append(value)
            index = end
        } else {
            bytes.append(utf8[index])
            index = utf8.index(after: index)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
