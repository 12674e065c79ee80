import Core

/// What to do with request parameters the chosen deployment's model refuses (its catalog entry's
/// `unsupported_params`): drop them before the request goes out, or, on a route that says `reject`, refuse
/// the request for that deployment (the next one that accepts them is tried; 400 when none does).
/// Either way such a parameter never reaches a provider to come back as an error.
enum ParameterPolicy {
    /// The parameters among `present` that `deployment` refuses, sorted; throws the 400 when the route rejects them.
    static func refused(_ present: @autoclosure () -> Set<String>, by deployment: ModelDeployment, reject: Bool) throws(GatewayError) -> Set<String> {
        guard !deployment.unsupportedParams.isEmpty else { return [] }
        let refused = present().intersection(deployment.unsupportedParams)
        if reject, let first = refused.sorted().first {
            throw GatewayError(status: 400, type: "invalid_request_error", code: "unsupported_parameter",
                               message: "Model '\(deployment.upstreamModel)' does not accept \(refused.sorted().map { "'\($0)'" }.joined(separator: ", ")).",
                               param: first)
        }
        return refused
    }
}
