import CCurl
import Core

/// One blocking HTTP(S) POST with libcurl, for calls off the request path (budget-alert webhooks): the
/// answer's status, or why there was none. Runs on the caller's thread; never on an event loop.
public enum BlockingPost {
    /// Why a post got no answer (libcurl's description; never contains the body or headers).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Posts `body` to `url` with `headers` (`name: value` lines); the status, or a transport error's text.
    public static func send(_ url: String, headers: [String], body: [UInt8], timeoutMillis: Int) -> Result<Int, Failure> {
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
        _ = ccurl_setopt_long(handle, CURLOPT_POST, 1)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, list)
        _ = ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        // The answer's body is not needed: read and dropped.
        _ = ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { _, size, count, _ in size * count }
        let code = body.withUnsafeBytes { bytes -> CURLcode in
            _ = ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else { return .failure(Failure(description: String(cString: curl_easy_strerror(code)))) }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(status)
    }
}
