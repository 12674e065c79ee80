import Core
import Glibc

/// Why an event stream cannot be relayed.
public enum SSEStreamError: Error, Sendable, Equatable {
    /// One event grew past the limit without ending.
    case eventTooLong(limit: Int)
}

/// Splits an event stream into the raw bytes of whole events (each ending with its blank line),
/// without decoding them, so a relay can forward most events as they came and decode only the few
/// it must look into. Accepts LF, CRLF and CR line endings; bytes of an unfinished event are kept.
public struct SSEEventSplitter: Sendable {
    var pending: [UInt8] = []
    /// The largest event accepted; a longer one fails the stream instead of growing memory without bound.
    public let maxEventBytes: Int

    public init(maxEventBytes: Int = 4 * 1024 * 1024) { self.maxEventBytes = maxEventBytes }

    /// True when bytes of an unfinished event are held.
    public var hasPartialEvent: Bool { pending.contains { $0 != 10 && $0 != 13 } }

    /// Calls `body` with each event that `input` completes, in order.
    public mutating func feed(_ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) throws(SSEStreamError) {
        if pending.isEmpty {
            let used = Self.split(input, body)
            if used < input.count { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[used...])) }
        } else {
            pending.append(contentsOf: input)
            let used = pending.withUnsafeBytes { Self.split($0, body) }
            pending.removeFirst(used)
        }
        guard pending.count <= maxEventBytes else { throw SSEStreamError.eventTooLong(limit: maxEventBytes) }
    }

    /// Like `feed`, but the whole events `input` completes go to `run` in one piece when they can be told apart without
    /// walking their lines: nothing is held from an earlier read and `input` has no CR, so each event ends at a "\n\n"
    /// (`lfEvent(around:in:from:)` finds one). Otherwise each event goes to `event` on its own, as `feed` hands them. A
    /// run may carry a stray blank line between events (`feed` drops those; SSE clients ignore them).
    public mutating func feed(_ input: UnsafeRawBufferPointer, run: (UnsafeRawBufferPointer) -> Void,
                              event: (UnsafeRawBufferPointer) -> Void) throws(SSEStreamError) {
        guard pending.isEmpty, let base = input.baseAddress, memchr(base, 13, input.count) == nil else {
            return try feed(input, event)
        }
        var start = 0
        while start < input.count && input[start] == 10 { start += 1 }  // blank lines before the first event
        let end = Self.endOfLastLFEvent(in: input)
        if end > start { run(UnsafeRawBufferPointer(rebasing: input[start..<end])) }
        if end < input.count { try feed(UnsafeRawBufferPointer(rebasing: input[max(start, end)...]), event) }
    }

    /// Where the last "\n\n" in `input` ends (0 when there is none): looked for line by line from the end, where a read
    /// usually stops.
    static func endOfLastLFEvent(in input: UnsafeRawBufferPointer) -> Int {
        var searchEnd = input.count
        while let lineFeed = ByteSearch.lastOffset(of: 10, in: input, before: searchEnd), lineFeed > 0 {
            if input[lineFeed - 1] == 10 { return lineFeed + 1 }
            searchEnd = lineFeed
        }
        return 0
    }

    /// The event of `run` (whole events each ending at a "\n\n", no CR) holding the byte at `offset`, from its first byte
    /// through its blank line; it starts no earlier than `lowerBound`, where an event begins.
    public static func lfEvent(around offset: Int, in run: UnsafeRawBufferPointer, from lowerBound: Int) -> Range<Int> {
        // Back line by line to a line feed that follows another (the blank line before the event), ...
        var start = lowerBound
        var searchEnd = offset
        while let lineFeed = ByteSearch.lastOffset(of: 10, in: run, before: searchEnd), lineFeed > lowerBound {
            if run[lineFeed - 1] == 10 {
                start = lineFeed + 1
                break
            }
            searchEnd = lineFeed
        }
        // ... and on line by line to its own blank line.
        var end = run.count
        var searchFrom = offset
        while let lineFeed = ByteSearch.firstOffset(of: 10, in: run, from: searchFrom) {
            if lineFeed + 1 < run.count && run[lineFeed + 1] == 10 {
                end = lineFeed + 2
                break
            }
            searchFrom = lineFeed + 1
        }
        return start..<end
    }

    /// At the end of the stream: yields a held event whose last line ended in a lone CR (it is complete).
    public mutating func finish(_ body: (UnsafeRawBufferPointer) -> Void) {
        if pending.last == 13 && hasPartialEvent { pending.withUnsafeBytes { body($0) } }
        pending.removeAll()
    }

    /// Emits complete events from `buffer`; returns how many bytes they used. Line ends are found with
    /// `memchr` (SIMD in glibc) rather than byte by byte: events are long, their lines few. CRs are looked for line by
    /// line only in a buffer that has one (most streams end lines with LF alone: one search a line, not two).
    public static func split(_ buffer: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var eventStart = 0
        var lineStart = 0
        var index = 0
        let count = buffer.count
        let hasCarriageReturn = memchr(base, 13, count) != nil
        while index < count {
            // The next CR or LF: the LF if there is one, unless a CR (CR or CRLF line end) comes first.
            let lineFeed = memchr(base + index, 10, count - index)
            let searched = lineFeed.map { (base + index).distance(to: UnsafeRawPointer($0)) } ?? (count - index)
            if hasCarriageReturn, let carriageReturn = memchr(base + index, 13, searched) {
                index += (base + index).distance(to: UnsafeRawPointer(carriageReturn))
            } else if lineFeed != nil {
                index += searched
            } else {
                break
            }
            var terminatorEnd = index + 1
            if buffer[index] == 13 {
                // A CR at the very end may be the first half of a CRLF: wait for the next byte.
                guard index + 1 < count else { break }
                if buffer[index + 1] == 10 { terminatorEnd = index + 2 }
            }
            if index == lineStart {
                // An empty line ends the event; a stray blank line with nothing before it is skipped.
                if lineStart > eventStart { body(UnsafeRawBufferPointer(rebasing: buffer[eventStart..<terminatorEnd])) }
                eventStart = terminatorEnd
            }
            lineStart = terminatorEnd
            index = terminatorEnd
        }
        return eventStart
    }
}
