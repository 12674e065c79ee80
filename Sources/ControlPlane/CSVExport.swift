import Core
import HTTPKit

/// `format=csv` on the analytics lists: the `data` rows of a JSON answer as CSV (RFC 4180 quoting, one line
/// per row), so a shell script with only curl and awk (or a spreadsheet) can read them. Columns are the first
/// row's fields, or those `columns=a,b,c` names; nested values are written as their JSON text; null is empty.
enum CSVExport {
    /// True when the request asks for CSV; a `format` other than `json` or `csv` is a 400.
    static func requested(_ request: HTTPRequest) throws -> Bool {
        switch request.query["format"] ?? "json" {
        case "json": return false
        case "csv": return true
        default: throw AdminError(400, "format must be json or csv", field: "format")
        }
    }

    /// The CSV form of `rows` (objects), with a header line; a header-only file when there are none.
    static func render(_ rows: [JSONValue], columns: [String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + rows.count * columns.count * 12)
        appendLine(columns, into: &out)
        for row in rows {
            let fields = row.objectValue ?? []
            appendLine(columns.map { column in cell(fields.first { $0.0 == column }?.1 ?? .null) }, into: &out)
        }
        return out
    }

    /// A list answer (`{"data": [...], "next_cursor": ...}`) as JSON (`json` when that differs from `value`), or
    /// as CSV when asked, with the next page's cursor in `x-next-cursor`.
    static func answer(_ value: JSONValue, request: HTTPRequest, filename: String, json: JSONValue? = nil) throws -> HTTPResponse {
        guard try requested(request) else { return .json(200, json ?? value) }
        let fields = value.objectValue ?? []
        var headers = HTTPHeaders([("content-type", "text/csv; charset=utf-8"),
                                   ("content-disposition", "attachment; filename=\"\(filename).csv\"")])
        if case .string(let cursor)? = fields.first(where: { $0.0 == "next_cursor" })?.1 { headers.add("x-next-cursor", cursor) }
        let rows = fields.first { $0.0 == "data" }?.1.arrayValue ?? []
        let available = rows.first?.objectValue?.map(\.0) ?? []
        var columns = available
        if let chosen = request.query["columns"], !chosen.isEmpty {
            columns = chosen.split(separator: ",").map { String($0) }
            if !available.isEmpty, let unknown = columns.first(where: { !available.contains($0) }) {
                throw AdminError(400, "columns: no column '\(unknown)' here; these are: \(available.joined(separator: ","))", field: "columns")
            }
        }
        return HTTPResponse(status: 200, headers: headers, body: render(rows, columns: columns))
    }

    private static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return text
        case .array, .object: return JSONWriter.string(value)
        }
    }

    private static func appendLine(_ cells: [String], into out: inout [UInt8]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let needsQuotes = cell.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            guard needsQuotes else {
                out.append(contentsOf: cell.utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for byte in cell.utf8 {
                if byte == UInt8(ascii: "\"") { out.append(byte) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(10)
    }
}
