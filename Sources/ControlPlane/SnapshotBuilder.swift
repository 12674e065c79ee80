import Core
import Store

/// Turns the committed configuration into an immutable `ConfigSnapshot`, resolving API-key references.
enum SnapshotBuilder {
    static func build(version: Int, providers: [ProviderRecord], models: [ModelRecord], routes: [RouteRecord] = [], catalog: [CatalogRecord] = [],
                      keys: [KeyRecord] = [], teams: [TeamRecord] = [], settings: [String: String] = [:], secrets: [String: String] = [:],
                      now: Int64) -> ConfigSnapshot {
        var refused: [String: Set<String>] = [:]
        for entry in catalog where entry.unsupportedParams != "[]" {
            let names = ((try? JSONParser.parse(Array(entry.unsupportedParams.utf8)))?.arrayValue ?? []).compactMap(\.stringValue)
            refused[entry.kind + "\u{0}" + entry.model] = Set(names)
        }
        let kinds = Dictionary(providers.map { ($0.id, $0.kind) }, uniquingKeysWith: { first, _ in first })
        let resolved = providers.compactMap { record -> ProviderConfig? in
            guard let kind = ProviderKind(rawValue: record.kind) else { return nil }
            var key: String?
            var problem: String?
            if let reference = record.apiKeyRef {
                switch SecretReference.resolve(reference, stored: { secrets[$0] }) {
                case .success(let value): key = value
                case .failure(let failure): problem = failure.reason
                }
            }
            let defaults = UpstreamTimeouts()
            let settings = try? JSONParser.parse(record.settings)
            return ProviderConfig(id: record.id, name: record.name, kind: kind, baseURL: record.baseURL, apiKey: key, apiKeyProblem: problem,
                                  caFile: settings?["ca_file"]?.stringValue, apiVersion: settings?["api_version"]?.stringValue,
                                  region: settings?["region"]?.stringValue,
                                  timeouts: UpstreamTimeouts(connectMillis: record.connectTimeoutMillis ?? defaults.connectMillis,
                                                             firstByteMillis: record.firstByteTimeoutMillis ?? defaults.firstByteMillis,
                                                             totalMillis: record.totalTimeoutMillis ?? defaults.totalMillis,
                                                             streamIdleMillis: record.streamIdleTimeoutMillis ?? defaults.streamIdleMillis),
                                  enabled: record.enabled, rpm: record.rpm, tpm: record.tpm)
        }
        let deployments = models.map { m in
            var deployment = ModelDeployment(id: m.id, name: m.name, providerID: m.providerID, upstreamModel: m.upstreamModel,
                            prices: PriceSchedule(m.prices.map(Self.entry)),
                            priority: m.priority, weight: m.weight, enabled: m.enabled, contextWindow: m.contextWindow,
                            rpm: m.rpm, tpm: m.tpm)
            deployment.maxOutputTokens = m.maxOutputTokens
            deployment.unsupportedParams = refused[(kinds[m.providerID] ?? "") + "\u{0}" + m.upstreamModel] ?? []
            return deployment
        }
        let policies = routes.map { r in
            var policy = RoutePolicy(name: r.name, strategy: RoutePolicy.Strategy(rawValue: r.strategy) ?? .priority,
                                     fallbacks: ((try? JSONParser.parse(Array(r.fallbacks.utf8)))?.arrayValue ?? []).compactMap(\.stringValue),
                                     retries: r.retries, timeoutMillis: r.timeoutMillis, affinityTTLSeconds: r.affinityTTLSeconds,
                                     hedgeAfterMillis: RouteEndpoints.hedgeAfterMillis(r.hedge),
                                     rejectUnsupportedParams: r.unsupportedParams == "reject")
            policy.streamRecovery = r.streamRecovery == "continue"
            policy.cacheTTLSeconds = RouteEndpoints.cacheTTLSeconds(r.cache)
            let timeouts = try? JSONParser.parse(Array(r.timeouts.utf8))
            policy.connectTimeoutMillis = timeouts?["connect_ms"]?.intValue
            policy.firstByteTimeoutMillis = timeouts?["first_byte_ms"]?.intValue
            policy.streamIdleTimeoutMillis = timeouts?["stream_idle_ms"]?.intValue
            return policy
        }
        let budget: (BudgetRecord?) -> Budget? = { record in
            record.flatMap { r in BudgetPeriod(rawValue: r.period).map { Budget(limit: Micros(r.limitMicros), period: $0, softLimitPercent: r.softLimitPercent) } }
        }
        var virtualKeys: [String: VirtualKey] = [:]
        for k in keys {
            let allowed = ((try? JSONParser.parse(Array(k.allowedModels.utf8)))?.arrayValue ?? []).compactMap(\.stringValue)
            virtualKeys[k.keyHash] = VirtualKey(id: k.id, name: k.name, teamID: k.teamID, allowedModels: allowed, rpm: k.rpm, tpm: k.tpm,
                                                budget: budget(k.budget), expiresAtMillis: k.expiresAt, enabled: k.enabled, logBodies: k.logBodies)
        }
        let stored = SettingsEndpoints.Stored(settings)
        let webhook = stored.webhookURL.map { url in
            switch stored.webhookSecretRef.map({ SecretReference.resolve($0, stored: { secrets[$0] }) }) {
            case .success(let secret): AlertWebhook(url: url, secret: secret)
            case .failure(let failure): AlertWebhook(url: url, secret: nil, secretProblem: failure.reason)
            case nil: AlertWebhook(url: url, secret: nil)
            }
        }
        return ConfigSnapshot(version: version, createdAtMillis: now, providers: resolved, models: deployments, routes: policies,
                              keys: virtualKeys, teams: teams.map { Team(id: $0.id, name: $0.name, rpm: $0.rpm, tpm: $0.tpm, budget: budget($0.budget)) },
                              settings: GatewaySettings(unpricedPolicy: stored.unpricedPolicy, budget: budget(stored.budget), alertWebhook: webhook))
    }

    /// A stored price as the data plane applies it.
    static func entry(_ price: PriceRecord) -> PriceSchedule.Entry {
        PriceSchedule.Entry(effectiveFromMillis: price.effectiveFrom,
                            pricing: Pricing(inputPerMTok: Micros(price.inputMicros), outputPerMTok: Micros(price.outputMicros),
                                             cachedInputPerMTok: Micros(price.cachedInputMicros), reasoningPerMTok: price.reasoningMicros.map(Micros.init)))
    }
}
