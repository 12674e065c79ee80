extension ConfigRepository {
    /// Every stored gateway setting: name to its JSON text.
    public func settings() throws -> [String: String] {
        var settings: [String: String] = [:]
        for row in try connection.query("SELECT name, value FROM settings") {
            settings[row[0].string ?? ""] = row[1].string ?? "null"
        }
        return settings
    }

    /// Stores `json` as the setting `name`, or removes the setting when `json` is nil.
    public func setSetting(_ name: String, json: String?) throws {
        guard let json else {
            try connection.execute("DELETE FROM settings WHERE name = ?", [name])
            return
        }
        try connection.execute("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                               [name, json])
    }
}
