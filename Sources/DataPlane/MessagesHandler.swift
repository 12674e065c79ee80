import Core
import HTTPKit
import HTTPServer
import Providers
import Routing

extension ChatCompletionsHandler {
    /// `POST /v1/messages`: an Anthropic Messages request, routed like any completion; every provider's
    /// answer is translated into Anthropic's message, stream and error shapes.
    func handleMessages(_ request: HTTPRequest, ids: RequestIDs, caller: Caller, responder: HTTPResponder) {
        let admission = Admission(request, ids: ids, caller: caller, dialect: .anthropic, endpoint: "messages")
        let canonical: ChatCompletionRequest
        let routed: (candidates: [FailoverCoordinator.Candidate], policy: RoutePolicy)
        do throws(GatewayError) {
            guard let document = try? JSONParser.parse(request.body) else {
                throw GatewayError.invalidRequest("The request body is not valid JSON.", code: "invalid_json")
            }
            canonical = try AnthropicIngress.request(from: document)
        } catch {
            reject(error, model: "", admission, responder)
            return
        }
        let estimate = RoutePlanner.Estimate(promptTokens: request.body.count / 4,
                                             outputLimit: canonical.maxTokens,
                                             session: request.headers["x-session-id"] ?? canonical.user)
        do {
            routed = try planner.route(canonical.model, estimate: estimate)
        } catch {
            reject(error, model: canonical.model, admission, responder)
            return
        }
        let reject = routed.policy.rejectUnsupportedParams
        run(admission, model: canonical.model, routed: routed, estimate: estimate, responder: responder,
            recoveryRequest: canonical.stream ? canonical : nil) { candidate, attempt throws(GatewayError) in
            // Every family is translated here: OpenAI-format providers get the canonical request re-encoded.
            let translator = chatTranslator(for: candidate.provider.kind) ?? OpenAITranslator()
            let refused = try ParameterPolicy.refused(canonical.parameterNames, by: candidate.deployment, reject: reject)
            let wire = try translator.wireRequest(refused.isEmpty ? canonical : canonical.removing(refused), provider: candidate.provider,
                                                  upstreamModel: candidate.deployment.upstreamModel)
            let context = self.relayContext(admission, model: canonical.model, candidate: candidate, stream: canonical.stream, attempt: attempt)
            context.translator = translator
            return (context, wire)
        }
    }
}
