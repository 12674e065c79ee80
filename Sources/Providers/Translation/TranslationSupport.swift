import Core

/// JSON number text for a Double, as the canonical request carries sampling parameters.
enum JSONNumber {
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// Tool-call arguments: OpenAI sends them as JSON text, most other providers as an object.
enum ToolArguments {
    /// The arguments as an object; empty text counts as `{}`, anything but an object is a 400.
    static func object(_ arguments: String, tool: String) throws(GatewayError) -> JSONValue {
        if arguments.trimmingCharacters(in: " \n\t").isEmpty { return .object([]) }
        guard let value = try? JSONParser.parse(Array(arguments.utf8)), case .object = value else {
            throw .invalidRequest("The arguments of the call to tool '\(tool)' are not a JSON object.", param: "messages")
        }
        return value
    }
}

/// For providers without a JSON mode: the instruction that asks for JSON output instead.
enum JSONInstruction {
    static func text(for format: ResponseFormat?) -> String? {
        switch format {
        case .jsonObject?:
            return "Respond with a single JSON object and nothing else."
        case .jsonSchema(_, let schema, _)?:
            return "Respond with a single JSON object that conforms to this JSON Schema, and nothing else:\n" + JSONWriter.string(schema)
        default:
            return nil
        }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> Substring {
        var s = Substring(self)
        while let first = s.first, set.contains(first) { s.removeFirst() }
        while let last = s.last, set.contains(last) { s.removeLast() }
        return s
    }
}

extension ProviderConfig {
    /// The base URL without a trailing slash, ready for a path.
    var trimmedBaseURL: String { baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL }
}

/// Conversation turns with consecutive entries of one role merged, as Anthropic and Gemini expect.
struct MergedTurns {
    private var turns: [(role: String, items: [JSONValue])] = []

    /// Appends `items` to the last turn when it has the same role, else starts a new turn; empty items are dropped.
    mutating func add(role: String, _ items: [JSONValue]) {
        guard !items.isEmpty else { return }
        if let last = turns.last, last.role == role {
            turns[turns.count - 1].items += items
        } else {
            turns.append((role, items))
        }
    }

    /// `[{"role": ..., itemsKey: [...]}]`.
    func json(itemsKey: String) -> [JSONValue] {
        turns.map { .object([("role", .string($0.role)), (itemsKey, .array($0.items))]) }
    }
}
