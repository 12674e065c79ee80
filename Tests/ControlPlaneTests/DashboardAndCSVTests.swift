@testable import ControlPlane
import Core
import HTTPKit
import Testing

@Suite("CSV export of list answers")
struct CSVExportTests {
    static let answer = JSONValue.object([
        ("data", .array([
            .object([("team", .string("search")), ("requests", .int(3)), ("cost_usd", .number("0.25")), ("note", .string("a, \"quoted\"\nline"))]),
            .object([("team", .null), ("requests", .int(1)), ("cost_usd", .number("0")), ("note", .array([.int(1), .string("x")]))]),
        ])),
        ("next_cursor", .string("100")),
    ])

    func csv(_ target: String) throws -> HTTPResponse {
        try CSVExport.answer(Self.answer, request: HTTPRequest(method: "GET", target: target), filename: "usage")
    }

    @Test("quotes cells with commas, quotes or line breaks; nested values as JSON; null as empty")
    func quoting() throws {
        let response = try csv("/usage?format=csv")
        #expect(String(decoding: response.body, as: UTF8.self) == """
            team,requests,cost_usd,note
            search,3,0.25,"a, ""quoted""
            line"
            ,1,0,"[1,""x""]"

            """)
        #expect(response.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(response.headers["x-next-cursor"] == "100")
        #expect(response.headers["content-disposition"] == "attachment; filename=\"usage.csv\"")
    }

    @Test("columns picks and orders the columns; an unknown one is a 400 naming it")
    func columns() throws {
        #expect(String(decoding: try csv("/usage?format=csv&columns=cost_usd,team").body, as: UTF8.self) == "cost_usd,team\n0.25,search\n0,\n")
        #expect(throws: AdminError.self) { try csv("/usage?format=csv&columns=team,secret") }
    }

    @Test("JSON unless csv is asked; any other format is a 400")
    func formats() throws {
        #expect(try csv("/usage").headers["content-type"] == "application/json")
        #expect(try csv("/usage?format=json").headers["content-type"] == "application/json")
        #expect(throws: AdminError.self) { try csv("/usage?format=xml") }
    }

    @Test("a list without rows is one empty line and no cursor")
    func empty() throws {
        let response = try CSVExport.answer(.object([("data", .array([])), ("next_cursor", .null)]),
                                            request: HTTPRequest(method: "GET", target: "/x?format=csv"), filename: "x")
        #expect(response.body == [10] && response.headers["x-next-cursor"] == nil)
    }
}

@Suite("Dashboard static files")
struct DashboardAssetsTests {
    static func installed() throws -> (DashboardAssets, String) {
        let directory = "/tmp/switchyard-dashboard-test-\(Identifier.make("d"))"
        try Platform.createDirectories(directory + "/js/pages", mode: 0o700)
        #expect(Platform.writeFileAtomically(directory + "/index.html", Array("<!doctype html><title>t</title>".utf8)))
        #expect(Platform.writeFileAtomically(directory + "/js/pages/a.js", Array("export const a = 1;".utf8)))
        #expect(Platform.writeFileAtomically(directory + "/notes.txt", Array("not served".utf8)))
        return (DashboardAssets(directory: directory), directory)
    }

    @Test("/ is index.html and /ui/ the rest, with the security headers; other paths are not the dashboard's")
    func serves() throws {
        let (assets, _) = try Self.installed()
        let index = try #require(assets.response(method: "GET", path: "/"))
        #expect(index.status == 200 && index.headers["content-type"] == "text/html; charset=utf-8")
        #expect(index.headers["content-security-policy"]?.contains("default-src 'none'") == true)
        #expect(index.headers["x-content-type-options"] == "nosniff")
        let script = try #require(assets.response(method: "GET", path: "/ui/js/pages/a.js"))
        #expect(script.headers["content-type"] == "text/javascript; charset=utf-8" && script.body == Array("export const a = 1;".utf8))
        #expect(assets.response(method: "GET", path: "/admin/v1/providers") == nil)
        #expect(assets.response(method: "GET", path: "/healthz") == nil)
    }

    @Test("unknown files, other types, traversal and writes are refused")
    func refuses() throws {
        let (assets, directory) = try Self.installed()
        #expect(assets.response(method: "GET", path: "/ui/notes.txt")?.status == 404)
        #expect(assets.response(method: "GET", path: "/ui/../index.html")?.status == 404)
        #expect(assets.response(method: "GET", path: "/ui/" + directory + "/index.html")?.status == 404)
        #expect(assets.response(method: "POST", path: "/")?.status == 405)
        #expect(DashboardAssets(directory: nil).response(method: "GET", path: "/")?.status == 404)
        #expect(DashboardAssets(directory: "/nonexistent").response(method: "GET", path: "/ui/app.css")?.status == 404)
    }
}
