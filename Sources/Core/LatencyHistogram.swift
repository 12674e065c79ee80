#if canImport(Glibc)
import Glibc
#endif

/// A fixed log-scale histogram of millisecond durations: four buckets per doubling from 1 ms to about
/// 18 minutes (80 buckets, each ≤ 19 % wide), so quantiles come from counts, never from sorting samples,
/// and histograms merge by adding counts (rollups, time windows, replicas).
public struct LatencyHistogram: Sendable, Equatable {
    /// Buckets per doubling of the duration.
    public static let bucketsPerOctave = 4
    public static let bucketCount = 80
    /// Upper bound (inclusive, ms) of bucket `i`: bucket 0 holds 0–1 ms, the last one everything above.
    public static let upperBounds: [Double] = (0..<bucketCount).map { i in
        i == bucketCount - 1 ? .infinity : exp2(Double(i) / Double(bucketsPerOctave))
    }

    public private(set) var counts: [UInt32]
    public private(set) var total: Int

    public init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
        total = 0
    }

    /// Restores a histogram from its `encoded` form; damaged bytes give an empty histogram.
    public init(encoded bytes: [UInt8]) {
        self.init()
        guard bytes.first == 1, (bytes.count - 1) % 5 == 0 else { return }
        var decoded = counts
        var sum = 0
        for at in stride(from: 1, to: bytes.count, by: 5) {
            let index = Int(bytes[at])
            guard index < Self.bucketCount else { return }
            let value = UInt32(bytes[at + 1]) | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3]) << 16 | UInt32(bytes[at + 4]) << 24
            decoded[index] &+= value
            sum += Int(value)
        }
        counts = decoded
        total = sum
    }

    /// The bucket a duration falls in.
    public static func bucket(forMillis millis: Int) -> Int {
        guard millis > 1 else { return 0 }
        // The bucket is ceil(log2(ms) × 4); computed from the integer log and a small table of quarter-octave steps.
        let octave = Int.bitWidth - 1 - millis.leadingZeroBitCount
        let base = 1 << octave
        if millis == base { return min(octave * bucketsPerOctave, bucketCount - 1) }
        let ratio = Double(millis) / Double(base)
        var step = 1
        while step < bucketsPerOctave && ratio > quarterSteps[step] { step += 1 }
        return min(octave * bucketsPerOctave + step, bucketCount - 1)
    }

    private static let quarterSteps: [Double] = (0...bucketsPerOctave).map { exp2(Double($0) / Double(bucketsPerOctave)) }

    /// Counts one duration.
    public mutating func record(millis: Int) {
        counts[Self.bucket(forMillis: millis)] &+= 1
        total += 1
    }

    /// Adds another histogram's counts to this one.
    public mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<Self.bucketCount { counts[i] &+= other.counts[i] }
        total += other.total
    }

    /// The duration below which a fraction `q` (0–1) of the samples fall: the upper bound of the bucket
    /// holding that rank (so an estimate never understates), or nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for i in 0..<Self.bucketCount {
            seen += Int(counts[i])
            if seen >= rank {
                let bound = Self.upperBounds[i]
                return bound.isFinite ? (bound * 10).rounded() / 10 : Self.upperBounds[Self.bucketCount - 2]
            }
        }
        return nil
    }

    /// The sparse form stored in rollup rows: a format byte (1), then each non-empty bucket's index (one
    /// byte) and count (u32, little-endian), in ascending order. The SQLite functions `hist_merge` and
    /// `hist_add` (CSQLite) read and write the same form.
    public var encoded: [UInt8] {
        let filled = counts.reduce(0) { $0 + ($1 == 0 ? 0 : 1) }
        return [UInt8](writingAtMost: 1 + 5 * filled) { bytes in
            bytes.append(1)
            for (index, value) in counts.enumerated() where value != 0 {
                bytes.append(UInt8(index))
                bytes.append(UInt8(value & 0xff))
                bytes.append(UInt8(value >> 8 & 0xff))
                bytes.append(UInt8(value >> 16 & 0xff))
                bytes.append(UInt8(value >> 24))
            }
        }
    }
}
