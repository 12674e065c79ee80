/// AWS Signature Version 4 for one HTTP request (Bedrock's `bedrock` service): the canonical request,
/// the string to sign and the derived signing key, all with HMAC-SHA256 from OpenSSL.
public struct AWSSigV4: Sendable {
    /// Long-term or temporary credentials; `sessionToken` is sent as `x-amz-security-token`.
    public struct Credentials: Sendable, Equatable {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String?
        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        /// Reads `ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]`, the form a key reference resolves to.
        public init?(reference value: String) {
            let parts = value.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self.init(accessKeyID: parts[0], secretAccessKey: parts[1], sessionToken: parts.count == 3 && !parts[2].isEmpty ? parts[2] : nil)
        }
    }

    public let credentials: Credentials
    public let region: String
    public let service: String

    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request (`x-amz-date`, `x-amz-content-sha256`, the token when present,
    /// `authorization`); `headers` must already hold every other header to sign, including `host`.
    /// `path` is the URL path as sent (already percent-encoded); `amzDate` is `yyyyMMddTHHmmssZ`.
    public func signatureHeaders(method: String, path: String, query: String, headers: [(String, String)], body: [UInt8],
                                 amzDate: String) -> [(String, String)] {
        let payloadHash = Crypto.sha256Hex(body)
        var added: [(String, String)] = [("x-amz-date", amzDate), ("x-amz-content-sha256", payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let signature = sign(method: method, path: path, query: query, headers: headers + added, payloadHash: payloadHash, amzDate: amzDate)
        added.append(("authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(amzDate)), "
                                       + "SignedHeaders=\(signature.signedHeaders), Signature=\(signature.value)"))
        return added
    }

    /// The signature and the signed header list for a request whose headers are all in `headers`.
    public func sign(method: String, path: String, query: String, headers: [(String, String)], payloadHash: String,
                     amzDate: String) -> (value: String, signedHeaders: String) {
        var canonical: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            let trimmed = Self.collapseSpaces(value)
            canonical[key] = canonical[key].map { $0 + "," + trimmed } ?? trimmed
        }
        let names = canonical.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let request = [method, Self.canonicalPath(path), Self.canonicalQuery(query),
                       names.map { "\($0):\(canonical[$0]!)\n" }.joined(), signedHeaders, payloadHash].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope(amzDate), Crypto.sha256Hex(Array(request.utf8))].joined(separator: "\n")
        var key = Array(("AWS4" + credentials.secretAccessKey).utf8)
        for part in [String(amzDate.prefix(8)), region, service, "aws4_request"] {
            key = Crypto.hmacSHA256(key: key, Array(part.utf8))
        }
        return (Crypto.hex(Crypto.hmacSHA256(key: key, Array(stringToSign.utf8))), signedHeaders)
    }

    func scope(_ amzDate: String) -> String { "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request" }

    /// Every service but S3 encodes each path segment twice: the path as sent is encoded once more.
    static func canonicalPath(_ path: String) -> String {
        path.isEmpty ? "/" : path.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
    }

    /// Query parameters sorted by name, each name and value URI-encoded.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? String(parts[1]) : ""
            pairs.append((uriEncode(String(parts[0])), uriEncode(value)))
        }
        pairs.sort { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        return pairs.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    /// RFC 3986 encoding: everything but unreserved characters as `%XX` (upper-case hex).
    public static func uriEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case 48...57, 65...90, 97...122, 45, 46, 95, 126: out.append(byte)
            default: out += [37, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func collapseSpaces(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for character in Platform.trimmed(value) {
            if character == " " {
                if !lastWasSpace { out.append(character) }
                lastWasSpace = true
            } else {
                out.append(character)
                lastWasSpace = false
            }
        }
        return out
    }

    /// The region in a Bedrock runtime URL (`https://bedrock-runtime[-fips].<region>.amazonaws.com`), if it names one.
    public static func region(inBedrockURL url: String) -> String? {
        let rest = url.split(separator: "://", maxSplits: 1).last ?? Substring(url)
        let host = rest.prefix { $0 != "/" && $0 != ":" && $0 != "?" }
        let labels = host.split(separator: ".")
        guard labels.count >= 4, labels[0].hasPrefix("bedrock-runtime"), labels[2] == "amazonaws" else { return nil }
        return String(labels[1])
    }

    /// `yyyyMMddTHHmmssZ` for epoch milliseconds.
    public static func amzDate(_ millis: Int64) -> String {
        let iso = Timestamp.iso8601(millis)  // 2026-11-22T01:02:03.456Z
        return String(iso.prefix(19).filter { $0 != "-" && $0 != ":" }) + "Z"
    }
}
