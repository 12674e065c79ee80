import Core
import HTTPKit

/// The operator's dashboard: the static files of `admin/dashboard/`, read once at start and served on the
/// admin listener (`/` is its `index.html`, everything else under `/ui/`). The files hold no data and no
/// secret; every figure they show comes from the token-protected API, so they are served without a token.
public struct DashboardAssets: Sendable {
    struct Asset: Sendable {
        let contentType: String
        let body: [UInt8]
    }

    /// The largest file read (the whole dashboard is a few dozen kilobytes).
    static let maxFileBytes = 1 << 20
    static let contentTypes = ["html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
                               "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml", "json": "application/json",
                               "png": "image/png", "ico": "image/x-icon"]
    /// The page may load only its own files and talk only to this listener; no inline script, no framing.
    static let securityHeaders = [
        ("content-security-policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"),
        ("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"), ("cache-control", "no-cache"),
    ]

    let assets: [String: Asset]

    /// Reads `directory` (and its subdirectories) when given; with no directory the dashboard answers 404.
    public init(directory: String?) {
        var assets: [String: Asset] = [:]
        if let directory { Self.load(directory, prefix: "", into: &assets, depth: 0) }
        self.assets = assets
    }

    private static func load(_ directory: String, prefix: String, into assets: inout [String: Asset], depth: Int) {
        guard depth < 4, let names = try? Platform.listDirectory(directory) else { return }
        for name in names where !name.hasPrefix(".") {
            let path = directory + "/" + name
            if (try? Platform.listDirectory(path)) != nil {
                load(path, prefix: prefix + name + "/", into: &assets, depth: depth + 1)
                continue
            }
            let suffix = name.split(separator: ".").last.map(String.init) ?? ""
            guard let type = contentTypes[suffix], let body = Platform.readFile(path), body.count <= maxFileBytes else { continue }
            assets[prefix + name] = Asset(contentType: type, body: body)
        }
    }

    /// The answer for a dashboard path (`/` or `/ui/...`), or nil when `path` is not the dashboard's.
    public func response(method: String, path: Substring) -> HTTPResponse? {
        let name: String
        if path == "/" {
            name = "index.html"
        } else if path.hasPrefix("/ui/") {
            name = String(path.dropFirst(4))
        } else {
            return nil
        }
        guard method == "GET" || method == "HEAD" else {
            var response = AdminError(405, "method \(method) is not allowed here").response
            response.headers.add("allow", "GET, HEAD")
            return response
        }
        guard let asset = assets[name] else {
            return AdminError(404, assets.isEmpty ? "the dashboard is not installed (admin/dashboard; see --admin-dir)" : "no such file: \(name)").response
        }
        var headers = HTTPHeaders("content-type", asset.contentType)
        for (field, value) in Self.securityHeaders { headers.add(field, value) }
        return HTTPResponse(status: 200, headers: headers, body: method == "HEAD" ? [] : asset.body)
    }
}
