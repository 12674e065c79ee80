import Core
import Store

/// The whole config as one JSON document (`GET /config/export`, `POST /config/import`, each recorded
/// version): providers, models with their price schedules, routes, catalog entries, teams, keys (by hash,
/// never the key) and the settings, each object as the API renders it less what is derived from others.
/// Secret values are never part of it: providers keep their references and `secrets` lists the names
/// stored. Runtime state (spend, breakers, counters) is not config, so an import cannot reset it.
struct ConfigDocument {
    static let format = "switchyard-config/1"
    /// The document's sections, in the order they are written and applied.
    static let kinds = ["provider", "model", "route", "catalog", "team", "key", "settings"]
    static let sections = ["provider": "providers", "model": "models", "route": "routes", "catalog": "catalog", "team": "teams", "key": "keys"]

    /// Every object by kind and id (routes by name, the settings as one object with id `settings`).
    var objects: [ConfigObjectKey: JSONValue]
    var secretNames: [String] = []

    /// The config as committed now.
    static func current(_ repository: ConfigRepository) throws -> ConfigDocument {
        var objects: [ConfigObjectKey: JSONValue] = [:]
        func add(_ kind: String, _ id: String, _ body: JSONValue) { objects[ConfigObjectKey(kind: kind, id: id)] = body }
        for provider in try repository.providers().items { add("provider", provider.id, ProviderPayload.render(provider)) }
        for model in try repository.models().items { add("model", model.id, exported(model)) }
        for route in try repository.routes().items { add("route", route.name, RouteEndpoints.render(route)) }
        for entry in try repository.catalog().items { add("catalog", String(entry.id), CatalogEndpoints.render(entry)) }
        for team in try repository.teams().items { add("team", team.id, AccessPayload.render(team)) }
        for key in try repository.keys().items { add("key", key.id, exported(key)) }
        add("settings", "settings", SettingsEndpoints.Stored(try repository.settings()).json)
        return ConfigDocument(objects: objects, secretNames: try repository.secrets().items.map(\.name))
    }

    /// A model without what depends on the clock or on its provider's name: the schedule, not the price in force.
    static func exported(_ model: ModelRecord) -> JSONValue {
        ModelPayload.render(model, providerName: nil).removing(["provider_name", "pricing"])
    }

    /// A key by its hash (what authenticates it) without its team's name.
    static func exported(_ key: KeyRecord) -> JSONValue {
        AccessPayload.render(key, teamName: nil).removing(["team_name"]).adding([("key_hash", .string(key.keyHash))])
    }

    /// Each object's JSON text, as versions store it and diffs compare it.
    var texts: [ConfigObjectKey: String] { objects.mapValues(JSONWriter.string) }

    /// The document as exported.
    func json(version: Int) -> JSONValue {
        var fields: [(String, JSONValue)] = [("format", .string(Self.format)), ("version", .int(version))]
        for kind in Self.kinds where kind != "settings" {
            let section = objects.filter { $0.key.kind == kind }.sorted { $0.key < $1.key }.map(\.value)
            fields.append((Self.sections[kind]!, .array(section)))
        }
        fields.append(("settings", objects[ConfigObjectKey(kind: "settings", id: "settings")] ?? SettingsEndpoints.Stored().json))
        fields.append(("secrets", .array(secretNames.sorted().map { .string($0) })))
        return .object(fields)
    }

    /// A document rebuilt from a recorded version's object texts.
    init(texts: [ConfigObjectKey: String], secretNames: [String]) {
        objects = texts.compactMapValues { try? JSONParser.parse(Array($0.utf8)) }
        self.secretNames = secretNames
    }

    init(objects: [ConfigObjectKey: JSONValue], secretNames: [String]) {
        self.objects = objects
        self.secretNames = secretNames
    }

    /// What changes from `old` to `new`, object by object, in document order.
    static func changes(from old: [ConfigObjectKey: String], to new: [ConfigObjectKey: String]) -> [(key: ConfigObjectKey, before: String?, after: String?)] {
        let keys = Set(old.keys).union(new.keys).sorted { (kinds.firstIndex(of: $0.kind) ?? 99, $0.id) < (kinds.firstIndex(of: $1.kind) ?? 99, $1.id) }
        return keys.compactMap { key in old[key] == new[key] ? nil : (key, old[key], new[key]) }
    }
}

extension JSONValue {
    /// An object without the named fields (other values unchanged).
    func removing(_ names: Set<String>) -> JSONValue {
        guard case .object(let fields) = self else { return self }
        return .object(fields.filter { !names.contains($0.0) })
    }

    /// An object with fields appended.
    func adding(_ extra: [(String, JSONValue)]) -> JSONValue {
        guard case .object(let fields) = self else { return self }
        return .object(fields + extra)
    }
}
