import CCurl
import Core
import HTTPKit

/// One transfer in flight. Confined to its client's event loop, except `cancel()` and `resume()`,
/// which may be called from anywhere and take effect on a later loop turn.
public final class UpstreamTransfer: @unchecked Sendable {
    // Safety: all mutable state is touched only on the client's loop thread; `cancel`/`resume` hop there.
    let request: UpstreamRequest
    let delegate: any UpstreamDelegate
    unowned let client: UpstreamHTTPClient
    /// The libcurl handle carrying it, or the gateway's own connection for plain-HTTP upstreams.
    var easy: UnsafeMutableRawPointer?
    var connection: PlainConnection?
    var totalTimer: UInt64?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var headStatus = 0
    var headHeaders = HTTPHeaders()
    var headDelivered = false
    var paused = false
    var finished = false
    var firstByteTimer: UInt64?
    let startedAt = Timestamp.monotonicNanos()

    init(request: consuming UpstreamRequest, delegate: any UpstreamDelegate, client: UpstreamHTTPClient) {
        self.request = request
        self.delegate = delegate
        self.client = client
    }

    /// Aborts the transfer; the delegate is told `.cancelled` unless it already finished.
    public func cancel() {
        client.reactor.enqueue { [self] in client.finish(self, .failure(.cancelled)) }
    }

    /// Continues a transfer paused by a delegate that refused bytes.
    public func resume() {
        client.reactor.enqueue { [self] in client.resume(self) }
    }

    /// The response headers the gateway acts on; others are not materialised.
    static let keptHeaders = HeaderNameSet(["content-type", "retry-after"] + QuotaSignal.headerNames)
    static let statusLinePrefix = Array("HTTP/".utf8)

    /// Called by libcurl for each header line.
    func didReceiveHeaderLine(_ line: UnsafeBufferPointer<UInt8>) {
        if line.starts(with: Self.statusLinePrefix) {
            headHeaders = HTTPHeaders()
            // "HTTP/1.1 200 OK" or "HTTP/2 200": the status is the three digits after the first space.
            if let space = line.firstIndex(of: 32), space + 3 < line.count {
                headStatus = line[(space + 1)...(space + 3)].reduce(0) { $0 * 10 + Int($1) - 48 }
            }
            return
        }
        var end = line.count
        while end > 0, line[end - 1] == 10 || line[end - 1] == 13 { end -= 1 }
        if end == 0 {
            // End of a header block; 1xx blocks are followed by the real one.
            if headStatus >= 200 { deliverHead() }
            return
        }
        guard let colon = line[0..<end].firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        guard let kept = Self.keptHeaders.member(name) else { return }
        let value = String(decoding: UnsafeBufferPointer(rebasing: line[(colon + 1)..<end]), as: UTF8.self).trimmingSpaces()
        headHeaders.add(kept, String(value))
    }

    /// The final head of a response read by the gateway's own client.
    func receiveHead(status: Int, headers: HTTPHeaders) {
        headStatus = status
        headHeaders = headers
        deliverHead()
    }

    private func deliverHead() {
        guard !headDelivered else { return }
        headDelivered = true
        if let timer = firstByteTimer {
            client.reactor.cancelTimer(timer)
            firstByteTimer = nil
        }
        delegate.upstreamDidReceiveHead(status: headStatus, headers: headHeaders)
    }

    /// Called by libcurl for body bytes; returns the count consumed or curl's pause sentinel.
    func didReceiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if finished { return 0 }
        if offer(bytes) { return bytes.count }
        paused = true
        return ccurl_writefunc_pause()
    }

    /// Hands body bytes to the delegate; false when it refused them (the transfer must pause).
    func offer(_ bytes: UnsafeRawBufferPointer) -> Bool {
        deliverHead()
        if finished { return true }
        return delegate.upstreamDidReceive(bytes)
    }
}
