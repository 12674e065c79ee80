import CLinux
import Core
import Glibc
import HTTPKit

/// One keep-alive HTTP/1.1 connection to a plain-HTTP upstream, driven by its pool's event loop:
/// writes one request, reads the response head and streams the body (Content-Length, chunked or
/// until close) to the transfer's delegate, pausing when the delegate refuses bytes.
final class PlainConnection {
    let fd: Int32
    let destination: PlainDestination
    /// The pool holds its connections (busy or idle) and outlives them, so the reference is not checked (a checked
    /// `unowned` read cost an atomic retain and release, several a request).
    unowned(unsafe) let pool: PlainConnectionPool
    private(set) var transfer: UpstreamTransfer?
    private var connected = false
    /// Carried a request before: an upstream may have closed it while idle.
    var reused = false
    var idleSinceNanos: UInt64 = 0
    private var connectTimer: UInt64?
    private var connectedAtNanos: UInt64?
    private var outbox: [UInt8] = []
    private var outboxSent = 0
    private var headBuffer: [UInt8] = []
    private var head: ResponseHead?
    private var firstByteAtNanos: UInt64 = 0
    private var remaining = 0
    private var chunks = ChunkedDecoder(maxBodyBytes: Int.max)
    private var decoded: [UInt8] = []
    /// Body bytes the delegate refused, offered again on resume, and raw bytes read after them.
    private var refused: [UInt8] = []
    private var stash: [UInt8] = []
    private var paused = false
    private var receivedAny = false
    /// The interest registered with the loop (nil: not watched), so an unchanged one is not registered again.
    private var watchedWritable: Bool?

    init(fd: Int32, destination: PlainDestination, pool: PlainConnectionPool) {
        self.fd = fd
        self.destination = destination
        self.pool = pool
    }

    /// Sends `transfer`'s request on this connection (connecting first if needed).
    func begin(_ transfer: UpstreamTransfer, connectTimeoutMillis: Int?) {
        self.transfer = transfer
        transfer.connection = self
        receivedAny = false
        outbox = Self.encode(transfer.request, endpoint: destination.endpoint)
        outboxSent = 0
        if connected {
            flushOutbox()
            return
        }
        if let connectTimeoutMillis {
            // Held strongly until it fires or is cancelled (on connecting or closing): a `weak` capture gave every
            // pooled connection a side table, and every retain of it the runtime's slow path.
            connectTimer = pool.reactor.scheduleTimer(afterMillis: connectTimeoutMillis) { [self] in
                connectTimer = nil
                fail(.connectTimeout)
            }
        }
        watch(writable: true)
    }

    /// The request's bytes: head and body in one buffer, written with as few sends as the socket allows.
    static func encode(_ request: UpstreamRequest, endpoint: PlainEndpoint) -> [UInt8] {
        // Request line, host, the headers, content-length (up to 20 digits), final CRLF, body.
        var bound = request.method.utf8.count + endpoint.target.utf8.count + endpoint.authority.utf8.count + 64 + request.body.count
        for (name, value) in request.headers { bound += name.utf8.count + value.utf8.count + 4 }
        return [UInt8](writingAtMost: bound) { bytes in
            bytes.appendUTF8(request.method)
            bytes.append(32)
            bytes.appendUTF8(endpoint.target)
            bytes.appendUTF8(" HTTP/1.1\r\nhost: ")
            bytes.appendUTF8(endpoint.authority)
            bytes.appendCRLF()
            for (name, value) in request.headers {
                var name = name, value = value
                name.withUTF8 { name in
                    value.withUTF8 { value in
                        guard !name.contains(where: isUnsafeHeaderByte) && !value.contains(where: isUnsafeHeaderByte) else { return }
                        bytes.appendBytes(UnsafeRawBufferPointer(name))
                        bytes.appendUTF8(": ")
                        bytes.appendBytes(UnsafeRawBufferPointer(value))
                        bytes.appendCRLF()
                    }
                }
            }
            if request.method != "GET" || !request.body.isEmpty {
                bytes.appendUTF8("content-length: ")
                bytes.appendDecimal(request.body.count)
                bytes.appendCRLF()
            }
            bytes.appendCRLF()
            request.body.withUnsafeBytes { bytes.appendBytes($0) }
        }
    }

    private static func isUnsafeHeaderByte(_ byte: UInt8) -> Bool { byte == 13 || byte == 10 || byte == 0 }

    private func watch(writable: Bool) {
        guard watchedWritable != writable else { return }
        watchedWritable = writable
        pool.reactor.watchSocket(fd, readable: true, writable: writable) { [unowned self] readable, writable, failed in
            handle(readable: readable, writable: writable, failed: failed)
        }
    }

    private func handle(readable: Bool, writable: Bool, failed: Bool) {
        guard transfer != nil else {
            // Idle: the upstream closed it (or sent bytes nobody asked for); either way it is done.
            pool.discard(self)
            return
        }
        if !connected {
            finishConnect()
            return
        }
        if writable && outboxSent < outbox.count { flushOutbox() }
        if readable || failed { readAvailable() }
    }

    private func finishConnect() {
        let error = clinux_socket_error(fd)
        guard error == 0 else {
            fail(.connectFailed(String(cString: strerror(error))))
            return
        }
        connected = true
        connectedAtNanos = Timestamp.monotonicNanos()
        if let timer = connectTimer { pool.reactor.cancelTimer(timer) }
        connectTimer = nil
        flushOutbox()
    }

    private func flushOutbox() {
        while outboxSent < outbox.count {
            let sent = outbox.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + outboxSent, raw.count - outboxSent, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                outboxSent += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                watch(writable: true)
                return
            } else {
                lost(errno: sent < 0 ? errno : EPIPE)
                return
            }
        }
        if connected { watch(writable: false) }
    }

    private func readAvailable() {
        let buffer = pool.readBuffer
        let count = read(fd, buffer.baseAddress, buffer.count)
        if count > 0 {
            receivedAny = true
            process(UnsafeRawBufferPointer(rebasing: buffer[0..<count])[...])
        } else if count == 0 {
            endOfStream()
        } else if errno != EAGAIN && errno != EINTR {
            lost(errno: errno)
        }
    }

    /// The upstream closed its side.
    private func endOfStream() {
        if head?.framing == .untilClose && refused.isEmpty {
            complete(reusable: false)
        } else {
            lost(errno: 0)
        }
    }

    /// The connection broke: retried once on a fresh connection when a reused one died before answering
    /// (the upstream closed it while idle), a transport failure otherwise.
    private func lost(errno code: Int32) {
        guard let transfer else { return }
        if reused && !receivedAny {
            detach()
            pool.close(self)
            pool.start(transfer, on: destination, allowReuse: false)
            return
        }
        let why = code == 0 ? "the upstream closed the connection before the response was complete" : String(cString: strerror(code))
        fail(.transport(why))
    }

    private func process(_ input: Slice<UnsafeRawBufferPointer>) {
        var rest = input
        while let transfer {
            guard let head else {
                guard let used = readHead(rest, for: transfer) else { return }
                rest = rest.dropFirst(used)
                continue
            }
            switch head.framing {
            case .none:
                complete(reusable: head.keepAlive && rest.isEmpty)
                return
            case .length:
                if rest.isEmpty { return }
                let take = min(remaining, rest.count)
                remaining -= take
                guard offer(rest.prefix(take), then: rest.dropFirst(take)) else { return }
                rest = rest.dropFirst(take)
                if remaining == 0 {
                    complete(reusable: head.keepAlive && rest.isEmpty)
                    return
                }
            case .chunked:
                if rest.isEmpty { return }
                decoded.removeAll(keepingCapacity: true)
                let used: Int
                do {
                    used = try rest.withMemoryRebound(to: UInt8.self) { try chunks.decode($0, into: &decoded) }
                } catch {
                    fail(.invalidResponse("malformed chunked body"))
                    return
                }
                rest = rest.dropFirst(used)
                if !decoded.isEmpty {
                    guard decoded.withUnsafeBytes({ offer($0[...], then: rest) }) else { return }
                }
                if chunks.isDone {
                    complete(reusable: head.keepAlive && rest.isEmpty)
                    return
                }
            case .untilClose:
                if !rest.isEmpty { _ = offer(rest, then: rest[rest.endIndex...]) }
                return
            }
        }
    }

    /// Gathers the head; returns how many bytes of `input` it used once complete, nil while incomplete.
    private func readHead(_ input: Slice<UnsafeRawBufferPointer>, for transfer: UpstreamTransfer) -> Int? {
        let searchFrom = max(0, headBuffer.count - 3)
        headBuffer.append(contentsOf: input)
        guard let end = Self.endOfHead(in: headBuffer, from: searchFrom) else {
            if headBuffer.count > ResponseHead.maxBytes {
                fail(.invalidResponse("response head larger than \(ResponseHead.maxBytes) bytes"))
            } else if !ResponseHead.mayStartResponse(headBuffer) {
                fail(.invalidResponse("the answer does not start with HTTP/1.x (TLS or another protocol on a plain http:// URL?)"))
            }
            return nil
        }
        let used = end + 4 - (headBuffer.count - input.count)
        do {
            let parsed = try headBuffer.withUnsafeBufferPointer {
                try ResponseHead.parse(UnsafeBufferPointer(rebasing: $0[0..<end]), kept: UpstreamTransfer.keptHeaders)
            }
            headBuffer.removeAll(keepingCapacity: true)
            if (100..<200).contains(parsed.status) { return used }  // interim response: the real one follows
            head = parsed
            if case .length(let length) = parsed.framing { remaining = length }
            firstByteAtNanos = Timestamp.monotonicNanos()
            transfer.receiveHead(status: parsed.status, headers: parsed.headers)
        } catch {
            fail(.invalidResponse("\(error)"))
            return nil
        }
        return used
    }

    private static func endOfHead(in buffer: [UInt8], from start: Int) -> Int? {
        buffer.withUnsafeBytes { ByteSearch.firstOffset(of: "\r\n\r\n", in: $0, from: start) }
    }

    /// Hands body bytes to the delegate; if refused, keeps them and the unread `rest`, and stops reading.
    private func offer(_ bytes: Slice<UnsafeRawBufferPointer>, then rest: Slice<UnsafeRawBufferPointer>) -> Bool {
        guard let transfer else { return false }
        if transfer.offer(UnsafeRawBufferPointer(rebasing: bytes)) { return true }
        refused = Array(bytes)
        stash = Array(rest)
        paused = true
        pool.reactor.unwatchSocket(fd)
        watchedWritable = nil
        return false
    }

    /// Continues after the delegate refused bytes: offers them again, then what was read after them.
    func resume() {
        guard paused, transfer != nil else { return }
        paused = false
        let pending = refused, after = stash
        refused = []
        stash = []
        guard pending.withUnsafeBytes({ offer($0[...], then: after.withUnsafeBytes { $0[...] }) }) else { return }
        if isBodyComplete {
            complete(reusable: head?.keepAlive == true && after.isEmpty)
            return
        }
        watch(writable: false)
        if !after.isEmpty { after.withUnsafeBytes { process($0[...]) } }
    }

    private var isBodyComplete: Bool {
        switch head?.framing {
        case .length: return remaining == 0
        case .chunked: return chunks.isDone
        default: return false
        }
    }

    private func complete(reusable: Bool) {
        guard let transfer else { return }
        let now = Timestamp.monotonicNanos()
        let metrics = UpstreamMetrics(
            connectMicros: connectedAtNanos.map { Int(($0 &- transfer.startedAt) / 1000) } ?? 0,
            firstByteMicros: Int((firstByteAtNanos &- transfer.startedAt) / 1000),
            totalMicros: Int((now - transfer.startedAt) / 1000), httpVersion: 1)
        detach()
        if reusable && !paused {
            pool.release(self)
        } else {
            pool.close(self)
        }
        pool.client.finish(transfer, .success(metrics))
    }

    private func fail(_ error: UpstreamError) {
        guard let transfer else { return }
        detach()
        pool.close(self)
        pool.client.finish(transfer, .failure(error))
    }

    /// Drops the transfer (cancelled or timed out): a half-read response makes the connection unusable.
    func abandon() {
        guard transfer != nil else { return }
        detach()
        pool.close(self)
    }

    private func detach() {
        transfer?.connection = nil
        transfer = nil
        if let timer = connectTimer { pool.reactor.cancelTimer(timer) }
        connectTimer = nil
        connectedAtNanos = nil
        head = nil
        headBuffer.removeAll(keepingCapacity: true)
        remaining = 0
        chunks = ChunkedDecoder(maxBodyBytes: Int.max)
        outbox = []
        refused = []
        stash = []
        paused = false
    }
}
