import Core
import HTTPKit

/// The request parser: the same requests (or the same refusal) whatever the TCP segmentation.
enum HTTPRequestFuzzing {
    /// Small limits, so inputs of a few KiB reach every limit check.
    static let limits = HTTPParserLimits(maxHeadBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 2048)

    static func run(_ input: [UInt8]) {
        let outcomes = Splits.of(input).map(parse)
        for other in outcomes.dropFirst() where other != outcomes[0] { violated("requests differ by split", outcomes[0], other) }
    }

    /// Each request as text, then how the input ended: a refusal (with its status) or waiting for more.
    static func parse(_ pieces: [ArraySlice<UInt8>]) -> [String] {
        var parser = HTTPRequestParser(limits: limits)
        var outcome: [String] = []
        for piece in pieces {
            piece.withUnsafeBytes { parser.append($0) }
            while true {
                do {
                    guard let request = try parser.next() else { break }
                    outcome.append(describe(request))
                } catch let error as HTTPParseError {
                    guard [400, 405, 413, 431, 501, 505].contains(error.status) else { fatalError("undocumented status \(error.status)") }
                    outcome.append("refused \(error.status)")
                    return outcome
                } catch {
                    fatalError("undocumented error \(error)")
                }
            }
        }
        return outcome
    }

    static func describe(_ request: HTTPRequest) -> String {
        let headers = request.headers.fields.map { "\($0.name): \($0.value)" }.joined(separator: "|")
        // The path and the decoded query too: what handlers read from a request must not trap either.
        let query = request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        return "\(request.method) \(request.path) ? \(query) 1.\(request.versionMinor) [\(headers)] body \(Crypto.hex(Crypto.sha256(request.body)))"
    }
}

/// The chunked body decoder on its own: same body, same end, same refusal for every split.
enum ChunkedFuzzing {
    static func run(_ input: [UInt8]) {
        let outcomes = Splits.of(input).map(decode)
        for other in outcomes.dropFirst() where other != outcomes[0] { violated("chunked body differs by split", outcomes[0], other) }
    }

    static func decode(_ pieces: [ArraySlice<UInt8>]) -> String {
        var decoder = ChunkedDecoder(maxBodyBytes: 2048)
        var body: [UInt8] = []
        var used = 0
        for piece in pieces where !decoder.isDone {
            do {
                used += try piece.withUnsafeBufferPointer { try decoder.decode($0, into: &body) }
            } catch let error as HTTPParseError {
                return "refused \(error.status) after \(body.count) bytes"
            } catch {
                fatalError("undocumented error \(error)")
            }
        }
        guard body.count == decoder.bodyBytes else { fatalError("bodyBytes \(decoder.bodyBytes) but \(body.count) decoded") }
        return "done \(decoder.isDone) used \(used) body \(Crypto.hex(Crypto.sha256(body)))"
    }
}

/// The SSE event splitter: the same events for every split, each ending in its blank line, whether handed over one by
/// one or in runs of whole events (split again here, and each event of a run found again by `lfEvent` from any of its
/// bytes).
enum SSEFuzzing {
    static func run(_ input: [UInt8]) {
        let outcomes = Splits.of(input).flatMap { [split($0, inRuns: false), split($0, inRuns: true)] }
        for other in outcomes.dropFirst() where other != outcomes[0] { violated("events differ by split", outcomes[0], other) }
    }

    static func split(_ pieces: [ArraySlice<UInt8>], inRuns: Bool) -> [[UInt8]] {
        var splitter = SSEEventSplitter()
        var events: [[UInt8]] = []
        for piece in pieces {
            do {
                try piece.withUnsafeBytes { bytes in
                    if inRuns {
                        try splitter.feed(bytes, run: { events += eventsOfRun($0) }, event: { events.append(Array($0)) })
                    } else {
                        try splitter.feed(bytes) { events.append(Array($0)) }
                    }
                }
            } catch {
                fatalError("an event of a few KiB exceeded the 4 MiB limit: \(error)")
            }
        }
        splitter.finish { events.append(Array($0)) }
        return events
    }

    /// A run's events, each checked to be what `lfEvent` finds around each of its bytes.
    static func eventsOfRun(_ run: UnsafeRawBufferPointer) -> [[UInt8]] {
        var events: [[UInt8]] = []
        _ = SSEEventSplitter.split(run) { event in
            let start = run.baseAddress!.distance(to: event.baseAddress!)
            for offset in start..<(start + event.count - 2) {
                let found = SSEEventSplitter.lfEvent(around: offset, in: run, from: 0)
                if found != start..<(start + event.count) { violated("lfEvent around \(offset)", start..<(start + event.count), found) }
            }
            events.append(Array(event))
        }
        return events
    }
}
