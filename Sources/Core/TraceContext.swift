import Synchronization

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
        traceID = Self.randomHex(words: 2)
        flags = "01"
    }

    /// The client's trace, or a new one.
    public static func from(traceparent: String?) -> TraceContext {
        traceparent.flatMap(TraceContext.init(traceparent:)) ?? TraceContext()
    }

    /// The `traceparent` header for a new child span (one per upstream attempt).
    public func childTraceparent() -> String {
        // "00-" trace "-" span "-" flags, written in place (it goes upstream with every attempt).
        String(writingAtMost: 5 + traceID.utf8.count + 16 + flags.utf8.count) { out in
            out.appendUTF8("00-")
            out.appendUTF8(traceID)
            out.append(UInt8(ascii: "-"))
            out.appendHex(Self.randomID(), digits: 16)
            out.append(UInt8(ascii: "-"))
            out.appendUTF8(flags)
        }
    }

    /// Trace and span ids need to be unique and unpredictable enough to not collide, not secret: a
    /// process-wide counter through SplitMix64 from a random seed gives that without a system call or a lock.
    private static let seed = Crypto.randomBytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    private static let counter = Atomic<UInt64>(0)

    private static func randomHex(words: Int) -> String {
        String(writingAtMost: words * 16) { out in
            for _ in 0..<words { out.appendHex(randomID(), digits: 16) }
        }
    }

    /// A fresh non-zero id.
    private static func randomID() -> UInt64 {
        var z = seed &+ counter.add(1, ordering: .relaxed).newValue &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return z == 0 ? 1 : z  // an all-zero id is invalid
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)
    }
}
