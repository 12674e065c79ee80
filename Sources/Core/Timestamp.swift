#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock and monotonic time as plain integers, plus RFC 3339 formatting.
public enum Timestamp {
    /// Milliseconds since the Unix epoch (wall clock).
    public static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Nanoseconds from an arbitrary fixed origin (monotonic clock), for durations.
    public static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// `2026-11-22T01:02:03.456Z` for epoch milliseconds.
    public static func iso8601(_ millis: Int64) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))Z"
    }

    /// Parses RFC 3339 (`2026-11-22T01:02:03Z`, optional fraction and offset) or epoch seconds into epoch milliseconds.
    public static func parse(_ text: String) -> Int64? {
        if let seconds = Int64(text) { return seconds * 1000 }
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int32? {
            guard start + count <= bytes.count else { return nil }
            var value: Int32 = 0
            for b in bytes[start..<start + count] {
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int32(b - 48)
            }
            return value
        }
        guard bytes.count >= 10, let year = number(0, 4), bytes[4] == 45, let month = number(5, 2), bytes[7] == 45,
              let day = number(8, 2) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        var index = 10
        var millis: Int64 = 0
        var offsetSeconds: Int64 = 0
        if bytes.count > 10 {
            guard bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32, let h = number(11, 2), bytes.count > 13, bytes[13] == 58,
                  let m = number(14, 2), bytes.count > 16, bytes[16] == 58, let s = number(17, 2) else { return nil }
            parts.tm_hour = h; parts.tm_min = m; parts.tm_sec = s
            index = 19
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                var scale: Int64 = 100
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    millis += Int64(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
            }
            if index < bytes.count {
                if bytes[index] == 90 || bytes[index] == 122 {
                    index += 1
                } else if bytes[index] == 43 || bytes[index] == 45, let oh = number(index + 1, 2), index + 3 < bytes.count,
                          bytes[index + 3] == 58, let om = number(index + 4, 2) {
                    let sign: Int64 = bytes[index] == 43 ? 1 : -1
                    offsetSeconds = sign * (Int64(oh) * 3600 + Int64(om) * 60)
                    index += 6
                } else {
                    return nil
                }
            }
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day) else { return nil }
        let seconds = Int64(timegm(&parts)) - offsetSeconds
        return seconds * 1000 + millis
    }
}
