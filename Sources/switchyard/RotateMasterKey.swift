import Core
import Glibc
import Store

/// `switchyard rotate-master-key [--data-dir DIR] [--db PATH] [--master-key-file PATH]`: seals every stored
/// secret under a new random master key in one transaction. Run it with the gateway stopped.
///
/// Crash-safe order: the new key is written to `<key file>.next` (fsync) before the transaction commits and
/// renamed over the key file after, and `switchyard serve` finishes (or drops) a `.next` left by a crash by
/// checking which key opens the secrets. With the key in `SWITCHYARD_MASTER_KEY` instead of a file, the new
/// key is printed once for the operator to install.
enum RotateMasterKey {
    static func run(_ arguments: [String], environment: [String: String]) throws {
        var values: [String: String] = [:]
        var index = 0
        while index + 1 < arguments.count {
            values[arguments[index]] = arguments[index + 1]
            index += 2
        }
        let directory = try DataDirectory(path: values["--data-dir"] ?? environment["SWITCHYARD_DATA_DIR"] ?? "./var")
        let keyFile = values["--master-key-file"] ?? (environment["SWITCHYARD_MASTER_KEY"] == nil ? directory.file("master-key") : nil)
        guard let current = try keyFile.map({ try currentKey(file: $0) }) ?? environment["SWITCHYARD_MASTER_KEY"].flatMap(Base64.decode),
              current.count == 32 else {
            throw DataDirectoryError(message: "the current master key is missing or not base64 of 32 bytes")
        }
        let database = try Database(path: values["--db"] ?? environment["SWITCHYARD_DB"] ?? directory.file("switchyard.db"))
        let next = Crypto.randomBytes(32)
        let nextText = Base64.encode(next)
        if let keyFile {
            unlink(keyFile + ".next")
            try DataDirectory.writePrivate(nextText + "\n", to: keyFile + ".next")
        }
        let count = try database.write { connection -> Int in
            let repository = ConfigRepository(connection)
            let secrets = try repository.secrets().items
            for var secret in secrets {
                let name = Array(secret.name.utf8)
                let plain: [UInt8]
                do {
                    plain = try SecretBox.open(secret.sealed, key: current, associatedData: name)
                } catch {
                    throw DataDirectoryError(message: "secret \(secret.name) does not open with the current master key; nothing was changed")
                }
                secret.sealed = SecretBox.seal(plain, key: next, associatedData: name)
                try repository.save(secret)
            }
            return secrets.count
        }
        if let keyFile {
            guard rename(keyFile + ".next", keyFile) == 0 else {
                throw DataDirectoryError(message: "re-sealed \(count) secrets but could not move \(keyFile).next over \(keyFile); do it by hand")
            }
            Platform.printOutput("switchyard: re-sealed \(count) secrets; the new master key is in \(keyFile)\n")
        } else {
            Platform.printOutput("switchyard: re-sealed \(count) secrets; set SWITCHYARD_MASTER_KEY=\(nextText) before the next start\n")
        }
    }

    static func currentKey(file: String) throws -> [UInt8]? {
        guard let text = Platform.readTrimmedText(file) else { throw DataDirectoryError(message: "cannot read \(file)") }
        return Base64.decode(text)
    }

    /// At start-up: a `<key file>.next` left by an interrupted rotation replaces the key file when it is the
    /// key that opens the stored secrets, and is removed otherwise.
    static func finishInterrupted(keyFile: String, database: Database) throws {
        let nextFile = keyFile + ".next"
        guard Platform.exists(nextFile), let next = try currentKey(file: nextFile) else { return }
        let secret = try database.read { try ConfigRepository($0).secrets(limit: 1).items.first }
        if let secret, next.count == 32, (try? SecretBox.open(secret.sealed, key: next, associatedData: Array(secret.name.utf8))) != nil {
            guard rename(nextFile, keyFile) == 0 else { throw DataDirectoryError(message: "cannot move \(nextFile) over \(keyFile)") }
        } else {
            unlink(nextFile)
        }
    }
}
