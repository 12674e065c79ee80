import CCurl
import Core
import HTTPKit

/// An HTTP client for upstream providers on libcurl's multi-socket interface, driven by the event loop
/// it belongs to: requests, upstream I/O and the client's connection all stay on one thread.
/// Plain `http://` upstreams at an IP literal or localhost (local models, sidecars) go over the gateway's
/// own pooled HTTP/1.1 connections; everything else over libcurl, with pooled connections and HTTP/2
/// negotiated over TLS when the upstream offers it.
public final class UpstreamHTTPClient: @unchecked Sendable {
    // Safety: confined to `reactor`'s thread; the only cross-thread entry points go through `reactor.enqueue`.
    public let reactor: any UpstreamReactor
    private let multi: UnsafeMutableRawPointer
    private var active: [UnsafeMutableRawPointer: UpstreamTransfer] = [:]
    /// Finished easy handles kept for reuse: creating one allocates tens of kilobytes.
    private var idleHandles: [UnsafeMutableRawPointer] = []
    private var curlTimer: UInt64?
    private lazy var plainPool = PlainConnectionPool(client: self)
    private static let maxIdleHandles = 256

    /// Creates a client bound to `reactor`; call only on the reactor's thread.
    public init(reactor: any UpstreamReactor) {
        precondition(reactor.inLoop, "an upstream client is created on its event loop")
        UpstreamHTTPClient.initializeCurl
        multi = curl_multi_init()
        self.reactor = reactor
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 1024)
        _ = ccurl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, context)
        _ = ccurl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, context)
        _ = ccurl_multi_setopt_socket_callback(multi, upstreamSocketCallback)
        _ = ccurl_multi_setopt_timer_callback(multi, upstreamTimerCallback)
    }

    private static let initializeCurl: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    /// Initialises libcurl once per process (it is not thread-safe to do it twice).
    static func initializeCurlOnce() { _ = initializeCurl }

    /// Starts a transfer; the delegate hears about it on this loop. Call on the loop. The request is moved into the
    /// transfer, not copied (a copy retains its headers, body and strings).
    @discardableResult
    public func start(_ request: consuming UpstreamRequest, delegate: any UpstreamDelegate) -> UpstreamTransfer {
        precondition(reactor.inLoop, "start must be called on the client's event loop")
        let transfer = UpstreamTransfer(request: request, delegate: delegate, client: self)
        // The timers hold the transfer strongly; `finish` cancels them, which releases it.
        transfer.firstByteTimer = reactor.scheduleTimer(afterMillis: transfer.request.firstByteTimeoutMillis) { [unowned self] in
            guard !transfer.headDelivered else { return }
            transfer.firstByteTimer = nil
            finish(transfer, .failure(.firstByteTimeout))
        }
        if transfer.request.caFile == nil, let destination = plainPool.destination(forURL: transfer.request.url) {
            transfer.totalTimer = reactor.scheduleTimer(afterMillis: transfer.request.totalTimeoutMillis) { [unowned self] in
                transfer.totalTimer = nil
                finish(transfer, .failure(.totalTimeout))
            }
            plainPool.start(transfer, on: destination)
            return transfer
        }
        guard let easy = idleHandles.popLast() ?? curl_easy_init() else {
            reactor.enqueue { [self] in finish(transfer, .failure(.connectFailed("curl_easy_init failed"))) }
            return transfer
        }
        transfer.easy = easy
        configure(easy, for: transfer)
        active[easy] = transfer
        curl_multi_add_handle(multi, easy)
        return transfer
    }

    private func configure(_ easy: UnsafeMutableRawPointer, for transfer: UpstreamTransfer) {
        let request = transfer.request
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        _ = ccurl_setopt_string(easy, CURLOPT_URL, request.url)
        _ = ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        _ = ccurl_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        _ = ccurl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        _ = ccurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMillis)
        _ = ccurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, request.totalTimeoutMillis)
        _ = ccurl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        if let caFile = request.caFile { _ = ccurl_setopt_string(easy, CURLOPT_CAINFO, caFile) }
        _ = ccurl_setopt_pointer(easy, CURLOPT_PRIVATE, context)
        _ = ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        _ = ccurl_setopt_callback(easy, CURLOPT_WRITEFUNCTION, upstreamWriteCallback)
        _ = ccurl_setopt_callback(easy, CURLOPT_HEADERFUNCTION, upstreamHeaderCallback)
        if request.method == "POST" || !request.body.isEmpty {
            _ = ccurl_setopt_long(easy, CURLOPT_POST, 1)
            _ = ccurl_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            request.body.withUnsafeBytes { raw in
                _ = ccurl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS,
                                         UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        }
        if request.method != "POST" && request.method != "GET" {
            _ = ccurl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { list = curl_slist_append(list, "\(name): \(value)") }
        list = curl_slist_append(list, "Expect:")
        transfer.headerList = list
        _ = ccurl_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list))
    }

    // MARK: libcurl's requests to the loop

    func socketCallback(fd: Int32, what: Int32) {
        if what == CURL_POLL_REMOVE {
            reactor.unwatchSocket(fd)
            return
        }
        let readable = what == CURL_POLL_IN || what == CURL_POLL_INOUT
        let writable = what == CURL_POLL_OUT || what == CURL_POLL_INOUT
        reactor.watchSocket(fd, readable: readable, writable: writable) { [weak self] readable, writable, failed in
            var mask: Int32 = 0
            if readable { mask |= CURL_CSELECT_IN }
            if writable { mask |= CURL_CSELECT_OUT }
            if failed { mask |= CURL_CSELECT_ERR }
            self?.drive(socket: fd, mask: mask)
        }
    }

    func timerCallback(millis: Int) {
        if let curlTimer { reactor.cancelTimer(curlTimer) }
        curlTimer = nil
        guard millis >= 0 else { return }
        curlTimer = reactor.scheduleTimer(afterMillis: millis) { [weak self] in
            guard let self else { return }
            curlTimer = nil
            drive(socket: ccurl_socket_timeout(), mask: 0)
        }
    }

    private func drive(socket: Int32, mask: Int32) {
        var running: Int32 = 0
        curl_multi_socket_action(multi, socket, mask, &running)
        collectFinished()
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard ccurl_message_is_done(message) != 0, let easy = ccurl_message_easy(message), let transfer = active[easy] else { continue }
            let code = ccurl_message_result(message)
            finish(transfer, code == CURLE_OK ? .success(metrics(of: easy)) : .failure(error(for: code, transfer: transfer)))
        }
    }

    // MARK: Ending transfers

    func resume(_ transfer: UpstreamTransfer) {
        if let connection = transfer.connection {
            connection.resume()
            return
        }
        guard let easy = transfer.easy, active[easy] === transfer, transfer.paused else { return }
        transfer.paused = false
        curl_easy_pause(easy, CURLPAUSE_CONT)
    }

    /// Removes the transfer from libcurl, recycles its handle and tells the delegate, once.
    func finish(_ transfer: UpstreamTransfer, _ result: Result<UpstreamMetrics, UpstreamError>) {
        guard !transfer.finished else { return }
        transfer.finished = true
        if let timer = transfer.firstByteTimer { reactor.cancelTimer(timer) }
        if let timer = transfer.totalTimer { reactor.cancelTimer(timer) }
        transfer.connection?.abandon()
        if let easy = transfer.easy {
            active[easy] = nil
            curl_multi_remove_handle(multi, easy)
            transfer.easy = nil
            if idleHandles.count < Self.maxIdleHandles {
                curl_easy_reset(easy)
                idleHandles.append(easy)
            } else {
                curl_easy_cleanup(easy)
            }
        }
        if let list = transfer.headerList { curl_slist_free_all(list) }
        transfer.headerList = nil
        transfer.delegate.upstreamDidFinish(result)
    }

    private func metrics(of easy: UnsafeMutableRawPointer) -> UpstreamMetrics {
        var connect: curl_off_t = 0, start: curl_off_t = 0, total: curl_off_t = 0
        var version = 0
        _ = ccurl_getinfo_offset(easy, CURLINFO_CONNECT_TIME_T, &connect)
        _ = ccurl_getinfo_offset(easy, CURLINFO_STARTTRANSFER_TIME_T, &start)
        _ = ccurl_getinfo_offset(easy, CURLINFO_TOTAL_TIME_T, &total)
        _ = ccurl_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        return UpstreamMetrics(connectMicros: Int(connect), firstByteMicros: Int(start), totalMicros: Int(total),
                               httpVersion: version == Int(CURL_HTTP_VERSION_2_0) ? 2 : 1)
    }

    private func error(for code: CURLcode, transfer: UpstreamTransfer) -> UpstreamError {
        let text = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            if !transfer.headDelivered && transfer.headStatus == 0 {
                var connect: curl_off_t = 0
                if let easy = transfer.easy { _ = ccurl_getinfo_offset(easy, CURLINFO_CONNECT_TIME_T, &connect) }
                return connect == 0 ? .connectTimeout : .firstByteTimeout
            }
            return .totalTimeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SSL_CONNECT_ERROR:
            return .connectFailed(text)
        case CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .invalidResponse(text)
        default:
            return .transport(text)
        }
    }
}

let upstreamSocketCallback: ccurl_socket_callback = { _, socket, what, context, _ in
    guard let context else { return 0 }
    Unmanaged<UpstreamHTTPClient>.fromOpaque(context).takeUnretainedValue().socketCallback(fd: socket, what: what)
    return 0
}

let upstreamTimerCallback: ccurl_timer_callback = { _, millis, context in
    guard let context else { return 0 }
    Unmanaged<UpstreamHTTPClient>.fromOpaque(context).takeUnretainedValue().timerCallback(millis: millis)
    return 0
}

let upstreamWriteCallback: ccurl_data_callback = { pointer, size, count, context in
    guard let context, let pointer else { return 0 }
    let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.didReceiveBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
}

let upstreamHeaderCallback: ccurl_data_callback = { pointer, size, count, context in
    guard let context, let pointer else { return 0 }
    let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.didReceiveHeaderLine(UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}
