/// The provider kinds the admin API accepts, and the wire format each speaks.
public enum ProviderKind: String, Sendable, CaseIterable {
    case openai, azureOpenAI = "azure_openai", anthropic, gemini, cohere, ollama, bedrock
    case mistral, deepseek, groq, openrouter, together, vllm, lmstudio, localai
    case openAICompatible = "openai_compatible"

    /// True for kinds that speak the OpenAI Chat Completions wire format (Azure with its own URL and key header).
    public var speaksOpenAIWire: Bool {
        switch self {
        case .openai, .azureOpenAI, .mistral, .deepseek, .groq, .openrouter, .together, .vllm, .lmstudio, .localai, .openAICompatible:
            return true
        case .anthropic, .gemini, .cohere, .ollama, .bedrock:
            return false
        }
    }


    /// The base URL used when a provider of this kind is created without one.
    public var defaultBaseURL: String? {
        switch self {
        case .openai: return "https://api.openai.com/v1"
        case .mistral: return "https://api.mistral.ai/v1"
        case .deepseek: return "https://api.deepseek.com/v1"
        case .groq: return "https://api.groq.com/openai/v1"
        case .openrouter: return "https://openrouter.ai/api/v1"
        case .together: return "https://api.together.xyz/v1"
        case .vllm: return "http://127.0.0.1:8000/v1"
        case .lmstudio: return "http://127.0.0.1:1234/v1"
        case .localai: return "http://127.0.0.1:8080/v1"
        case .anthropic: return "https://api.anthropic.com/v1"
        case .gemini: return "https://generativelanguage.googleapis.com/v1beta"
        case .cohere: return "https://api.cohere.com/v2"
        case .ollama: return "http://127.0.0.1:11434"
        case .azureOpenAI, .bedrock, .openAICompatible: return nil
        }
    }

    /// The environment variable conventionally holding this provider's API key, if any.
    public var conventionalKeyVariable: String? {
        switch self {
        case .openai: return "OPENAI_API_KEY"
        case .mistral: return "MISTRAL_API_KEY"
        case .deepseek: return "DEEPSEEK_API_KEY"
        case .groq: return "GROQ_API_KEY"
        case .openrouter: return "OPENROUTER_API_KEY"
        case .together: return "TOGETHER_API_KEY"
        default: return nil
        }
    }
}
