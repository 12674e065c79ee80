import Core
import Store

/// A config document read for import: every object checked by the same rules as the admin API (a 422 names
/// the object and field, `models[2].price_schedule[0].input_per_mtok`), references resolved within the
/// document, then applied all-or-nothing.
struct ConfigImport {
    var providers: [ProviderRecord] = []
    var models: [ModelRecord] = []
    var routes: [RouteRecord] = []
    var catalog: [CatalogRecord] = []
    var teams: [TeamRecord] = []
    var keys: [KeyRecord] = []
    var settings = SettingsEndpoints.Stored()

    static let topFields: Set<String> = ["format", "version", "providers", "models", "routes", "catalog", "teams", "keys", "settings", "secrets"]

    /// The imported objects as the document they make, to compare with the config in force.
    func document(secretNames: [String]) -> ConfigDocument {
        var objects: [ConfigObjectKey: JSONValue] = [:]
        for p in providers { objects[ConfigObjectKey(kind: "provider", id: p.id)] = ProviderPayload.render(p) }
        for m in models { objects[ConfigObjectKey(kind: "model", id: m.id)] = ConfigDocument.exported(m) }
        for r in routes { objects[ConfigObjectKey(kind: "route", id: r.name)] = RouteEndpoints.render(r) }
        for c in catalog { objects[ConfigObjectKey(kind: "catalog", id: String(c.id))] = CatalogEndpoints.render(c) }
        for t in teams { objects[ConfigObjectKey(kind: "team", id: t.id)] = AccessPayload.render(t) }
        for k in keys { objects[ConfigObjectKey(kind: "key", id: k.id)] = ConfigDocument.exported(k) }
        objects[ConfigObjectKey(kind: "settings", id: "settings")] = settings.json
        return ConfigDocument(objects: objects, secretNames: secretNames)
    }

    /// Reads and checks a whole document.
    static func read(_ body: [UInt8], now: Int64) throws -> ConfigImport {
        let top = try FieldReader(body: body, allowed: topFields)
        guard try top.string("format") == ConfigDocument.format else {
            throw AdminError.invalid("format", "must be '\(ConfigDocument.format)' (a document from GET /admin/v1/config/export)")
        }
        var result = ConfigImport()
        for (index, object) in try section(top, "providers").enumerated() {
            try within("providers[\(index)].") {
                var fields = object
                if fields.first(where: { $0.0 == "base_url" })?.1 == .string("") { fields.removeAll { $0.0 == "base_url" } }
                let (id, created, updated, payload) = try identity(fields, drop: [])
                var provider = try ProviderPayload.create(payload, now: now)
                (provider.id, provider.createdAt, provider.updatedAt) = (id, created ?? now, updated ?? now)
                result.providers.append(provider)
            }
        }
        try unique(result.providers.map(\.id), "providers", "id")
        try unique(result.providers.map(\.name), "providers", "name")
        for (index, object) in try section(top, "models").enumerated() {
            try within("models[\(index)].") {
                let (id, created, updated, payload) = try identity(object, drop: ["price_schedule", "pricing", "provider_name"])
                var model = try ModelPayload.create(payload, now: now) { reference in
                    result.providers.first { $0.id == reference || $0.name == reference }
                }
                (model.id, model.createdAt, model.updatedAt) = (id, created ?? now, updated ?? now)
                model.prices = try prices(FieldReader(acceptingAll: object))
                result.models.append(model)
            }
        }
        try unique(result.models.map(\.id), "models", "id")
        for (index, object) in try section(top, "routes").enumerated() {
            try within("routes[\(index)].") {
                guard case .string(let name)? = object.first(where: { $0.0 == "name" })?.1, ModelPayload.isModelName(name) else {
                    throw AdminError.invalid("name", "must be a public model name")
                }
                let (_, created, updated, payload) = try identity(object, drop: ["name"], idField: nil)
                var route = try RouteEndpoints.record(name: name, body: payload, now: now)
                (route.createdAt, route.updatedAt) = (created ?? now, updated ?? now)
                result.routes.append(route)
            }
        }
        try unique(result.routes.map(\.name), "routes", "name")
        for (index, object) in try section(top, "catalog").enumerated() {
            try within("catalog[\(index)].") {
                let (id, _, updated, payload) = try identity(object, drop: ["source"])
                guard let number = Int64(id), number > 0 else { throw AdminError.invalid("id", "must be a positive integer") }
                var entry = CatalogRecord(id: number, kind: "", model: "", updatedAt: updated ?? now)
                try CatalogEndpoints.apply(try FieldReader(body: payload, allowed: CatalogEndpoints.fields), to: &entry)
                entry.source = object.first { $0.0 == "source" }?.1.stringValue == "seed" ? "seed" : "admin"
                result.catalog.append(entry)
            }
        }
        try unique(result.catalog.map(\.id), "catalog", "id")
        try unique(result.catalog.map { $0.kind + "/" + $0.model }, "catalog", "model")
        for (index, object) in try section(top, "teams").enumerated() {
            try within("teams[\(index)].") {
                let (id, created, updated, payload) = try identity(object, drop: [])
                var team = TeamRecord(id: id, name: "", createdAt: created ?? now, updatedAt: updated ?? now)
                let reader = try FieldReader(body: payload, allowed: AccessPayload.teamFields)
                _ = try reader.requiredString("name")
                try AccessPayload.apply(reader, to: &team)
                result.teams.append(team)
            }
        }
        try unique(result.teams.map(\.id), "teams", "id")
        try unique(result.teams.map(\.name), "teams", "name")
        for (index, object) in try section(top, "keys").enumerated() {
            try within("keys[\(index)].") {
                let reader = FieldReader(acceptingAll: object)
                let hash = try reader.requiredString("key_hash")
                guard hash.utf8.count == 64, hash.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
                    throw AdminError.invalid("key_hash", "must be 64 lower-case hex digits (the SHA-256 of the key)")
                }
                let prefix = try reader.requiredString("prefix")
                let (id, created, updated, payload) = try identity(object, drop: ["key_hash", "prefix", "team_name"])
                var key = KeyRecord(id: id, name: "", keyHash: hash, prefix: prefix, createdAt: created ?? now, updatedAt: updated ?? now)
                let fields = try FieldReader(body: payload, allowed: AccessPayload.keyFields)
                _ = try fields.requiredString("name")
                try AccessPayload.apply(fields, to: &key) { reference in result.teams.first { $0.id == reference || $0.name == reference } }
                result.keys.append(key)
            }
        }
        try unique(result.keys.map(\.id), "keys", "id")
        try unique(result.keys.map(\.keyHash), "keys", "key_hash")
        if let settings = try top.object("settings", allowed: SettingsEndpoints.fields) {
            try within("settings.") { try result.settings.apply(settings) }
        }
        return result
    }

    /// Applies the imported config over `current` in the caller's transaction: deletes what it lacks,
    /// updates what differs, inserts what is new (dependencies first).
    func apply(_ repository: ConfigRepository, over current: ConfigDocument, secretNames: [String]) throws {
        let new = document(secretNames: secretNames).texts
        let old = current.texts
        let gone = Set(old.keys).subtracting(new.keys)
        for key in gone.filter({ $0.kind == "key" }) { try repository.deleteKey(id: key.id) }
        for key in gone.filter({ $0.kind == "team" }) { try repository.deleteTeam(id: key.id) }
        for key in gone.filter({ $0.kind == "catalog" }) { try repository.deleteCatalogEntry(id: Int64(key.id) ?? 0) }
        for key in gone.filter({ $0.kind == "route" }) { try repository.deleteRoute(name: key.id) }
        for key in gone.filter({ $0.kind == "model" }) { try repository.deleteModel(id: key.id) }
        for key in gone.filter({ $0.kind == "provider" }) { try repository.deleteProvider(id: key.id) }
        func changed(_ kind: String, _ id: String) -> Bool { new[ConfigObjectKey(kind: kind, id: id)] != old[ConfigObjectKey(kind: kind, id: id)] }
        func exists(_ kind: String, _ id: String) -> Bool { old[ConfigObjectKey(kind: kind, id: id)] != nil }
        for p in providers where changed("provider", p.id) { try exists("provider", p.id) ? repository.update(p) : repository.insert(p) }
        for m in models where changed("model", m.id) { try exists("model", m.id) ? repository.update(m) : repository.insert(m) }
        for r in routes where changed("route", r.name) { try repository.upsert(r) }
        for c in catalog where changed("catalog", String(c.id)) {
            if exists("catalog", String(c.id)) { try repository.update(c) } else { try repository.insert(c, keepingID: true) }
        }
        for t in teams where changed("team", t.id) { try repository.save(t) }
        for k in keys where changed("key", k.id) {
            // The hash and prefix never change in place: a key whose hash differs is replaced.
            if exists("key", k.id) { try repository.deleteKey(id: k.id) }
            try repository.save(k)
        }
        if changed("settings", "settings") {
            for (name, value) in settings.rendered { try repository.setSetting(name, json: value.isNull ? nil : JSONWriter.string(value)) }
        }
    }

    /// The plan of an import: what it creates, changes and deletes, object by object.
    static func plan(from current: ConfigDocument, to new: ConfigDocument) -> JSONValue {
        let changes = ConfigDocument.changes(from: current.texts, to: new.texts)
        func list(_ pick: (String?, String?) -> Bool) -> JSONValue {
            .array(changes.filter { pick($0.before, $0.after) }.map { .object([("kind", .string($0.key.kind)), ("id", .string($0.key.id))]) })
        }
        return .object([("created", list { $0 == nil && $1 != nil }), ("changed", list { $0 != nil && $1 != nil }),
                        ("deleted", list { $0 != nil && $1 == nil }), ("unchanged", .int(new.texts.count - changes.filter { $0.after != nil }.count))])
    }

    // MARK: Reading helpers

    private static func section(_ top: FieldReader, _ name: String) throws -> [[(String, JSONValue)]] {
        guard let value = top.raw(name), !value.isNull else { return [] }
        guard let items = value.arrayValue else { throw AdminError.invalid(name, "must be an array") }
        return try items.enumerated().map { index, item in
            guard let fields = item.objectValue else { throw AdminError.invalid("\(name)[\(index)]", "must be an object") }
            return fields
        }
    }

    /// An object's `id` and times, and the rest (less `drop`) as an API payload.
    private static func identity(_ object: [(String, JSONValue)], drop: Set<String>, idField: String? = "id") throws
        -> (id: String, created: Int64?, updated: Int64?, payload: [UInt8]) {
        let reader = FieldReader(acceptingAll: object)
        var id = ""
        if let idField {
            id = try reader.requiredString(idField)
            guard (1...128).contains(id.utf8.count), id.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) else {
                throw AdminError.invalid(idField, "must be 1-128 printable characters without spaces")
            }
        }
        func time(_ name: String) throws -> Int64? {
            guard let text = try reader.string(name) else { return nil }
            guard let millis = Timestamp.parse(text) else { throw AdminError.invalid(name, "must be RFC 3339") }
            return millis
        }
        let rest = object.filter { !drop.contains($0.0) && $0.0 != idField && $0.0 != "created_at" && $0.0 != "updated_at" }
        return (id, try time("created_at"), try time("updated_at"), JSONWriter.encode(.object(rest)))
    }

    /// A model's `price_schedule`, each entry read like a `pricing` object, earliest first.
    private static func prices(_ model: FieldReader) throws -> [PriceRecord] {
        guard let value = model.raw("price_schedule"), !value.isNull else { return [] }
        guard let entries = value.arrayValue else { throw AdminError.invalid("price_schedule", "must be an array") }
        let prices = try entries.enumerated().map { index, entry in
            guard let fields = entry.objectValue else { throw AdminError.invalid("price_schedule[\(index)]", "must be an object") }
            return try ModelPayload.price(try FieldReader(object: fields, allowed: ModelPayload.pricingFields, prefix: "price_schedule[\(index)]."), now: 0)
        }
        return prices.sorted { $0.effectiveFrom < $1.effectiveFrom }
    }

    private static func unique<T: Hashable>(_ values: [T], _ section: String, _ field: String) throws {
        var seen = Set<T>()
        for (index, value) in values.enumerated() where !seen.insert(value).inserted {
            throw AdminError.invalid("\(section)[\(index)].\(field)", "repeats an earlier \(field) in the document")
        }
    }

    /// Runs `body`, naming the object in any field error it throws.
    private static func within(_ prefix: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as AdminError {
            throw AdminError(error.status, prefix + error.message, field: error.field.map { prefix + $0 } ?? String(prefix.dropLast()))
        }
    }
}
