import Core

/// API-key references (`env:NAME`, `file:/path`, `secret:NAME`) and their resolution. Resolved values never
/// leave the snapshot.
enum SecretReference {
    /// Checks the reference's syntax; throws a 422 naming `field`.
    static func validate(_ reference: String, field: String) throws(AdminError) {
        if reference.hasPrefix("env:") {
            let name = reference.dropFirst(4)
            guard let first = name.utf8.first, !(48...57).contains(first),
                  name.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }) else {
                throw AdminError.invalid(field, "env: must name an environment variable (letters, digits and '_')")
            }
        } else if reference.hasPrefix("file:") {
            guard reference.dropFirst(5).hasPrefix("/") else { throw AdminError.invalid(field, "file: must give an absolute path") }
        } else if reference.hasPrefix("secret:") {
            guard isSecretName(String(reference.dropFirst(7))) else {
                throw AdminError.invalid(field, "secret: must name a stored secret (1-128 of letters, digits, '-', '_' and '.')")
            }
        } else {
            throw AdminError.invalid(field, "must be a reference: env:NAME, file:/path or secret:NAME (never the key itself)")
        }
    }

    /// A secret's name: 1-128 of letters, digits, '-', '_' and '.'.
    static func isSecretName(_ name: String) -> Bool {
        (1...128).contains(name.utf8.count) && name.utf8.allSatisfy {
            ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 || $0 == 46
        }
    }

    /// The secret a reference points at, or why it cannot be had (the reason never contains the secret);
    /// `stored` opens a `secret:` reference's value from the secrets store.
    static func resolve(_ reference: String, stored: (String) -> String? = { _ in nil }) -> Result<String, ResolutionProblem> {
        if reference.hasPrefix("secret:") {
            let name = String(reference.dropFirst(7))
            guard let value = stored(name) else {
                return .failure(ResolutionProblem(reason: "secret \(name) is not stored (or cannot be opened with the master key)"))
            }
            return .success(value)
        }
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard let value = Platform.environment(name), !value.isEmpty else {
                return .failure(ResolutionProblem(reason: "environment variable \(name) is not set"))
            }
            return .success(value)
        }
        if reference.hasPrefix("file:") {
            let path = String(reference.dropFirst(5))
            guard let value = Platform.readTrimmedText(path) else {
                return .failure(ResolutionProblem(reason: "key file \(path) cannot be read"))
            }
            guard !value.isEmpty else { return .failure(ResolutionProblem(reason: "key file \(path) is empty")) }
            return .success(value)
        }
        return .failure(ResolutionProblem(reason: "unsupported key reference"))
    }

    struct ResolutionProblem: Error {
        let reason: String
    }
}
