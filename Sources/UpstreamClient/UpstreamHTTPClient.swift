import CCurl
import Core
import Foundation
import HTTPKit
import Synchronization

/// An HTTP client for upstream providers on libcurl's multi interface, running on one dedicated thread.
/// Connections are pooled and reused; HTTP/2 is negotiated over TLS when the upstream offers it.
public final class UpstreamHTTPClient: @unchecked Sendable {
    // Safety: `commands` is guarded by its Mutex; `multi`, `active` and `byHandle` are confined to the client thread.
    enum Command: Sendable {
        case start(UpstreamTransfer)
        case cancel(UpstreamTransfer)
        case resume(UpstreamTransfer)
    }

    private let multi: UnsafeMutableRawPointer
    private let commands = Mutex<[Command]>([])
    private var active: [UnsafeMutableRawPointer: UpstreamTransfer] = [:]
    private let logger: Logger

    /// Creates the client and starts its thread.
    public init(logger: Logger = Logger(label: "upstream")) {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        multi = curl_multi_init()
        self.logger = logger
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 1024)
        let thread = Thread { [self] in run() }
        thread.name = "upstream-client"
        thread.start()
    }

    /// Starts a transfer; events go to `delegate` on the client thread.
    @discardableResult
    public func start(_ request: UpstreamRequest, delegate: any UpstreamDelegate) -> UpstreamTransfer {
        let transfer = UpstreamTransfer(request: request, delegate: delegate, client: self)
        enqueue(.start(transfer))
        return transfer
    }

    func enqueue(_ command: Command) {
        commands.withLock { $0.append(command) }
        curl_multi_wakeup(multi)
    }

    private func run() {
        var running: Int32 = 0
        while true {
            let pending = commands.withLock { queue in
                defer { queue.removeAll() }
                return queue
            }
            for command in pending { apply(command) }
            curl_multi_perform(multi, &running)
            collectFinished()
            let now = Timestamp.monotonicNanos()
            var waitMillis: Int = 1000
            var curlTimeout = 0
            curl_multi_timeout(multi, &curlTimeout)
            if curlTimeout >= 0 { waitMillis = min(waitMillis, curlTimeout) }
            for transfer in Array(active.values) where transfer.firstByteDeadline != 0 {
                if now >= transfer.firstByteDeadline {
                    remove(transfer, result: .failure(.firstByteTimeout))
                } else {
                    waitMillis = min(waitMillis, Int((transfer.firstByteDeadline - now) / 1_000_000) + 1)
                }
            }
            curl_multi_poll(multi, nil, 0, Int32(waitMillis), nil)
        }
    }

    private func apply(_ command: Command) {
        switch command {
        case .start(let transfer):
            guard configure(transfer) else { return }
            guard let easy = transfer.easy else { return }
            active[easy] = transfer
            curl_multi_add_handle(multi, easy)
        case .cancel(let transfer):
            if let easy = transfer.easy, active[easy] === transfer {
                remove(transfer, result: .failure(.cancelled))
            } else if transfer.easy == nil {
                transfer.finish(.failure(.cancelled))
            }
        case .resume(let transfer):
            if let easy = transfer.easy, active[easy] === transfer, transfer.paused {
                transfer.paused = false
                curl_easy_pause(easy, CURLPAUSE_CONT)
            }
        }
    }

    private func configure(_ transfer: UpstreamTransfer) -> Bool {
        guard let easy = curl_easy_init() else {
            transfer.finish(.failure(.connectFailed("curl_easy_init failed")))
            return false
        }
        transfer.easy = easy
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
        _ = ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        _ = ccurl_setopt_callback(easy, CURLOPT_WRITEFUNCTION, upstreamWriteCallback)
        _ = ccurl_setopt_callback(easy, CURLOPT_HEADERFUNCTION, upstreamHeaderCallback)
        if request.method == "POST" || !request.body.isEmpty {
            _ = ccurl_setopt_long(easy, CURLOPT_POST, 1)
            _ = ccurl_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            request.body.withUnsafeBytes { raw in
                _ = ccurl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
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
        transfer.firstByteDeadline = transfer.startedAt + UInt64(request.firstByteTimeoutMillis) * 1_000_000
        return true
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard ccurl_message_is_done(message) != 0, let easy = ccurl_message_easy(message) else { continue }
            guard let transfer = active[easy] else { continue }
            let code = ccurl_message_result(message)
            remove(transfer, result: code == CURLE_OK ? .success(metrics(of: easy)) : .failure(error(for: code, transfer: transfer)))
        }
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
        default:
            return .transport(text)
        }
    }

    private func remove(_ transfer: UpstreamTransfer, result: Result<UpstreamMetrics, UpstreamError>) {
        if let easy = transfer.easy {
            active[easy] = nil
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
            transfer.easy = nil
        }
        transfer.finish(result)
    }
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
