import Core
import HTTPKit
import HTTPServer
import Providers

extension ChatCompletionsHandler {
    /// `POST /v1/messages`: an Anthropic Messages request, routed like any completion; every provider's
    /// answer is translated into Anthropic's message, stream and error shapes.
    func handleMessages(_ request: HTTPRequest, requestID: String, responder: HTTPResponder) {
        let admission = Admission(requestID: requestID, dialect: .anthropic)
        let canonical: ChatCompletionRequest
        do throws(GatewayError) {
            guard let document = try? JSONParser.parse(request.body) else {
                throw GatewayError.invalidRequest("The request body is not valid JSON.", code: "invalid_json")
            }
            canonical = try AnthropicIngress.request(from: document)
        } catch {
            reject(error, model: "", admission, responder)
            return
        }
        do throws(GatewayError) {
            let (deployment, provider) = try route(canonical.model)
            // Every family is translated here: OpenAI-format providers get the canonical request re-encoded.
            let translator = chatTranslator(for: provider.kind) ?? OpenAITranslator()
            let wire = try translator.wireRequest(canonical, provider: provider, upstreamModel: deployment.upstreamModel)
            var context = relayContext(admission, model: canonical.model, deployment: deployment, provider: provider, stream: canonical.stream)
            context.translator = translator
            start(wire, context: context, provider: provider, responder: responder)
        } catch {
            reject(error, model: canonical.model, admission, responder)
        }
    }
}
