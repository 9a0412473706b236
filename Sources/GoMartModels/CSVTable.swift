import Foundation

/// A minimal RFC 4180 CSV reader: quoted fields, doubled quotes, commas and newlines in quotes.
public struct CSVTable: Sendable {
    /// One parsed record with the 1-based line number it starts on.
    public struct Record: Sendable {
        public var line: Int
        public var fields: [String]
    }

    public var records: [Record]

    /// Why a file could not be read as CSV at all.
    public struct SyntaxError: Error, Equatable {
        public var line: Int
        public var message: String
    }

    /// Parses `text`, skipping blank lines. Throws on an unterminated quoted field.
    public init(parsing text: String) throws {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var fieldStarted = false
        var iterator = Array(text.unicodeScalars.lazy.map(Character.init)).makeIterator()
        var pending: Character? = nil

        func next() -> Character? {
            if let value = pending { pending = nil; return value }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []
            field = ""
            fieldStarted = false
        }

        while let character = next() {
            if inQuotes {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { inQuotes = false; pending = following }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where !fieldStarted:
                inQuotes = true
                fieldStarted = true
            case ",":
                fields.append(field)
                field = ""
                fieldStarted = false
            case "\r":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(character)
                fieldStarted = true
            }
        }
        if inQuotes {
            throw SyntaxError(line: recordLine, message: "a quoted field is never closed")
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        self.records = records
    }
}

/// Writes CSV as ``CSVTable`` reads it: fields quoted where needed, a quote written twice, one
/// record per line.
public enum CSVWriter {
    /// The header and rows as CSV text.
    public static func render(header: [String], rows: [[String]]) -> String {
        var text = header.map(escape).joined(separator: ",") + "\n"
        for row in rows { text += row.map(escape).joined(separator: ",") + "\n" }
        return text
    }

    /// One field, quoted when it holds a comma, a quote or a line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
