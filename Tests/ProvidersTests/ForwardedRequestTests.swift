import Core
import Providers
import Testing

@Suite("Forwarded OpenAI requests")
struct ForwardedRequestTests {
    func forwarded(_ json: String, upstreamModel: String = "up") throws -> (body: JSONValue, addedUsage: Bool) {
        let request = try ChatRequest(body: Array(json.utf8))
        let (wire, added) = OpenAIAdapter.wireRequest(request, provider: provider, upstreamModel: upstreamModel)
        return (try JSONParser.parse(wire.body), added)
    }

    @Test("messages must be a non-empty array: absent, empty or not an array is a 400 naming it")
    func messagesChecked() throws {
        for messages in ["", #","messages":[]"#, #","messages":[ \#n ]"#, #","messages":{}"#, #","messages":"hi""#, #","messages":null"#] {
            do {
                _ = try ChatRequest(body: Array(#"{"model":"m""#.utf8) + Array(messages.utf8) + [125])
                Issue.record("accepted \(messages)")
            } catch {
                #expect(error.status == 400 && error.json["error"]?["param"]?.stringValue == "messages", "\(messages)")
            }
        }
        #expect(try ChatRequest(body: Array(#"{"model":"m","messages":[ {"role":"user","content":"x"}]}"#.utf8)).model == "m")
    }

    @Test("a stream without stream_options asks for usage; the client's options are kept beside it; one that asked is left alone")
    func streamUsage() throws {
        let plain = try forwarded(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(plain.addedUsage)
        #expect(plain.body["stream_options"] == .object([("include_usage", .bool(true))]))
        #expect(plain.body["model"]?.stringValue == "up")

        let withOptions = try forwarded(#"{"model":"m","stream":true,"stream_options":{"include_obfuscation":false},"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(withOptions.addedUsage)
        #expect(withOptions.body["stream_options"]?["include_obfuscation"] == .bool(false))
        #expect(withOptions.body["stream_options"]?["include_usage"] == .bool(true))

        let asked = try forwarded(#"{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#, upstreamModel: "m")
        #expect(!asked.addedUsage)
        #expect(asked.body["stream_options"] == .object([("include_usage", .bool(true))]))

        let unstreamed = try forwarded(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(!unstreamed.addedUsage)
        #expect(unstreamed.body["stream_options"] == nil)
    }
}
