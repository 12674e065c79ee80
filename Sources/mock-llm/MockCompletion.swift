import Core

/// The deterministic answer mock-llm gives: `chunkCount` words (or one tool call), whole or streamed.
struct MockCompletion: Sendable {
    let model: String
    let promptTokens: Int
    let chunkCount: Int
    let includeUsage: Bool
    /// Appended to every word (see `MockBehaviour.padding`).
    let padding: String
    /// When set, the answer is a call to this tool (arguments `toolArguments`) instead of text.
    var toolCall: String? = nil
    static let toolArguments = #"{"query":"mock"}"#
    /// The tool arguments as streamed: two pieces that join to `toolArguments`.
    static let toolArgumentPieces = [#"{"query":"#, #""mock"}"#]
    static let toolCallID = "call_mock1"
    let id = Identifier.make("chatcmpl")
    let created = Int(Timestamp.nowMillis() / 1000)

    func word(_ index: Int) -> String { (index == 0 ? "Hello" : " word\(index)") + padding }

    /// The whole answer text.
    var text: String { (0..<chunkCount).map(word).joined() }

    /// The completion's token count: one per word, or one per argument piece of a tool call.
    var outputTokens: Int { toolCall == nil ? chunkCount : Self.toolArgumentPieces.count }
}
