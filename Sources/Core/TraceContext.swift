/// The W3C Trace Context a request runs under: the client's `traceparent` when it sent a valid one,
/// otherwise a trace the gateway starts. Each upstream attempt is sent as a new span of the same trace.
public struct TraceContext: Sendable, Equatable {
    /// 32 lowercase hex digits, not all zero.
    public let traceID: String
    /// The client's trace flags (2 hex digits); `01` (sampled) for a trace the gateway starts.
    public let flags: String

    /// Reads a `traceparent` header (`00-<trace-id>-<parent-id>-<flags>`); nil when it is not valid.
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts[0] != "00" || parts.count == 4,
              parts.prefix(4).allSatisfy({ $0.utf8.allSatisfy(Self.isLowerHex) }),
              parts[1].utf8.contains(where: { $0 != UInt8(ascii: "0") }), parts[2].utf8.contains(where: { $0 != UInt8(ascii: "0") })
        else { return nil }
        traceID = String(parts[1])
        flags = String(parts[3])
    }

    /// A new trace with a random id.
    public init() {
        traceID = Crypto.hex(Crypto.randomBytes(16))
        flags = "01"
    }

    /// The client's trace, or a new one.
    public static func from(traceparent: String?) -> TraceContext {
        traceparent.flatMap(TraceContext.init(traceparent:)) ?? TraceContext()
    }

    /// The `traceparent` header for a new child span (one per upstream attempt).
    public func childTraceparent() -> String {
        "00-\(traceID)-\(Crypto.hex(Crypto.randomBytes(8)))-\(flags)"
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)
    }
}
