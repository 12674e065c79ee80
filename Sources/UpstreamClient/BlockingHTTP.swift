import CCurl
import Core

/// One blocking HTTP(S) request with libcurl, for calls off the request path (alert webhooks, a data
/// plane's link to its control plane): the answer's status and body, or why there was none. Runs on the
/// caller's thread; never on an event loop.
public enum BlockingHTTP {
    /// Why a request got no answer (libcurl's description; never contains the body or headers).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// An answer: its status and body (at most `maxBodyBytes`; more is a failure).
    public struct Answer: Sendable {
        public let status: Int
        public let body: [UInt8]
    }

    /// Sends `method` to `url` with `headers` (`name: value` lines) and `body` (POST when non-nil).
    public static func send(_ url: String, method: String = "POST", headers: [String], body: [UInt8]? = nil, timeoutMillis: Int,
                            maxBodyBytes: Int = 256 * 1024 * 1024) -> Result<Answer, Failure> {
        UpstreamHTTPClient.initializeCurlOnce()
        guard let handle = curl_easy_init() else { return .failure(Failure(description: "libcurl could not start a transfer")) }
        defer { curl_easy_cleanup(handle) }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        _ = ccurl_setopt_string(handle, CURLOPT_URL, url)
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMillis)
        _ = ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(timeoutMillis, 5_000))
        _ = ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, list)
        let received = ReceivedBody(limit: maxBodyBytes)
        let context = Unmanaged.passUnretained(received).toOpaque()
        _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let body = Unmanaged<ReceivedBody>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            guard body.bytes.count + length <= body.limit else { return 0 }
            body.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
        let code: CURLcode
        if let body {
            _ = ccurl_setopt_long(handle, CURLOPT_POST, 1)
            _ = ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            code = body.withUnsafeBytes { bytes -> CURLcode in
                _ = ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                return curl_easy_perform(handle)
            }
        } else {
            code = curl_easy_perform(handle)
        }
        guard code == CURLE_OK else { return .failure(Failure(description: String(cString: curl_easy_strerror(code)))) }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(Answer(status: status, body: received.bytes))
    }

    /// The answer's bytes as they arrive (libcurl's write callback gets it by pointer).
    private final class ReceivedBody {
        var bytes: [UInt8] = []
        let limit: Int
        init(limit: Int) { self.limit = limit }
    }
}
