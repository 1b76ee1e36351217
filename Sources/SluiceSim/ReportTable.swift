import Gossip

/// Renders rows of cells as an aligned text table or as CSV. A value; any thread.
struct ReportTable {
    enum Format: String {
        case table, csv
    }

    let headers: [String]
    private(set) var rows: [[String]] = []

    init(headers: [String]) { self.headers = headers }

    /// Appends a row; missing cells print as "-", extra cells are an error of the caller.
    mutating func append(_ row: [String]) {
        precondition(row.count <= headers.count, "row has more cells than the table has columns")
        rows.append(row + Array(repeating: "-", count: headers.count - row.count))
    }

    func render(_ format: Format) -> String {
        switch format {
        case .csv:
            return ([headers] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n")
        case .table:
            var widths = headers.map(\.count)
            for row in rows {
                for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
            }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { i, c in Self.pad(c, widths[i], right: i > 0) }.joined(separator: "  ")
            }
            let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
            return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
        }
    }

    /// Quotes a CSV field only when it holds a comma, a quote or a line break (RFC 4180).
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences("\"", with: "\"\"") + "\""
    }

    static func pad(_ s: String, _ width: Int, right: Bool) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }
}

extension String {
    /// Foundation-free replacement of every occurrence of `target`.
    func replacingOccurrences(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}

/// Number formatting without Foundation. Any thread.
enum Format {
    /// `value` with `digits` decimals, rounded half away from zero.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let frac = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        let f = String(frac)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - f.count) + f
    }

    /// Virtual time in seconds with 2 decimals; "-" for nil.
    static func seconds(_ t: Instant?) -> String {
        guard let t else { return "-" }
        return fixed(Double(t) / Double(second), 2)
    }

    /// Virtual time in seconds and in protocol periods: "0.45 (2.3p)".
    static func secondsAndPeriods(_ t: Instant?, period: Instant) -> String {
        guard let t else { return "-" }
        return seconds(t) + " (" + fixed(Double(t) / Double(period), 1) + "p)"
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
