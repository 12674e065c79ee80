/// A fixed set of lowercase header names, looked up by a received name's bytes without building a `String`: names are
/// filed by length, so a received name that no member shares a length with (most of them) is refused at one test.
public struct HeaderNameSet: Sendable {
    /// `byLength[n]`: the members n bytes long, as bytes and as the name to report.
    private let byLength: [[(bytes: [UInt8], name: String)]]

    public init(_ names: [String]) {
        var byLength = [[(bytes: [UInt8], name: String)]](repeating: [], count: (names.map(\.utf8.count).max() ?? 0) + 1)
        for name in names { byLength[name.utf8.count].append((Array(name.utf8), name)) }
        self.byLength = byLength
    }

    /// The member equal to `received` ignoring ASCII case, or nil.
    public func member(_ received: UnsafeBufferPointer<UInt8>) -> String? {
        guard received.count < byLength.count else { return nil }
        for candidate in byLength[received.count] {
            if candidate.bytes.withUnsafeBufferPointer({ asciiCaseInsensitiveEquals(received, $0) }) { return candidate.name }
        }
        return nil
    }
}
