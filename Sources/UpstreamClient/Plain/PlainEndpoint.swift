/// Where a plain-HTTP upstream request goes, when the gateway's own HTTP/1.1 client can carry it:
/// an `http://` URL whose host is an IP literal or `localhost` (no DNS lookup on the event loop).
/// Everything else (TLS, HTTP/2, names to resolve) goes through libcurl.
struct PlainEndpoint: Hashable {
    /// The address to connect to, as an IP literal.
    let address: String
    let port: Int
    /// The `Host` header value: the URL's authority.
    let authority: String
    /// The request target: path and query.
    let target: String

    init?(url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = rest[authorityEnd...]
        if let fragment = path.firstIndex(of: "#") { path = path[..<fragment] }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            if host.lowercased() == "localhost" {
                host = "127.0.0.1"
            } else {
                let parts = host.split(separator: ".", omittingEmptySubsequences: false)
                guard parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) && Int($0)! <= 255 }) else {
                    return nil
                }
            }
        }
        var port = 80
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let value = Int(portText), (1...65535).contains(value) else {
                return nil
            }
            port = value
        }
        self.address = String(host)
        self.port = port
        self.authority = String(authority)
        self.target = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : String(path))
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
