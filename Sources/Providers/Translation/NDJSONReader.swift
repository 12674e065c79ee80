import Core

/// Reads a newline-delimited JSON stream (Ollama): yields each complete line's value; blank lines are
/// skipped, a line longer than `maxLineBytes` is a malformed stream.
struct NDJSONReader {
    static let maxLineBytes = 4 * 1024 * 1024
    private var pending: [UInt8] = []

    mutating func feed(_ bytes: UnsafeRawBufferPointer, providerName: String) throws(GatewayError) -> [JSONValue] {
        var values: [JSONValue] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let value = try parseLine(providerName: providerName) { values.append(value) }
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                guard pending.count <= Self.maxLineBytes else {
                    throw StreamFailure.malformed("a line exceeded \(Self.maxLineBytes) bytes", provider: providerName)
                }
            }
        }
        return values
    }

    /// The last line when the stream ended without a newline after it.
    mutating func finish(providerName: String) throws(GatewayError) -> JSONValue? {
        defer { pending.removeAll() }
        return try parseLine(providerName: providerName)
    }

    private func parseLine(providerName: String) throws(GatewayError) -> JSONValue? {
        guard pending.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { return nil }
        guard let value = try? JSONParser.parse(pending) else {
            throw StreamFailure.malformed("a line is not JSON", provider: providerName)
        }
        return value
    }
}
