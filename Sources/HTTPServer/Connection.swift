import CLinux
import Core
import Glibc
import HTTPKit

/// One client connection: reads and parses requests, answers them in order, enforces timeouts.
/// Confined to its event loop's thread.
final class Connection: @unchecked Sendable {
    // Safety: every member is touched only on `loop`'s thread (responder calls hop there first).
    let fd: Int32
    let peer: String
    /// The loop owns its connections and outlives them, so the reference is not checked (a checked `unowned` read
    /// cost an atomic retain and release, five a request here).
    unowned(unsafe) let loop: EventLoop
    private var parser: HTTPRequestParser
    private var writes = WriteQueue()
    /// The response in progress; requests behind it wait in the parser's buffer (pipelining in order).
    private(set) var active: HTTPResponder?
    private var activeIsHead = false
    private var activeVersionMinor = 1
    private var keepAlive = true
    private var streaming = false
    private var closeWhenFlushed = false
    private var closed = false
    /// Output is finished and shut down; input is read and discarded until the peer closes, so an early
    /// answer (413, 400) is not lost to a TCP reset caused by unread request bytes.
    private var lingering = false
    private var lingerDeadline: UInt64 = 0
    static let lingerNanos: UInt64 = 2_000_000_000
    private var dispatching = false
    private var readingPaused = false
    private var wantsWrite = false
    private var flushRequested = false
    private var requestStartedAt: UInt64 = 0
    private var lastReadAt: UInt64
    private var lastWriteProgressAt: UInt64
    private var idleSince: UInt64

    init(fd: Int32, peer: String, loop: EventLoop) {
        self.fd = fd
        self.peer = peer
        self.loop = loop
        parser = HTTPRequestParser(limits: loop.configuration.limits)
        let now = Timestamp.monotonicNanos()
        lastReadAt = now
        lastWriteProgressAt = now
        idleSince = now
    }

    func handleEvents(_ flags: UInt32) {
        if flags & (CLINUX_EPOLLERR | CLINUX_EPOLLHUP) != 0 {
            close()
            return
        }
        if flags & CLINUX_EPOLLOUT != 0 { flush() }
        if !closed, flags & (CLINUX_EPOLLIN | CLINUX_EPOLLRDHUP) != 0 { readAvailable() }
    }

    func readAvailable() {
        let buffer = loop.readBuffer
        while !closed && !readingPaused {
            let result: IOResult
            do {
                result = try systemCall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            } catch {
                close()
                return
            }
            guard case .done(let count) = result else { break }
            if lingering {
                if count == 0 { close() }
                continue
            }
            if count == 0 {
                // The peer closed: an unfinished response has nobody to go to.
                close()
                return
            }
            let now = Timestamp.monotonicNanos()
            if !parser.isMidRequest { requestStartedAt = now }
            lastReadAt = now
            parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            if active != nil && parser.bufferedByteCount > 1 << 20 {
                readingPaused = true
                updateInterest()
            }
            if count < buffer.count { break }
        }
        if !lingering { processRequests() }
    }

    private func processRequests() {
        guard !dispatching else { return }
        dispatching = true
        defer { dispatching = false }
        while active == nil && !closed && !closeWhenFlushed {
            let request: HTTPRequest
            do {
                guard let next = try parser.next() else {
                    if parser.takeContinueRequest() { enqueue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
                    break
                }
                request = next
            } catch let error as HTTPParseError {
                rejectRequest(status: error.status, message: error.message)
                return
            } catch {
                rejectRequest(status: 400, message: "bad request")
                return
            }
            dispatch(request)
        }
        if readingPaused && active == nil {
            readingPaused = false
            updateInterest()
        }
    }

    private func dispatch(_ request: HTTPRequest) {
        let responder = HTTPResponder(connection: self, loop: loop, highWater: loop.configuration.writeHighWaterBytes)
        active = responder
        activeIsHead = request.method == "HEAD"
        activeVersionMinor = request.versionMinor
        keepAlive = request.keepAlive && !loop.draining
        streaming = false
        requestStartedAt = 0
        loop.handler.handle(request, context: RequestContext(peerAddress: peer, loop: loop), responder: responder)
    }

    /// Answers a request the parser refused and closes: the framing can no longer be trusted.
    private func rejectRequest(status: Int, message: String) {
        let response = loop.configuration.errorResponse(status, message)
        enqueue(HTTPResponseEncoder.head(status: status, headers: response.headers, contentLength: response.body.count, keepAlive: false))
        enqueue(response.body)
        closeWhenFlushed = true
        requestFlush()
    }

    // MARK: Responses (called through HTTPResponder on the loop thread)

    func sendComplete(_ response: HTTPResponse, from responder: HTTPResponder) {
        guard active === responder, !streaming else { return }
        var bytes = HTTPResponseEncoder.head(status: response.status, headers: response.headers, contentLength: response.body.count,
                                             keepAlive: keepAlive, versionMinor: activeVersionMinor)
        // One buffer, so a small response leaves in one send.
        if !activeIsHead { bytes.append(contentsOf: response.body) }
        enqueue(bytes)
        finishResponse()
    }

    func sendStreamHead(status: Int, headers: HTTPHeaders, from responder: HTTPResponder) {
        guard active === responder, !streaming else { return }
        streaming = true
        if activeVersionMinor == 0 { keepAlive = false }
        enqueue(HTTPResponseEncoder.head(status: status, headers: headers, contentLength: nil, keepAlive: keepAlive,
                                         versionMinor: activeVersionMinor))
        requestFlush()
    }

    /// Chunks up to this size are framed in one buffer (a copy of the data); larger ones are queued as size line, data
    /// and CRLF. An event of a paced stream took 6.9k instructions with three buffers (a size line allocated, three
    /// buffers queued, three iovecs, three buffers freed) and 6.3k with one.
    static let copiedChunkBytes = 16 * 1024

    func sendStreamChunk(_ bytes: [UInt8], from responder: HTTPResponder) {
        guard active === responder, streaming else { return }
        if activeVersionMinor == 1 && bytes.count <= Self.copiedChunkBytes {
            enqueue(HTTPResponseEncoder.chunk(bytes))
        } else if activeVersionMinor == 1 {
            // Size line, data and CRLF go out together through writev, without copying the data.
            enqueue(HTTPResponseEncoder.chunkHeader(bytes.count))
            enqueue(bytes)
            enqueue(HTTPResponseEncoder.crlf)
        } else {
            enqueue(bytes)
        }
        requestFlush()
    }

    func sendStreamEnd(from responder: HTTPResponder) {
        guard active === responder, streaming else { return }
        if activeVersionMinor == 1 { enqueue(HTTPResponseEncoder.lastChunk) }
        finishResponse()
    }

    private func finishResponse() {
        active?.completed()
        active = nil
        streaming = false
        idleSince = Timestamp.monotonicNanos()
        if !keepAlive { closeWhenFlushed = true }
        requestFlush()
        if !closed && !closeWhenFlushed {
            if loop.draining && !parser.isMidRequest {
                closeWhenFlushed = true
            } else {
                processRequests()
            }
        }
    }

    // MARK: Writing

    private func enqueue(_ bytes: [UInt8]) {
        writes.append(bytes)
        active?.queued.store(writes.byteCount, ordering: .relaxed)
    }

    /// Flushes at the end of this loop turn, so everything a turn produced leaves in one writev.
    private func requestFlush() {
        guard !flushRequested else { return }
        flushRequested = true
        loop.connectionsToFlush.append(self)
    }

    func flush() {
        flushRequested = false
        guard !closed else { return }
        do {
            if try writes.flush(to: fd) > 0 { lastWriteProgressAt = Timestamp.monotonicNanos() }
        } catch {
            close()
            return
        }
        if let active {
            active.queued.store(writes.byteCount, ordering: .relaxed)
            active.notifyIfWritable()
        }
        if writes.isEmpty && closeWhenFlushed {
            beginLingeringClose()
            return
        }
        let needsWrite = !writes.isEmpty
        if needsWrite != wantsWrite {
            wantsWrite = needsWrite
            updateInterest()
        }
    }

    private func updateInterest() {
        loop.updateInterest(fd: fd, wantsWrite: wantsWrite, wantsRead: !readingPaused)
    }

    // MARK: Lifecycle

    private func beginLingeringClose() {
        guard !lingering else { return }
        lingering = true
        lingerDeadline = Timestamp.monotonicNanos() + Self.lingerNanos
        if active != nil || Glibc.shutdown(fd, Int32(SHUT_WR)) != 0 {
            close()
            return
        }
        readingPaused = false
        wantsWrite = false
        updateInterest()
        readAvailable()
    }

    /// Closes or refuses what has waited too long. `now` may be older than this connection's own stamps (it was
    /// taken before the loop accepted and read more), so every wait is measured without going below zero.
    func checkTimeouts(now: UInt64) {
        let config = loop.configuration
        func waited(since stamp: UInt64, over millis: Int) -> Bool { now > stamp && now - stamp > UInt64(millis) * 1_000_000 }
        if lingering {
            if now >= lingerDeadline { close() }
            return
        }
        if active != nil {
            if !writes.isEmpty && waited(since: lastWriteProgressAt, over: config.writeTimeoutMillis) { close() }
            return
        }
        if closeWhenFlushed {
            if waited(since: lastWriteProgressAt, over: config.writeTimeoutMillis) { close() }
            return
        }
        if parser.isMidRequest {
            let headExpired = requestStartedAt != 0 && waited(since: requestStartedAt, over: config.headerTimeoutMillis)
            let bodyStalled = waited(since: lastReadAt, over: config.bodyTimeoutMillis)
            if headExpired || bodyStalled { rejectRequest(status: 408, message: "timed out reading the request") }
        } else if writes.isEmpty && waited(since: max(idleSince, lastReadAt), over: config.idleTimeoutMillis) {
            close()
        }
    }

    /// Called when the server shuts down: idle connections close now, busy ones after their response.
    func drain() {
        if active == nil && !parser.isMidRequest && writes.isEmpty {
            close()
        } else {
            keepAlive = false
        }
    }

    /// Closes at once, cancelling any response in progress.
    func close() {
        guard !closed else { return }
        closed = true
        loop.remove(self)
        Glibc.close(fd)
        if let responder = active {
            active = nil
            responder.cancelled()
        }
    }
}
