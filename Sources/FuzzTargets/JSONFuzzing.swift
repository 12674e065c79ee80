import Core
import Providers

/// The JSON parser and the chat request's top-level scan, checked against each other.
enum JSONFuzzing {
    /// Whatever parses re-encodes to a document that parses to the same value.
    static func runParser(_ input: [UInt8]) {
        guard let value = try? JSONParser.parse(input) else { return }
        let encoded = JSONWriter.encode(value)
        guard let again = try? JSONParser.parse(encoded) else { violated("re-encoded JSON does not parse", value, String(decoding: encoded, as: UTF8.self)) }
        guard again == value else { violated("JSON round trip changed the value", value, again) }
    }

    /// The scan that validates request bodies without building them accepts only valid JSON objects, and
    /// reads the same model as the full parser; refusals are 400s.
    static func runChatRequest(_ input: [UInt8]) {
        let parsed = try? JSONParser.parse(input)
        let scanned = try? JSONObjectScan(input)
        if (parsed.map { if case .object = $0 { true } else { false } } ?? false) != (scanned != nil) {
            violated("the scan and the parser disagree on validity", parsed as Any, scanned as Any)
        }
        do {
            let request = try ChatRequest(body: input)
            guard case .object(let fields)? = parsed else { violated("a request the parser refuses was accepted", "refused", request.model) }
            let model = fields.last { $0.0 == "model" }?.1
            guard model == .string(request.model) || fields.filter({ $0.0 == "model" }).count > 1 else {
                violated("the scan read another model", model as Any, request.model)
            }
            // The canonical form, once read, re-encodes to a request it accepts again.
            if let canonical = try? ChatCompletionRequest(json: .object(fields)) {
                let encoded = canonical.openAIJSON(model: canonical.model)
                do {
                    _ = try ChatCompletionRequest(json: encoded)
                } catch {
                    violated("the canonical request does not read back", encoded, error)
                }
            }
        } catch {
            guard error.status == 400 else { fatalError("undocumented status \(error.status)") }
        }
    }
}
