import Core
import Glibc
import Providers
import Testing

/// Golden files under `Tests/Fixtures/<provider>/`: canonical request → wire request, wire response →
/// canonical completion, wire stream → canonical chunks, wire error → mapped error. Run with
/// `UPDATE_FIXTURES=1` to rewrite the expected files (then review the diff).
struct Fixtures {
    static let root = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
    let provider: String
    /// The provider folders checked by `TranslationFixtureTests`.
    static let translatedFamilies = ["openai", "anthropic", "gemini", "cohere", "ollama", "bedrock"]

    /// The recorded stream: SSE for most families, NDJSON for Ollama.
    var streamFile: String {
        switch provider {
        case "ollama": return "stream.wire.ndjson"
        case "bedrock": return "stream.wire.eventstream"
        default: return "stream.wire.sse"
        }
    }

    func path(_ name: String) -> String { "/\(Self.root)/Fixtures/\(provider)/\(name)" }

    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return bytes
    }

    func input(_ name: String) throws -> [UInt8] { try #require(Self.read(path(name)), "missing fixture \(path(name))") }

    /// Compares `actual` with the expected JSON file (or writes it when updating).
    func expect(_ actual: JSONValue, matches name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if getenv("UPDATE_FIXTURES") != nil {
            let text = JSONWriter.string(actual) + "\n"
            let file = fopen(path(name), "wb")
            fputs(text, file)
            fclose(file)
            return
        }
        let expected = try JSONParser.parse(try input(name))
        #expect(actual == expected, "\(provider)/\(name) differs:\n\(JSONWriter.string(actual))", sourceLocation: sourceLocation)
    }
}

let canonicalRequest: ChatCompletionRequest = {
    let bytes = Fixtures.read("/\(Fixtures.root)/Fixtures/request.canonical.json")!
    return try! ChatCompletionRequest(json: try! JSONParser.parse(bytes))
}()

let provider = ProviderConfig(id: "p1", name: "upstream", kind: .openai, baseURL: "https://api.example.test/v1/", apiKey: "sk-test",
                              apiKeyProblem: nil, timeouts: UpstreamTimeouts(), enabled: true)

func translator(_ name: String) -> (any ChatTranslator, ProviderConfig) {
    var config = provider
    config.kind = ProviderKind(rawValue: name)!
    // OpenAI-format clients are forwarded as sent; the OpenAI translator serves the other ingresses.
    if config.kind == .openai { return (OpenAITranslator(), config) }
    guard config.kind == .bedrock else { return (chatTranslator(for: config.kind)!, config) }
    // Signed with fixed credentials at a fixed time, so the signature in the golden file is stable.
    config.apiKey = "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    config.baseURL = "https://bedrock-runtime.us-east-1.amazonaws.com"
    return (BedrockTranslator(now: { 1_763_776_800_000 }), config)
}

@Suite struct TranslationFixtureTests {
    @Test(arguments: Fixtures.translatedFamilies)
    func requestTranslation(_ name: String) throws {
        let (translator, config) = translator(name)
        let wire = try translator.wireRequest(canonicalRequest, provider: config, upstreamModel: "upstream-model")
        let headers: JSONValue = .object(wire.headers.fields.map { ($0.name, .string($0.value)) })
        try Fixtures(provider: name).expect(.object([("url", .string(wire.url)), ("headers", headers), ("body", try JSONParser.parse(wire.body))]),
                                            matches: "request.wire.json")
    }

    @Test(arguments: Fixtures.translatedFamilies)
    func responseTranslation(_ name: String) throws {
        let (translator, _) = translator(name)
        let fixtures = Fixtures(provider: name)
        var completion = try translator.completion(from: try fixtures.input("response.wire.json"), model: "upstream-model",
                                                   fallbackID: "req_1", providerName: "upstream")
        completion.created = 0
        try fixtures.expect(completion.json, matches: "response.canonical.json")
    }

    @Test(arguments: Fixtures.translatedFamilies)
    func streamTranslation(_ name: String) throws {
        let (translator, _) = translator(name)
        let fixtures = Fixtures(provider: name)
        let wire = try fixtures.input(fixtures.streamFile)
        // Fed in 7-byte pieces, so events split across reads must come out the same.
        let decoder = translator.streamDecoder(model: "upstream-model", fallbackID: "req_1", providerName: "upstream")
        var chunks: [ChatCompletionChunk] = []
        var offset = 0
        while offset < wire.count {
            let piece = Array(wire[offset..<min(wire.count, offset + 7)])
            chunks += try piece.withUnsafeBytes { raw throws(GatewayError) in try decoder.feed(raw) }
            offset += 7
        }
        chunks += try decoder.finish()
        #expect(decoder.isComplete)
        let usage = try #require(decoder.usage)
        var rendered = chunks.map { chunk -> JSONValue in
            var chunk = chunk
            chunk.created = 0
            return chunk.json
        }
        rendered.append(.object([("final_usage", usage.json)]))
        try fixtures.expect(.array(rendered), matches: "stream.canonical.json")
    }

    @Test(arguments: Fixtures.translatedFamilies)
    func errorMapping(_ name: String) throws {
        let (translator, _) = translator(name)
        let fixtures = Fixtures(provider: name)
        let cases = try JSONParser.parse(try fixtures.input("errors.wire.json"))
        var mapped: [JSONValue] = []
        for entry in cases.arrayValue ?? [] {
            let status = try #require(entry["status"]?.intValue)
            let error = translator.error(status: status, body: JSONWriter.encode(entry["body"] ?? .null), providerName: "upstream")
            mapped.append(.object([("upstream_status", .int(status)), ("status", .int(error.status))] + (error.json.objectValue ?? [])))
        }
        try fixtures.expect(.array(mapped), matches: "errors.mapped.json")
    }
}

/// `POST /v1/messages`: an Anthropic request → the canonical request (shown as OpenAI's JSON); an OpenAI
/// answer and stream (the `openai/` wire files) → Anthropic's message and events.
@Suite struct AnthropicIngressFixtureTests {
    let fixtures = Fixtures(provider: "anthropic-ingress")

    @Test func requestDecoding() throws {
        let request = try AnthropicIngress.request(from: JSONParser.parse(try fixtures.input("request.json")))
        try fixtures.expect(request.openAIJSON(model: request.model), matches: "request.canonical.json")
    }

    @Test func messageEncoding() throws {
        let wire = try Fixtures(provider: "openai").input("response.wire.json")
        let completion = try OpenAITranslator().completion(from: wire, model: "m", fallbackID: "req_1", providerName: "upstream")
        try fixtures.expect(AnthropicIngress.message(from: completion, model: completion.model), matches: "message.json")
    }

    @Test func streamEncoding() throws {
        let wire = try Fixtures(provider: "openai").input("stream.wire.sse")
        let decoder = OpenAITranslator().streamDecoder(model: "m", fallbackID: "req_1", providerName: "upstream")
        let chunks = try wire.withUnsafeBytes { raw throws(GatewayError) in try decoder.feed(raw) }
        let encoder = AnthropicStreamEncoder(id: "msg_1", model: "m")
        let text = String(decoding: encoder.encode(chunks) + encoder.finish(usage: decoder.usage), as: UTF8.self)
        // Each event as {"event": name, "data": payload}, so the golden file is readable JSON.
        let events: [JSONValue] = try text.split(separator: "\n\n").map { event in
            let lines = event.split(separator: "\n")
            #expect(lines.count == 2 && lines[0].hasPrefix("event: ") && lines[1].hasPrefix("data: "))
            return .object([("event", .string(String(lines[0].dropFirst(7)))), ("data", try JSONParser.parse(Array(lines[1].dropFirst(6).utf8)))])
        }
        try fixtures.expect(.array(events), matches: "events.json")
    }
}
