import Foundation

/// A `multipart/form-data` body (RFC 7578) as a file upload form sends it: its text fields and
/// its files. Small and strict: it reads only what a browser sends for a form.
public struct MultipartForm: Sendable {
    /// An uploaded file.
    public struct File: Sendable {
        public var fileName: String
        public var contentType: String?
        public var bytes: [UInt8]
    }

    public var fields: [String: [String]] = [:]
    public var files: [String: File] = [:]

    /// The boundary named in a `Content-Type: multipart/form-data; boundary=…` header.
    public static func boundary(contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
                return (1...70).contains(value.count) ? value : nil
            }
        }
        return nil
    }

    /// Parses `body`; nil when it is not well-formed.
    public static func parse(_ body: [UInt8], boundary: String) -> MultipartForm? {
        let delimiter = Array("--\(boundary)".utf8)
        var form = MultipartForm()
        guard var position = find(delimiter, in: body, from: 0) else { return nil }
        position += delimiter.count
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body.count >= position + 2, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") { return form }
            guard body.count >= position + 2, body[position] == 13, body[position + 1] == 10 else { return nil }
            position += 2
            guard let headersEnd = find([13, 10, 13, 10], in: body, from: position) else { return nil }
            let headers = String(decoding: body[position..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let next = find([13, 10] + delimiter, in: body, from: contentStart) else { return nil }
            let content = Array(body[contentStart..<next])
            var name: String?
            var fileName: String?
            var contentType: String?
            for line in headers.split(separator: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let value = pair[1].trimmingCharacters(in: .whitespaces)
                switch pair[0].lowercased() {
                case "content-disposition":
                    name = parameter("name", in: value)
                    fileName = parameter("filename", in: value)
                case "content-type":
                    contentType = value
                default:
                    break
                }
            }
            guard let name else { return nil }
            if let fileName {
                form.files[name] = File(fileName: fileName, contentType: contentType, bytes: content)
            } else {
                form.fields[name, default: []].append(String(decoding: content, as: UTF8.self))
            }
            position = next + 2 + delimiter.count
        }
    }

    static func parameter(_ name: String, in disposition: String) -> String? {
        for part in disposition.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            return pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        let first = needle[0]
        while index <= haystack.count - needle.count {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
