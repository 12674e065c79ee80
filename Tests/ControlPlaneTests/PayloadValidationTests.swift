@testable import ControlPlane
import Store
import Testing

func body(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("Admin payload validation")
struct PayloadValidationTests {
    static let badProviders: [(String, Int, String?)] = [
        ("not json", 400, nil),
        ("[1]", 400, nil),
        (#"{"kind":"openai"}"#, 422, "name"),
        (#"{"name":"Bad Name","kind":"openai"}"#, 422, "name"),
        (#"{"name":"a","kind":"nope"}"#, 422, "kind"),
        (#"{"name":"a","kind":"openai","colour":"red"}"#, 422, "colour"),
        (#"{"name":"a","kind":"openai_compatible"}"#, 422, "base_url"),
        (#"{"name":"a","kind":"openai","base_url":"ftp://x"}"#, 422, "base_url"),
        (#"{"name":"a","kind":"openai","api_key_ref":"sk-live-123"}"#, 422, "api_key_ref"),
        (#"{"name":"a","kind":"openai","api_key_ref":"file:relative"}"#, 422, "api_key_ref"),
        (#"{"name":"a","kind":"openai","rpm":-1}"#, 422, "rpm"),
        (#"{"name":"a","kind":"openai","rpm":1.5}"#, 422, "rpm"),
        (#"{"name":"a","kind":"openai","timeouts":{"connect_ms":0}}"#, 422, "timeouts.connect_ms"),
        (#"{"name":"a","kind":"openai","timeouts":{"read_ms":5}}"#, 422, "timeouts.read_ms"),
        (#"{"name":"a","kind":"openai","enabled":"yes"}"#, 422, "enabled"),
        (#"{"name":"a","kind":"openai","settings":[]}"#, 422, "settings"),
        (#"{"name":"a","kind":"bedrock"}"#, 422, "base_url"),
        (#"{"name":"a","kind":"bedrock","base_url":"http://127.0.0.1:9"}"#, 422, "settings.region"),
        (#"{"name":"a","kind":"bedrock","settings":{"region":"US East"}}"#, 422, "settings.region"),
    ]

    @Test("rejects bad provider payloads naming the field", arguments: 0..<badProviders.count)
    func badProvider(_ index: Int) {
        let (text, status, field) = Self.badProviders[index]
        #expect {
            _ = try ProviderPayload.create(body(text), now: 0)
        } throws: { error in
            guard let error = error as? AdminError else { return false }
            return error.status == status && error.field == field
        }
    }

    @Test("fills the kind's default base URL and keeps references")
    func defaults() throws {
        let record = try ProviderPayload.create(body(#"{"name":"oa","kind":"openai","api_key_ref":"env:OPENAI_API_KEY","rpm":60}"#), now: 5)
        #expect(record.baseURL == "https://api.openai.com/v1")
        #expect(record.apiKeyRef == "env:OPENAI_API_KEY")
        #expect(record.rpm == 60)
        #expect(record.enabled)
    }

    @Test("derives Bedrock's endpoint from its region, or its region from the endpoint")
    func bedrockRegion() throws {
        let fromRegion = try ProviderPayload.create(body(#"{"name":"b","kind":"bedrock","settings":{"region":"eu-west-3"}}"#), now: 5)
        #expect(fromRegion.baseURL == "https://bedrock-runtime.eu-west-3.amazonaws.com")
        let fromURL = try ProviderPayload.create(body(#"{"name":"b","kind":"bedrock","base_url":"https://bedrock-runtime.us-west-2.amazonaws.com"}"#), now: 5)
        #expect(fromURL.baseURL == "https://bedrock-runtime.us-west-2.amazonaws.com")
    }

    @Test("patches only the given fields")
    func patch() throws {
        let record = try ProviderPayload.create(body(#"{"name":"oa","kind":"openai","rpm":60}"#), now: 5)
        let patched = try ProviderPayload.patch(record, body(#"{"enabled":false,"rpm":null}"#), now: 6)
        #expect(!patched.enabled)
        #expect(patched.rpm == nil)
        #expect(patched.name == "oa")
        #expect(patched.updatedAt == 6)
    }

    static let provider = ProviderRecord(id: "prv_1", name: "p", kind: "openai", baseURL: "http://x", apiKeyRef: nil, createdAt: 0, updatedAt: 0)

    @Test("validates models and stores prices exactly")
    func model() throws {
        let find: (String) -> ProviderRecord? = { $0 == "p" || $0 == "prv_1" ? Self.provider : nil }
        let record = try ModelPayload.create(body(#"{"name":"gpt-4o","provider":"p","pricing":{"input_per_mtok":2.5,"output_per_mtok":10,"cached_input_per_mtok":1.25}}"#),
                                             now: 0, findProvider: find)
        #expect(record.providerID == "prv_1")
        #expect(record.upstreamModel == "gpt-4o")
        #expect(record.prices == [PriceRecord(effectiveFrom: 0, inputMicros: 2_500_000, outputMicros: 10_000_000, cachedInputMicros: 1_250_000)])
        for (text, field) in [(#"{"name":"m","provider":"zz"}"#, "provider"), (#"{"name":"m"}"#, "provider"),
                              (#"{"name":"m","provider":"p","pricing":{"input_per_mtok":-1}}"#, "pricing.input_per_mtok"),
                              (#"{"name":"m","provider":"p","pricing":{"input_per_mtok":"1"}}"#, "pricing.input_per_mtok"),
                              (#"{"name":"m","provider":"p","pricing":{"input_per_mtok":1}}"#, "pricing.output_per_mtok"),
                              (#"{"name":"m","provider":"p","pricing":{"input_per_mtok":1,"output_per_mtok":1,"effective_from":"soon"}}"#,
                               "pricing.effective_from"),
                              (#"{"name":"has space","provider":"p"}"#, "name"),
                              (#"{"name":"m","provider":"p","context_window":0}"#, "context_window")] {
            #expect(performing: { _ = try ModelPayload.create(body(text), now: 0, findProvider: find) },
                    throws: { ($0 as? AdminError)?.field == field })
        }
    }

    @Test("a new price keeps the earlier ones and replaces what was scheduled after it")
    func priceSchedule() throws {
        let find: (String) -> ProviderRecord? = { _ in Self.provider }
        let created = try ModelPayload.create(body(#"{"name":"m","provider":"p","pricing":{"input_per_mtok":1,"output_per_mtok":2}}"#),
                                              now: 50, findProvider: find)
        #expect(created.prices.map(\.effectiveFrom) == [0])
        let scheduled = try ModelPayload.patch(created, body(#"{"pricing":{"input_per_mtok":3,"output_per_mtok":4,"effective_from":"1970-01-01T00:16:40Z"}}"#),
                                               now: 100, findProvider: find)
        #expect(scheduled.prices.map(\.effectiveFrom) == [0, 1_000_000])
        let now = try ModelPayload.patch(scheduled, body(#"{"pricing":{"input_per_mtok":5,"output_per_mtok":6,"reasoning_per_mtok":7}}"#),
                                         now: 200, findProvider: find)
        #expect(now.prices == [created.prices[0], PriceRecord(effectiveFrom: 200, inputMicros: 5_000_000, outputMicros: 6_000_000, reasoningMicros: 7_000_000)])
        let unpriced = try ModelPayload.patch(now, body(#"{"pricing":null}"#), now: 300, findProvider: find)
        #expect(unpriced.prices.isEmpty)
    }
}
