/// Path parameters captured by a route pattern such as `/providers/{id}`.
public struct PathParameters: Sendable {
    var values: [String: String] = [:]
    public subscript(name: String) -> String? { values[name] }
}

/// Maps method and path patterns to values; built once, then read-only.
public struct Router<Value: Sendable>: Sendable {
    struct Route: Sendable {
        let method: String
        let pattern: String
        let segments: [Substring]
        let value: Value
        let hasParameters: Bool
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route; `{name}` segments capture one path segment.
    public mutating func add(_ method: String, _ pattern: String, _ value: Value) {
        routes.append(Route(method: method, pattern: pattern, segments: pattern.split(separator: "/"), value: value,
                            hasParameters: pattern.utf8.contains(UInt8(ascii: "{"))))
    }

    /// The outcome of matching a request.
    public enum Match: Sendable {
        case found(Value, PathParameters)
        /// The path exists under other methods.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    /// Matches `method` and `path`.
    public func match(method: String, path: Substring) -> Match {
        // Fast path for the hot routes: the path spelled exactly as a parameterless pattern, compared
        // byte for byte without splitting it.
        let pathLength = path.utf8.count
        for route in routes where !route.hasParameters && route.pattern.utf8.count == pathLength && route.pattern == path && route.method == method {
            return .found(route.value, PathParameters())
        }
        let segments = path.split(separator: "/")
        var allowed: [String] = []
        for route in routes where route.segments.count == segments.count {
            var parameters = PathParameters()
            var matched = true
            for (pattern, actual) in zip(route.segments, segments) {
                if pattern.first == "{" && pattern.last == "}" {
                    parameters.values[String(pattern.dropFirst().dropLast())] = percentDecode(actual)
                } else if pattern != actual {
                    matched = false
                    break
                }
            }
            guard matched else { continue }
            if route.method == method { return .found(route.value, parameters) }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }
}
