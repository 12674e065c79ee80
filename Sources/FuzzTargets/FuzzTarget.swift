import ControlPlane
import Core
import HTTPKit
import Providers

/// The parsers and validators that take untrusted bytes, each wrapped as a fuzz target: the libFuzzer
/// binary (`make fuzz`) and the corpus regression tests run the same code.
///
/// A target fails (traps) on a crash, on an error outside the documented set, or when a property
/// breaks; the main one is split invariance: bytes fed whole or in pieces give the same result.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case httpRequest = "http-request"
    case chunked
    case sse
    case json
    case chatRequest = "chat-request"
    case eventStream = "event-stream"
    case streamOpenAI = "stream-openai"
    case streamAnthropic = "stream-anthropic"
    case streamGemini = "stream-gemini"
    case streamCohere = "stream-cohere"
    case streamOllama = "stream-ollama"
    case streamBedrock = "stream-bedrock"
    case adminPayload = "admin-payload"

    /// Runs the target on one input.
    public func run(_ input: [UInt8]) {
        switch self {
        case .httpRequest: HTTPRequestFuzzing.run(input)
        case .chunked: ChunkedFuzzing.run(input)
        case .sse: SSEFuzzing.run(input)
        case .json: JSONFuzzing.runParser(input)
        case .chatRequest: JSONFuzzing.runChatRequest(input)
        case .eventStream: EventStreamFuzzing.run(input)
        case .streamOpenAI: StreamDecoderFuzzing.run(input, kind: .openai)
        case .streamAnthropic: StreamDecoderFuzzing.run(input, kind: .anthropic)
        case .streamGemini: StreamDecoderFuzzing.run(input, kind: .gemini)
        case .streamCohere: StreamDecoderFuzzing.run(input, kind: .cohere)
        case .streamOllama: StreamDecoderFuzzing.run(input, kind: .ollama)
        case .streamBedrock: StreamDecoderFuzzing.run(input, kind: .bedrock)
        case .adminPayload: AdminPayloadFuzzing.run(input)
        }
    }
}

/// How an input is cut into pieces: every split the harnesses try, derived from the input so a crash
/// reproduces from its bytes alone.
enum Splits {
    /// The input whole, byte by byte, and in pieces of a stride taken from its first byte.
    static func of(_ input: [UInt8]) -> [[ArraySlice<UInt8>]] {
        let stride = 2 + Int(input.first ?? 0) % 61
        return [[input[...]], pieces(input, size: 1), pieces(input, size: stride)]
    }

    static func pieces(_ input: [UInt8], size: Int) -> [ArraySlice<UInt8>] {
        Swift.stride(from: 0, to: input.count, by: size).map { input[$0..<min($0 + size, input.count)] }
    }
}

/// Stops the fuzzer with what differed: a property broke.
func violated(_ what: String, _ whole: Any, _ split: Any) -> Never {
    fatalError("fuzz property violated: \(what)\n  whole: \(whole)\n  split: \(split)")
}
