import Core
import Testing

@Suite("Histograms, exact cost and trace context")
struct ObservabilityPrimitivesTests {
    @Test("each duration falls in the bucket whose bounds hold it")
    func bucketBounds() {
        for millis in [0, 1, 2, 3, 5, 7, 8, 100, 1_000, 12_345, 600_000] {
            let index = LatencyHistogram.bucket(forMillis: millis)
            #expect(Double(millis) <= LatencyHistogram.upperBounds[index])
            if index > 0 { #expect(Double(millis) > LatencyHistogram.upperBounds[index - 1]) }
        }
        #expect(LatencyHistogram.bucket(forMillis: Int.max) == LatencyHistogram.bucketCount - 1)
    }

    @Test("quantiles are within one bucket (19 %) above the true value, and merging adds counts")
    func quantiles() {
        var histogram = LatencyHistogram()
        for millis in 1...1000 { histogram.record(millis: millis) }
        let p50 = histogram.quantile(0.5)!
        let p95 = histogram.quantile(0.95)!
        #expect(p50 >= 500 && p50 <= 500 * 1.19)
        #expect(p95 >= 950 && p95 <= 950 * 1.19)
        var other = LatencyHistogram()
        other.record(millis: 5)
        other.merge(histogram)
        #expect(other.total == 1001)
        #expect(LatencyHistogram(encoded: other.encoded) == other)
        #expect(LatencyHistogram().quantile(0.5) == nil)
        #expect(LatencyHistogram(encoded: [1, 2, 3]).total == 0)
    }

    @Test("cost is exact in picodollars, cached input at its own price or the input price")
    func exactCost() {
        let pricing = Pricing(inputPerMTok: Micros(decimal: "2.5")!, outputPerMTok: Micros(decimal: "10")!,
                              cachedInputPerMTok: Micros(decimal: "1.25")!)
        let usage = TokenUsage(inputTokens: 1_000, outputTokens: 200, cachedInputTokens: 400)
        // 600 × 2.5 + 400 × 1.25 + 200 × 10 micro-dollars per million tokens = 4,000 µ$/M = 0.004 $... per million: 0.004 $ × 1e-6 × 1e6
        #expect(Picodollars(usage: usage, pricing: pricing).value == 600 * 2_500_000 + 400 * 1_250_000 + 200 * 10_000_000)
        #expect(Picodollars(usage: usage, pricing: pricing).description == "0.004")
        let noCachedPrice = Pricing(inputPerMTok: Micros(decimal: "0.15")!, outputPerMTok: Micros(decimal: "0.6")!)
        #expect(Picodollars(usage: TokenUsage(inputTokens: 1, outputTokens: 0, cachedInputTokens: 1), pricing: noCachedPrice).description == "0.00000015")
        #expect(Picodollars(decimal: "0.00000015") == Picodollars(150_000))
        #expect(Picodollars(decimal: "0.0000000000001") == nil)
        // Reasoning tokens (part of the output) at their own price, else at the output price.
        let reasoningUsage = TokenUsage(inputTokens: 0, outputTokens: 1_000, reasoningTokens: 600)
        let reasoningPrice = Pricing(inputPerMTok: .zero, outputPerMTok: Micros(decimal: "10")!, reasoningPerMTok: Micros(decimal: "20")!)
        #expect(Picodollars(usage: reasoningUsage, pricing: reasoningPrice).value == 400 * 10_000_000 + 600 * 20_000_000)
        #expect(Picodollars(usage: reasoningUsage, pricing: noCachedPrice).value == 1_000 * 600_000)
        #expect(Micros(decimal: "2.5")?.description == "2.5")
    }

    @Test("a price schedule applies the price in force at the request's arrival; none before the first")
    func priceSchedule() {
        let early = Pricing(inputPerMTok: Micros(1), outputPerMTok: Micros(2))
        let late = Pricing(inputPerMTok: Micros(3), outputPerMTok: Micros(4))
        let schedule = PriceSchedule([.init(effectiveFromMillis: 2_000, pricing: late), .init(effectiveFromMillis: 1_000, pricing: early)])
        #expect(schedule.pricing(at: 999) == nil)
        #expect(schedule.pricing(at: 1_000) == early)
        #expect(schedule.pricing(at: 1_999) == early)
        #expect(schedule.pricing(at: 2_000) == late)
        #expect(PriceSchedule.unpriced.pricing(at: 0) == nil)
        #expect(PriceSchedule(always: early).pricing(at: 0) == early)
    }

    @Test("traceparent: valid headers keep their trace id and flags, invalid ones start a new trace")
    func traceContext() {
        let valid = TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(valid?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(valid?.flags == "01")
        for bad in ["", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"] {
            #expect(TraceContext(traceparent: bad) == nil, "\(bad)")
        }
        let child = valid!.childTraceparent().split(separator: "-")
        #expect(child.count == 4 && child[1] == "4bf92f3577b34da6a3ce929d0e0e4736" && child[2].count == 16 && child[3] == "01")
        #expect(TraceContext.from(traceparent: "junk").traceID.count == 32)
    }
}

@Suite("Secrets sealed with AES-256-GCM")
struct SecretBoxTests {
    @Test("seal and open round trip; a wrong key, name or any flipped byte fails; nonces differ")
    func sealing() throws {
        let key = Crypto.randomBytes(32)
        let name = Array("openai-prod".utf8)
        let value = Array("sk-live-0123456789".utf8)
        let sealed = SecretBox.seal(value, key: key, associatedData: name)
        #expect(sealed.count == 12 + value.count + 16)
        #expect(try SecretBox.open(sealed, key: key, associatedData: name) == value)
        #expect(SecretBox.seal(value, key: key, associatedData: name) != sealed)
        #expect(throws: SecretBox.OpenError.self) { try SecretBox.open(sealed, key: Crypto.randomBytes(32), associatedData: name) }
        #expect(throws: SecretBox.OpenError.self) { try SecretBox.open(sealed, key: key, associatedData: Array("other".utf8)) }
        for index in [0, 12, sealed.count - 1] {
            var tampered = sealed
            tampered[index] ^= 1
            #expect(throws: SecretBox.OpenError.self) { try SecretBox.open(tampered, key: key, associatedData: name) }
        }
        #expect(throws: SecretBox.OpenError.self) { try SecretBox.open(Array(sealed.prefix(20)), key: key, associatedData: name) }
        #expect(try SecretBox.open(SecretBox.seal([], key: key, associatedData: name), key: key, associatedData: name) == [])
    }
}
