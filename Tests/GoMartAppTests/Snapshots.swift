import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SnapshotTesting
import Testing

/// Pins what changes from run to run in a page or an API answer, so that whole documents can be
/// compared with a stored snapshot: ids, tokens, order numbers, times and asset fingerprints.
struct Pinned {
    /// The document with its volatile parts replaced by stable placeholders. UUIDs become
    /// `00000000-0000-0000-0000-00000000000N`, numbered in order of first appearance, so that a
    /// page that shows one product twice still shows the same id twice.
    static func pin(_ text: String, now: Date = Date()) -> String {
        var text = text
        text = replace(#"(name="(_csrf|idempotency_key)" value=")[^"]*"#, in: text, with: "$1<token>")
        text = replace(#"("token"\s*:\s*")[^"]*"#, in: text, with: "$1<session-token>")
        text = replace(#"GM-[0-9A-Z]{6}"#, in: text, with: "GM-NUMBER")
        text = replace(#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)"#, in: text, with: "<timestamp>")
        text = replace(#"\b\d{4}-\d\d-\d\d \d\d:\d\d\b"#, in: text, with: "<time>")
        text = replace(#"(type="date" id="\w+" name="\w+" value=")\d{4}-\d\d-\d\d"#, in: text, with: "$1<day>")
        text = replace(#"\.[0-9a-f]{12}\.(css|js|svg|png|webp|jpg)"#, in: text, with: ".<fingerprint>.$1")
        for offset in [0, -60, -120] {
            let instant = now.addingTimeInterval(TimeInterval(offset))
            for style in [
                Date.FormatStyle.dateTime.day().month(.wide).year().hour().minute(),
                Date.FormatStyle.dateTime.day().month(.wide).year(),
                Date.FormatStyle.dateTime.day().month(.abbreviated).year(),
            ] {
                text = text.replacingOccurrences(of: instant.formatted(style), with: "<date>")
            }
        }
        // A day as shoppers read it ("Tuesday 8 December"): an offer's last day, when a product was last bought.
        text = replace(#"(until|last on) (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December)( \d{4})?"#,
                       in: text, with: "$1 <day>")
        // A time of day after a pinned date, however long ago (a slow run may take minutes).
        text = replace(#"<date> at \d{1,2}:\d\d(\s?[AP]M)?"#, in: text, with: "<date>")
        return numberUUIDs(in: text)
    }

    static func replace(_ pattern: String, in text: String, with template: String) -> String {
        let expression = try! NSRegularExpression(pattern: pattern)
        return expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    static func numberUUIDs(in text: String) -> String {
        let expression = try! NSRegularExpression(pattern: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
        var numbers: [String: Int] = [:]
        var result = ""
        var last = text.startIndex
        for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let range = Range(match.range, in: text) else { continue }
            let found = text[range].lowercased()
            let number = numbers[found] ?? (numbers.count + 1)
            numbers[found] = number
            result += text[last..<range.lowerBound]
            result += String(format: "00000000-0000-0000-0000-%012d", number)
            last = range.upperBound
        }
        return result + text[last...]
    }
}

/// Compares `response` (status, content type and pinned body) with the snapshot `name` stored
/// beside the test file, in `__Snapshots__/`.
func assertSnapshot(of response: TestResponse, named name: String, fileID: StaticString = #fileID, file: StaticString = #filePath,
                    testName: String = #function, line: UInt = #line, column: UInt = #column) {
    var body = String(buffer: response.body)
    if response.headers[.contentType]?.hasPrefix("application/") == true,
       let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)),
       let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) {
        body = String(decoding: pretty, as: UTF8.self)
    }
    let document = "\(response.status.code) \(response.headers[.contentType] ?? "")\n\n" + Pinned.pin(body)
    assertSnapshot(of: document, as: .lines, named: name, fileID: fileID, file: file, testName: testName, line: line, column: column)
}
