import SafeFiles

/// A run's figures as CSV, one row per epoch (or validation point), rewritten whole and
/// atomically after each one, so a spreadsheet or pandas always reads a complete file.
public struct MetricsTable: Sendable {
    /// Column names; the first is usually the epoch or step.
    public let columns: [String]
    /// One value per column; nil prints as an empty cell (a figure the run does not have).
    public private(set) var rows: [[Double?]] = []

    public init(columns: [String]) { self.columns = columns }

    public mutating func append(_ row: [Double?]) {
        precondition(row.count == columns.count, "MetricsTable: \(row.count) values for \(columns.count) columns")
        rows.append(row)
    }

    /// The CSV text: a header line, then the rows; integers without a decimal point.
    public var csv: String {
        func cell(_ value: Double?) -> String {
            guard let value else { return "" }
            if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
            return "\(value)"
        }
        return ([columns.joined(separator: ",")] + rows.map { $0.map(cell).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    /// Replaces the file at `path` with the table.
    public func write(to path: String) throws(FileError) {
        try AtomicFile.replace(path, with: Array(csv.utf8))
    }
}
