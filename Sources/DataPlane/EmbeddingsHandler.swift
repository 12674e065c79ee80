import Core
import HTTPKit
import HTTPServer
import Providers
import Routing

extension ChatCompletionsHandler {
    /// `POST /v1/embeddings`: forwarded as sent to OpenAI-format providers, translated for Gemini, Cohere,
    /// Ollama and Bedrock; always answered in OpenAI's shape (float or base64 vectors, as asked).
    func handleEmbeddings(_ request: HTTPRequest, ids: RequestIDs, caller: Caller, responder: HTTPResponder) {
        let admission = Admission(request, ids: ids, caller: caller, dialect: .openAI, endpoint: "embeddings")
        let scan: JSONObjectScan
        let canonical: EmbeddingsRequest
        do throws(GatewayError) {
            guard let parsed = try? JSONObjectScan(request.body), let document = try? JSONParser.parse(request.body) else {
                throw GatewayError.invalidRequest("The request body is not a valid JSON object.", code: "invalid_json")
            }
            scan = parsed
            // Token-array inputs are valid for OpenAI-format upstreams only; they are checked after routing.
            canonical = try EmbeddingsRequest(json: Self.textInputs(document))
        } catch {
            reject(error, model: "", admission, responder)
            return
        }
        let routed: (candidates: [FailoverCoordinator.Candidate], policy: RoutePolicy)
        let estimate = RoutePlanner.Estimate(promptTokens: request.body.count / 4, outputLimit: 0, session: request.headers["x-session-id"] ?? canonical.user)
        do {
            routed = try planner.route(canonical.model, estimate: estimate)
        } catch {
            reject(error, model: canonical.model, admission, responder)
            return
        }
        let tokenInputs = scan.value("input")?.arrayValue?.first.map { $0.arrayValue != nil || $0.intValue != nil } ?? false
        run(admission, model: canonical.model, routed: routed, estimate: estimate, responder: responder) { candidate, attempt throws(GatewayError) in
            let provider = candidate.provider, upstreamModel = candidate.deployment.upstreamModel
            let context = self.relayContext(admission, model: canonical.model, candidate: candidate, stream: false, attempt: attempt)
            let wire: WireRequest
            switch EmbeddingsSupport.of(provider.kind) {
            case .openAIFormat:
                wire = OpenAIAdapter.embeddingsRequest(scan, provider: provider, upstreamModel: upstreamModel)
            case .translated(let translator):
                guard !tokenInputs else {
                    throw .invalidRequest("Provider kind '\(provider.kind.rawValue)' takes text inputs, not token arrays.", param: "input")
                }
                wire = try translator.wireRequest(canonical, provider: provider, upstreamModel: upstreamModel)
                context.embeddings = (translator, canonical.base64)
                context.translator = chatTranslator(for: provider.kind)  // reads the provider's error bodies
            case .unsupported:
                throw .invalidRequest("Provider kind '\(provider.kind.rawValue)' has no embeddings API; route '\(canonical.model)' elsewhere.",
                                      param: "model", code: "embeddings_unsupported")
            }
            return (context, wire)
        }
    }

    /// The body with token-array inputs replaced by a placeholder string, so validation of the other fields
    /// still applies (OpenAI-format providers receive the original bytes).
    static func textInputs(_ document: JSONValue) -> JSONValue {
        guard case .object(let fields) = document, let items = document["input"]?.arrayValue,
              let first = items.first, first.intValue != nil || first.arrayValue != nil else { return document }
        return .object(fields.map { $0.0 == "input" ? ("input", .array(items.map { _ in .string("") })) : $0 })
    }
}
