import Core
import Store

/// Validates model create/patch payloads and renders model records.
enum ModelPayload {
    static let fields: Set<String> = ["name", "provider", "upstream_model", "pricing", "context_window", "max_output_tokens",
                                      "weight", "priority", "rpm", "tpm", "enabled"]
    static let pricingFields: Set<String> = ["input_per_mtok", "output_per_mtok", "cached_input_per_mtok", "reasoning_per_mtok", "effective_from"]

    /// A new model from a POST body; `findProvider` resolves the `provider` field (id or name).
    static func create(_ body: [UInt8], now: Int64, findProvider: (String) throws -> ProviderRecord?) throws -> ModelRecord {
        let reader = try FieldReader(body: body, allowed: fields)
        var record = ModelRecord(id: Identifier.make("mdl"), name: "", providerID: "", upstreamModel: "", createdAt: now, updatedAt: now)
        _ = try reader.requiredString("name")
        _ = try reader.requiredString("provider")
        try apply(reader, to: &record, now: 0, findProvider: findProvider)
        return record
    }

    /// `record` with a PATCH body applied.
    static func patch(_ record: ModelRecord, _ body: [UInt8], now: Int64, findProvider: (String) throws -> ProviderRecord?) throws -> ModelRecord {
        let reader = try FieldReader(body: body, allowed: fields)
        var updated = record
        updated.updatedAt = now
        try apply(reader, to: &updated, now: now, findProvider: findProvider)
        return updated
    }

    /// `reader`'s fields applied to `record`; a price without `effective_from` applies from `now` (0, always, for a new model).
    private static func apply(_ reader: FieldReader, to record: inout ModelRecord, now: Int64,
                              findProvider: (String) throws -> ProviderRecord?) throws {
        if reader.has("name") {
            let name = try reader.requiredString("name")
            guard isModelName(name) else {
                throw AdminError.invalid("name", "must be 1-256 printable characters without spaces")
            }
            record.name = name
        }
        if reader.has("provider") {
            let reference = try reader.requiredString("provider")
            guard let provider = try findProvider(reference) else {
                throw AdminError.invalid("provider", "no provider has id or name '\(reference)'")
            }
            record.providerID = provider.id
        }
        if reader.has("upstream_model") {
            let upstream = try reader.string("upstream_model")
            if let upstream, !isModelName(upstream) {
                throw AdminError.invalid("upstream_model", "must be 1-256 printable characters without spaces")
            }
            record.upstreamModel = upstream ?? ""
        }
        if record.upstreamModel.isEmpty { record.upstreamModel = record.name }
        if reader.has("pricing") {
            if let pricing = try reader.object("pricing", allowed: pricingFields) {
                record.prices = schedule(record.prices, adding: try price(pricing, now: now))
            } else {
                record.prices = []
            }
        }
        if reader.has("context_window") { record.contextWindow = try reader.int("context_window", in: 1...100_000_000) }
        if reader.has("max_output_tokens") { record.maxOutputTokens = try reader.int("max_output_tokens", in: 1...100_000_000) }
        if reader.has("weight") { record.weight = try reader.int("weight", in: 0...1_000_000) ?? 1 }
        if reader.has("priority") { record.priority = try reader.int("priority", in: -1_000_000...1_000_000) ?? 0 }
        if reader.has("rpm") { record.rpm = try reader.int("rpm", in: 0...Int(Int32.max)) }
        if reader.has("tpm") { record.tpm = try reader.int("tpm", in: 0...Int(Int32.max)) }
        if reader.has("enabled") { record.enabled = try reader.requiredBool("enabled") }
    }

    /// A `pricing` object: input and output prices are required (0 is a price: free), cached input and reasoning
    /// default to the input and output prices; `effective_from` (RFC 3339 or epoch seconds) defaults to `now`.
    static func price(_ pricing: FieldReader, now: Int64) throws(AdminError) -> PriceRecord {
        guard let input = try pricing.dollars("input_per_mtok") else { throw AdminError.invalid("pricing.input_per_mtok", "is required") }
        guard let output = try pricing.dollars("output_per_mtok") else { throw AdminError.invalid("pricing.output_per_mtok", "is required") }
        var from = now
        if let text = try pricing.string("effective_from") {
            guard let millis = Timestamp.parse(text) else { throw AdminError.invalid("pricing.effective_from", "must be RFC 3339 or epoch seconds") }
            from = millis
        }
        return PriceRecord(effectiveFrom: from, inputMicros: input.value, outputMicros: output.value,
                           cachedInputMicros: try pricing.dollars("cached_input_per_mtok")?.value ?? 0,
                           reasoningMicros: try pricing.dollars("reasoning_per_mtok")?.value)
    }

    /// `schedule` with `price` added: it replaces an entry starting at the same moment and every entry after
    /// it (a new price cancels what was scheduled later); entries before it stay, so the price history holds.
    static func schedule(_ schedule: [PriceRecord], adding price: PriceRecord) -> [PriceRecord] {
        schedule.filter { $0.effectiveFrom < price.effectiveFrom } + [price]
    }

    /// The `pricing` given in a create body; without it the catalog's prices apply.
    static func hasPricing(_ body: [UInt8]) -> Bool {
        (try? FieldReader(body: body, allowed: fields))?.has("pricing") ?? false
    }

    /// Fills what a new model left out from its catalog entry: limits it did not set, and prices when it gave none.
    static func apply(_ entry: CatalogRecord, to record: inout ModelRecord, pricing: Bool) {
        record.contextWindow = record.contextWindow ?? entry.contextWindow
        record.maxOutputTokens = record.maxOutputTokens ?? entry.maxOutputTokens
        guard pricing else { return }
        record.prices = [PriceRecord(inputMicros: entry.inputPerMTokMicros, outputMicros: entry.outputPerMTokMicros,
                                     cachedInputMicros: entry.cachedInputPerMTokMicros)]
    }

    static func isModelName(_ text: String) -> Bool {
        (1...256).contains(text.utf8.count) && text.unicodeScalars.allSatisfy { $0.value > 32 && $0.value != 127 }
    }

    /// The public JSON of a model deployment.
    static func render(_ m: ModelRecord, providerName: String?, now: Int64 = Timestamp.nowMillis()) -> JSONValue {
        .object([
            ("id", .string(m.id)), ("name", .string(m.name)), ("provider", .string(m.providerID)),
            ("provider_name", .optional(providerName)), ("upstream_model", .string(m.upstreamModel)),
            ("pricing", m.prices.last { $0.effectiveFrom <= now }.map(render) ?? .null), ("price_schedule", .array(m.prices.map(render))),
            ("context_window", .optional(m.contextWindow)), ("max_output_tokens", .optional(m.maxOutputTokens)),
            ("weight", .int(m.weight)), ("priority", .int(m.priority)), ("rpm", .optional(m.rpm)), ("tpm", .optional(m.tpm)),
            ("enabled", .bool(m.enabled)), ("created_at", .string(Timestamp.iso8601(m.createdAt))),
            ("updated_at", .string(Timestamp.iso8601(m.updatedAt))),
        ])
    }
}

extension ModelPayload {
    /// One price as the API shows it (cached input and reasoning fall back to the input and output prices).
    static func render(_ price: PriceRecord) -> JSONValue {
        .object([("input_per_mtok", Micros(price.inputMicros).json), ("output_per_mtok", Micros(price.outputMicros).json),
                 ("cached_input_per_mtok", Micros(price.cachedInputMicros > 0 ? price.cachedInputMicros : price.inputMicros).json),
                 ("reasoning_per_mtok", Micros(price.reasoningMicros ?? price.outputMicros).json),
                 ("effective_from", .string(Timestamp.iso8601(price.effectiveFrom)))])
    }
}
