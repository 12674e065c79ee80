import Core
import Store

/// First-start configuration: the demo route (when a demo upstream is given) and providers whose
/// conventional API-key variable is set, registered as `env:` references.
public enum Bootstrap {
    struct WellKnownModel {
        let name: String
        let input: String
        let output: String
        let cachedInput: String
    }

    static func wellKnownModels(_ kind: ProviderKind) -> [WellKnownModel] {
        switch kind {
        case .openai:
            return [WellKnownModel(name: "gpt-4o", input: "2.5", output: "10", cachedInput: "1.25"),
                    WellKnownModel(name: "gpt-4o-mini", input: "0.15", output: "0.6", cachedInput: "0.075"),
                    WellKnownModel(name: "gpt-4.1", input: "2", output: "8", cachedInput: "0.5"),
                    WellKnownModel(name: "gpt-4.1-mini", input: "0.4", output: "1.6", cachedInput: "0.1")]
        case .deepseek:
            return [WellKnownModel(name: "deepseek-chat", input: "0.27", output: "1.1", cachedInput: "0.07"),
                    WellKnownModel(name: "deepseek-reasoner", input: "0.55", output: "2.19", cachedInput: "0.14")]
        case .groq:
            return [WellKnownModel(name: "llama-3.3-70b-versatile", input: "0.59", output: "0.79", cachedInput: "0.59")]
        case .mistral:
            return [WellKnownModel(name: "mistral-large-latest", input: "2", output: "6", cachedInput: "2"),
                    WellKnownModel(name: "mistral-small-latest", input: "0.2", output: "0.6", cachedInput: "0.2")]
        case .openrouter:
            return [WellKnownModel(name: "openrouter/auto", input: "0", output: "0", cachedInput: "0")]
        case .together:
            return [WellKnownModel(name: "meta-llama/Llama-3.3-70B-Instruct-Turbo", input: "0.88", output: "0.88", cachedInput: "0.88")]
        default:
            return []
        }
    }

    /// Registers what is missing; returns the names of the providers it created.
    @discardableResult
    public static func seed(_ config: ConfigService, demoUpstream: String?, environment: [String: String]) throws -> [String] {
        var created: [String] = []
        let now = Timestamp.nowMillis()
        let isFirstStart = try config.read { try $0.currentVersion() == 0 }
        if let demoUpstream, isFirstStart {
            let provider = ProviderRecord(id: Identifier.make("prv"), name: "demo", kind: ProviderKind.openAICompatible.rawValue,
                                          baseURL: demoUpstream, apiKeyRef: nil, createdAt: now, updatedAt: now)
            let model = ModelRecord(id: Identifier.make("mdl"), name: "demo", providerID: provider.id, upstreamModel: "mock-demo",
                                    prices: [PriceRecord(inputMicros: 0, outputMicros: 0)], createdAt: now, updatedAt: now)
            try config.commit(author: "bootstrap", summary: "demo provider and model") { repository in
                try repository.insert(provider)
                try repository.insert(model)
            }
            created.append(provider.name)
        }
        for kind in ProviderKind.allCases {
            guard let variable = kind.conventionalKeyVariable, let value = environment[variable], !value.isEmpty else { continue }
            guard try config.read({ try $0.provider(name: kind.rawValue) }) == nil, let baseURL = kind.defaultBaseURL else { continue }
            let provider = ProviderRecord(id: Identifier.make("prv"), name: kind.rawValue, kind: kind.rawValue, baseURL: baseURL,
                                          apiKeyRef: "env:\(variable)", createdAt: now, updatedAt: now)
            try config.commit(author: "bootstrap", summary: "\(kind.rawValue) provider from \(variable)") { repository in
                try repository.insert(provider)
                for model in wellKnownModels(kind) {
                    try repository.insert(ModelRecord(
                        id: Identifier.make("mdl"), name: model.name, providerID: provider.id, upstreamModel: model.name,
                        prices: [PriceRecord(inputMicros: Micros(decimal: model.input)?.value ?? 0, outputMicros: Micros(decimal: model.output)?.value ?? 0,
                                             cachedInputMicros: Micros(decimal: model.cachedInput)?.value ?? 0)],
                        createdAt: now, updatedAt: now))
                }
            }
            created.append(provider.name)
        }
        return created
    }
}
