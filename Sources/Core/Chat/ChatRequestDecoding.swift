/// Reading the canonical request from an OpenAI Chat Completions body, with 400s naming the bad field.
extension ChatCompletionRequest {
    static let modelledFields: Set<String> = [
        "model", "messages", "tools", "tool_choice", "parallel_tool_calls", "response_format", "temperature", "top_p",
        "max_tokens", "max_completion_tokens", "stop", "seed", "user", "n", "stream", "stream_options",
    ]

    /// Decodes and validates `json`, an OpenAI Chat Completions request.
    public init(json: JSONValue) throws(GatewayError) {
        guard case .object(let fields) = json else { throw .invalidRequest("The request body must be a JSON object.") }
        guard let model = json["model"]?.stringValue, !model.isEmpty else {
            throw .invalidRequest("You must provide a model parameter (a non-empty string).", param: "model")
        }
        guard let rawMessages = json["messages"]?.arrayValue, !rawMessages.isEmpty else {
            throw .invalidRequest("'messages' must be a non-empty array.", param: "messages")
        }
        let messages = try decodeEach(rawMessages, param: "messages") { raw, at throws(GatewayError) in try ChatMessage(json: raw, param: at) }
        self.init(model: model, messages: messages)
        let reader = FieldDecoder(json: json)
        if let tools = json["tools"], !tools.isNull {
            guard let list = tools.arrayValue else { throw .invalidRequest("'tools' must be an array.", param: "tools") }
            self.tools = try decodeEach(list, param: "tools") { tool, at throws(GatewayError) in try ToolDefinition(json: tool, param: at) }
        }
        if let choice = json["tool_choice"], !choice.isNull { toolChoice = try ToolChoice(json: choice) }
        parallelToolCalls = try reader.bool("parallel_tool_calls")
        if let format = json["response_format"], !format.isNull { responseFormat = try ResponseFormat(json: format) }
        temperature = try reader.number("temperature", in: 0...2)
        topP = try reader.number("top_p", in: 0...1)
        let legacyMaxTokens = try reader.integer("max_tokens", min: 1)
        maxTokens = try reader.integer("max_completion_tokens", min: 1) ?? legacyMaxTokens
        if let stop = json["stop"], !stop.isNull {
            if let single = stop.stringValue {
                self.stop = [single]
            } else if let list = stop.arrayValue, list.count <= 4, let strings = Optional(list.compactMap(\.stringValue)), strings.count == list.count {
                self.stop = strings
            } else {
                throw .invalidRequest("'stop' must be a string or an array of up to 4 strings.", param: "stop")
            }
        }
        seed = try reader.integer("seed", min: Int.min)
        user = try reader.string("user")
        n = try reader.integer("n", min: 1)
        stream = try reader.bool("stream") ?? false
        includeUsage = json["stream_options"]?["include_usage"]?.boolValue ?? false
        extra = fields.filter { !Self.modelledFields.contains($0.0) }
    }
}

extension ChatMessage {
    init(json: JSONValue, param: String) throws(GatewayError) {
        guard case .object = json else { throw .invalidRequest("'\(param)' must be an object.", param: param) }
        guard let roleName = json["role"]?.stringValue, let role = ChatRole(rawValue: roleName) else {
            throw .invalidRequest("'\(param).role' must be one of system, developer, user, assistant, tool.", param: "\(param).role")
        }
        self.init(role: role, name: json["name"]?.stringValue)
        switch json["content"] {
        case nil, .null?:
            guard role == .assistant else { throw .invalidRequest("'\(param).content' is required.", param: "\(param).content") }
        case .string(let text)?:
            content = [.text(text)]
        case .array(let parts)?:
            content = try decodeEach(parts, param: "\(param).content") { part, at throws(GatewayError) in try ContentPart(json: part, param: at) }
        default:
            throw .invalidRequest("'\(param).content' must be a string or an array of content parts.", param: "\(param).content")
        }
        if role == .assistant, let calls = json["tool_calls"], !calls.isNull {
            guard let list = calls.arrayValue else { throw .invalidRequest("'\(param).tool_calls' must be an array.", param: "\(param).tool_calls") }
            toolCalls = try decodeEach(list, param: "\(param).tool_calls") { call, at throws(GatewayError) in
                guard let id = call["id"]?.stringValue, let function = call["function"], let name = function["name"]?.stringValue else {
                    throw .invalidRequest("'\(at)' needs an id and function.name.", param: at)
                }
                return ToolCall(id: id, name: name, arguments: function["arguments"]?.stringValue ?? "{}")
            }
        }
        if role == .tool {
            guard let id = json["tool_call_id"]?.stringValue else {
                throw .invalidRequest("'\(param).tool_call_id' is required for tool messages.", param: "\(param).tool_call_id")
            }
            toolCallID = id
        }
    }
}

extension ContentPart {
    init(json: JSONValue, param: String) throws(GatewayError) {
        switch json["type"]?.stringValue {
        case "text":
            guard let text = json["text"]?.stringValue else { throw .invalidRequest("'\(param).text' must be a string.", param: "\(param).text") }
            self = .text(text)
        case "image_url":
            guard let url = json["image_url"]?["url"]?.stringValue ?? json["image_url"]?.stringValue else {
                throw .invalidRequest("'\(param).image_url.url' must be a string.", param: "\(param).image_url")
            }
            self = .image(ImageSource(openAIURL: url))
        default:
            throw .invalidRequest("'\(param).type' must be 'text' or 'image_url'.", param: "\(param).type")
        }
    }
}

extension ToolDefinition {
    init(json: JSONValue, param: String) throws(GatewayError) {
        guard json["type"]?.stringValue == "function", let function = json["function"], let name = function["name"]?.stringValue, !name.isEmpty else {
            throw .invalidRequest("'\(param)' must be {\"type\":\"function\",\"function\":{\"name\":...}}.", param: param)
        }
        self.init(name: name, description: function["description"]?.stringValue, parameters: function["parameters"],
                  strict: function["strict"]?.boolValue)
    }
}

extension ToolChoice {
    init(json: JSONValue) throws(GatewayError) {
        switch json {
        case .string("auto"): self = .auto
        case .string("none"): self = .none
        case .string("required"): self = .required
        default:
            guard let name = json["function"]?["name"]?.stringValue else {
                throw .invalidRequest("'tool_choice' must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":...}}.",
                                      param: "tool_choice")
            }
            self = .function(name)
        }
    }
}

extension ResponseFormat {
    init(json: JSONValue) throws(GatewayError) {
        switch json["type"]?.stringValue {
        case "text": self = .text
        case "json_object": self = .jsonObject
        case "json_schema":
            guard let spec = json["json_schema"], let name = spec["name"]?.stringValue, let schema = spec["schema"] else {
                throw .invalidRequest("'response_format.json_schema' needs a name and a schema.", param: "response_format.json_schema")
            }
            self = .jsonSchema(name: name, schema: schema, strict: spec["strict"]?.boolValue)
        default:
            throw .invalidRequest("'response_format.type' must be text, json_object or json_schema.", param: "response_format.type")
        }
    }
}

/// Decodes every element of `list`, naming each `param[index]` in errors.
public func decodeEach<T>(_ list: [JSONValue], param: String, _ decode: (JSONValue, String) throws(GatewayError) -> T) throws(GatewayError) -> [T] {
    var result: [T] = []
    result.reserveCapacity(list.count)
    for (index, element) in list.enumerated() { result.append(try decode(element, "\(param)[\(index)]")) }
    return result
}

/// Typed reads of optional top-level fields; null counts as absent.
struct FieldDecoder {
    let json: JSONValue

    private func present(_ name: String) -> JSONValue? {
        guard let value = json[name], !value.isNull else { return nil }
        return value
    }

    func bool(_ name: String) throws(GatewayError) -> Bool? {
        guard let value = present(name) else { return nil }
        guard let flag = value.boolValue else { throw .invalidRequest("'\(name)' must be a boolean.", param: name) }
        return flag
    }

    func string(_ name: String) throws(GatewayError) -> String? {
        guard let value = present(name) else { return nil }
        guard let text = value.stringValue else { throw .invalidRequest("'\(name)' must be a string.", param: name) }
        return text
    }

    func integer(_ name: String, min: Int) throws(GatewayError) -> Int? {
        guard let value = present(name) else { return nil }
        guard let number = value.intValue, number >= min else {
            throw .invalidRequest("'\(name)' must be an integer\(min == Int.min ? "" : " of at least \(min)").", param: name)
        }
        return number
    }

    func number(_ name: String, in range: ClosedRange<Double>) throws(GatewayError) -> Double? {
        guard let value = present(name) else { return nil }
        guard case .number(let text) = value, let number = Double(text), range.contains(number) else {
            throw .invalidRequest("'\(name)' must be a number from \(range.lowerBound) to \(range.upperBound).", param: name)
        }
        return number
    }
}
