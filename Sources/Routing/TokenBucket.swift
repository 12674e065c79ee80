/// A token bucket on an injected clock (milliseconds): `capacity` tokens, refilled continuously at
/// `capacity` per minute (an rpm or tpm limit). Taking more than is there fails without taking any.
public struct TokenBucket: Sendable, Equatable {
    public private(set) var capacity: Double
    public private(set) var tokens: Double
    private var updatedAt: Int64

    public init(perMinute limit: Int, now: Int64) {
        capacity = Double(limit)
        tokens = Double(limit)
        updatedAt = now
    }

    private var refillPerMillis: Double { capacity / 60_000 }

    mutating func refill(now: Int64) {
        guard now > updatedAt else { return }
        tokens = min(capacity, tokens + Double(now - updatedAt) * refillPerMillis)
        updatedAt = now
    }

    /// Takes `amount` tokens if they are there.
    public mutating func take(_ amount: Double, now: Int64) -> Bool {
        refill(now: now)
        guard tokens >= amount || (amount > capacity && tokens >= capacity) else { return false }  // oversize asks need a full bucket
        tokens -= amount
        return true
    }

    /// Adjusts by `amount` after the fact: positive refunds an over-estimate, negative charges an under-estimate
    /// (the balance may go below zero, delaying later requests).
    public mutating func adjust(_ amount: Double, now: Int64) {
        refill(now: now)
        tokens = min(capacity, tokens + amount)
    }

    /// The tokens there now.
    public func available(now: Int64) -> Double {
        min(capacity, tokens + Double(max(0, now - updatedAt)) * refillPerMillis)
    }

    /// How long until `amount` tokens (at most a full bucket) are there.
    public func millisUntil(_ amount: Double, now: Int64) -> Int {
        let have = available(now: now)
        let need = min(amount, capacity) - have
        return need <= 0 || refillPerMillis == 0 ? 0 : Int((need / refillPerMillis).rounded(.up))
    }

    /// A new limit keeps the tokens already spent.
    public mutating func resize(perMinute limit: Int, now: Int64) {
        refill(now: now)
        let spent = capacity - tokens
        capacity = Double(limit)
        tokens = capacity - spent
    }
}
