import Core
import Glibc
import Store
import Synchronization
import UpstreamClient

/// A data plane's hold on its config: long-polls the control plane's `config/watch` with the data-plane
/// token, turns each version it receives into a snapshot (every object checked as an import is) and
/// publishes it, and keeps the last good one on disk, sealed with a key derived from the token, to start
/// from when the control plane is away. It never stops serving what it has.
public final class ConfigFollower: Sendable {
    let watchURL: String
    let token: String
    let cachePath: String
    let publisher: SnapshotPublisher
    let onPublish: @Sendable (ConfigSnapshot) -> Void
    let logger = Logger(label: "config-follower")
    /// When the version in force arrived (monotonic milliseconds), 0 before any.
    private let receivedAt = Atomic<Int64>(0)
    private let stopped = Atomic<Bool>(false)

    public init(controlPlane: String, token: String, cachePath: String, publisher: SnapshotPublisher,
                onPublish: @escaping @Sendable (ConfigSnapshot) -> Void) {
        watchURL = (controlPlane.hasSuffix("/") ? String(controlPlane.dropLast()) : controlPlane) + "/admin/v1/config/watch"
        self.token = token
        self.cachePath = cachePath
        self.publisher = publisher
        self.onPublish = onPublish
    }

    /// The version in force and how long ago it arrived (nil before any config).
    public var state: (version: Int, ageMillis: Int64)? {
        let at = receivedAt.load(ordering: .relaxed)
        guard at > 0 else { return nil }
        return (publisher.current.version, max(0, Self.nowMillis() - at))
    }

    static func nowMillis() -> Int64 { Int64(Timestamp.monotonicNanos() / 1_000_000) }

    /// Starts from the control plane if it answers within `waitMillis`, else from the cached config; then
    /// follows on a thread of its own. Throws when there is neither.
    public func start(waitMillis: Int) throws {
        if !poll(timeoutSeconds: 0, requestTimeoutMillis: waitMillis) {
            guard let cached = Platform.readFile(cachePath), let payload = try? SecretBox.open(cached, key: cacheKey, associatedData: Self.cacheLabel),
                  (try? apply(payload, persist: false)) != nil else {
                throw ConfigFollowerError(message: "the control plane at \(watchURL) did not answer and there is no cached config at \(cachePath)")
            }
            logger.warning("control plane unreachable; serving the cached config", [("version", String(publisher.current.version))])
        }
        Platform.startThread(name: "config-follower") { [self] in
            var backoffMillis = 200
            while !stopped.load(ordering: .relaxed) {
                if poll(timeoutSeconds: 20, requestTimeoutMillis: 30_000) {
                    backoffMillis = 200
                } else {
                    usleep(UInt32(backoffMillis) * 1000)
                    backoffMillis = min(backoffMillis * 2, 2_000)
                }
            }
        }
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// One long poll; true when the control plane answered (with a new version or "no change").
    private func poll(timeoutSeconds: Int, requestTimeoutMillis: Int) -> Bool {
        let after = receivedAt.load(ordering: .relaxed) == 0 ? 0 : publisher.current.version
        let url = "\(watchURL)?after=\(after)&timeout_s=\(timeoutSeconds)"
        switch BlockingHTTP.send(url, method: "GET", headers: ["Authorization: Bearer \(token)"], timeoutMillis: requestTimeoutMillis) {
        case .success(let answer) where answer.status == 200:
            do {
                try apply(answer.body, persist: true)
                return true
            } catch {
                logger.error("the control plane sent a config this data plane cannot use; keeping the current one", [("error", "\(error)")])
                return false
            }
        case .success(let answer) where answer.status == 204:
            return true
        case .success(let answer):
            logger.error("the control plane refused the config watch", [("status", String(answer.status))])
            return false
        case .failure(let failure):
            if receivedAt.load(ordering: .relaxed) != 0 { logger.debug("control plane unreachable", [("error", failure.description)]) }
            return false
        }
    }

    /// Publishes a distribution payload (`{version, document, secrets}`) and, when `persist`, caches it.
    private func apply(_ payload: [UInt8], persist: Bool) throws {
        let json = try JSONParser.parse(payload)
        guard let version = json["version"]?.intValue, let document = json["document"] else {
            throw ConfigFollowerError(message: "the distribution has no version or document")
        }
        let imported = try ConfigImport.read(JSONWriter.encode(document), now: Timestamp.nowMillis())
        var secrets: [String: String] = [:]
        for (name, value) in json["secrets"]?.objectValue ?? [] { secrets[name] = value.stringValue }
        var settings: [String: String] = [:]
        for (name, value) in imported.settings.rendered where !value.isNull { settings[name] = JSONWriter.string(value) }
        let snapshot = SnapshotBuilder.build(version: version, providers: imported.providers, models: imported.models, routes: imported.routes,
                                             catalog: imported.catalog, keys: imported.keys, teams: imported.teams, settings: settings,
                                             secrets: secrets, now: Timestamp.nowMillis())
        publisher.publish(snapshot)
        receivedAt.store(Self.nowMillis(), ordering: .relaxed)
        onPublish(snapshot)
        logger.info("configuration loaded", [("version", String(version))])
        if persist && !Platform.writeFileAtomically(cachePath, SecretBox.seal(payload, key: cacheKey, associatedData: Self.cacheLabel)) {
            logger.error("could not cache the config on disk", [("path", cachePath)])
        }
    }

    static let cacheLabel = Array("switchyard-config-cache/1".utf8)
    private var cacheKey: [UInt8] { Crypto.sha256(Array(("switchyard-config-cache:" + token).utf8)) }
}

struct ConfigFollowerError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
