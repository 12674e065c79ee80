/// A `host:port` (or `[v6]:port`) listen address as given on a command line.
public struct ListenAddress: Sendable, Equatable {
    public let host: String
    public let port: Int

    /// Parses `127.0.0.1:8080`, `[::1]:8080` or `localhost:0`; nil when it is not host:port.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" { host = "127.0.0.1" }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}
