import Foundation
import NIOCore
import Testing
import Web

@Suite struct GzipTests {
    static let page = Array(String(repeating: "<li class=\"card\"><a href=\"/products/apple\">Apple</a></li>\n", count: 400).utf8)

    @Test func wholeBodiesRoundTripAndShrink() throws {
        let compressed = Gzip.compress(Self.page)
        #expect(compressed.readableBytes < Self.page.count / 10)
        #expect(Self.decodes(compressed, to: Self.page))
        let empty = Gzip.compress([UInt8]())
        #expect(Self.decodes(empty, to: []))
    }

    @Test func splicedPartsFormOneValidStream() throws {
        let head = Array("<html><body><form><input name=\"_csrf\" value=\"".utf8)
        let token = Array("c2VjcmV0LXRva2VuLWZvci10aGlzLXZpc2l0b3I".utf8)
        let tail = Array("\"></form>".utf8) + Self.page
        let parts = [Gzip.deflate(head), Gzip.stored(token), Gzip.deflate(tail)]
        let body = Gzip.assemble(parts)
        #expect(Self.decodes(body, to: head + token + tail))
    }

    @Test func holesFilledPerRequestKeepEveryBackReferenceRight() throws {
        // The text around the holes repeats itself, and the fillings look like that text, so a
        // back-reference counted wrongly or reaching into a hole would corrupt the output.
        let card = Array("<form><input type=\"hidden\" name=\"_csrf\" value=\"".utf8)
        let description = "Crisp, sweet and sharp eating apples from orchards in Kent, picked by hand at their best and kept cool until they reach you; lovely in a packed lunch, baked with cinnamon or sliced thinly over porridge with a spoonful of honey. Store them in the fridge. "
        let after = Array("\"><button>Add to cart</button></form>\n<p class=\"description\">\(description)</p>\n".utf8)
        let chunks: [[UInt8]] = [Array("<header>".utf8), Array("</nav>".utf8) + card] + Array(repeating: after + card, count: 30) + [after]
        let holes: [Gzip.Hole] = [.anyLength] + Array(repeating: .fixedLength(43), count: 31)
        let parts = Gzip.deflate(chunks: chunks, holes: holes)
        for (token, nav) in [(String(repeating: "a", count: 43), "<nav>Cart 0</nav>"), (String("\"><button>Add to cart</button></form>\n<form value=\"".prefix(43)), "")] {
            let tokenBytes = Array(token.utf8)
            #expect(tokenBytes.count == 43)
            var spliced = [parts[0], Gzip.stored(Array(nav.utf8))]
            var expected = chunks[0] + Array(nav.utf8)
            for index in 1..<chunks.count {
                spliced.append(parts[index])
                expected += chunks[index]
                if index < chunks.count - 1 {
                    spliced.append(Gzip.stored(tokenBytes))
                    expected += tokenBytes
                }
            }
            let body = Gzip.assemble(spliced)
            #expect(Self.decodes(body, to: expected))
            // Beyond compressing the whole text, only the stored fillings and a block boundary per
            // hole cost extra; compressing each chunk on its own would cost several times more.
            #expect(body.readableBytes <= Gzip.compress(expected).readableBytes + 32 * (43 + 5 + 90) + nav.utf8.count)
        }
    }

    @Test func storedPartsLongerThanOneBlockAndEmptyPartsWork() throws {
        var generator = SystemRandomNumberGenerator()
        let long = (0..<150_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let body = Gzip.assemble([Gzip.stored([]), Gzip.stored(long), Gzip.deflate([]), Gzip.deflate(Self.page)])
        #expect(Self.decodes(body, to: long + Self.page))
    }

    @Test func aCorruptedStreamIsRejected() throws {
        var bytes = Array(Gzip.compress(Self.page).readableBytesView)
        bytes[bytes.count - 6] ^= 0xFF // the CRC no longer matches
        #expect(Gzip.decompress(bytes) == nil)
        #expect(Gzip.decompress(Array("not gzip at all".utf8)) == nil)
    }

    static func decodes(_ body: ByteBuffer, to expected: [UInt8]) -> Bool {
        Gzip.decompress(Array(body.readableBytesView)) == expected
    }

    @Test(arguments: [
        ("gzip", true), ("gzip, deflate, br", true), ("br;q=1.0, gzip;q=0.8", true), ("x-gzip", true), ("GZIP", true),
        ("gzip;q=0", false), ("gzip; q=0.000", false), ("deflate, br", false), ("", false), ("identity", false),
    ])
    func acceptEncodingIsReadLikeBrowsersMeanIt(header: String, accepted: Bool) {
        #expect(Gzip.isAccepted(header) == accepted)
    }

    @Test func entityTagsMatchListsWeakFormsAndStar() {
        #expect(EntityTag.matches("\"abc\"", "\"abc\""))
        #expect(EntityTag.matches("W/\"abc\"", "\"abc\""))
        #expect(EntityTag.matches("\"x\", \"abc\"", "\"abc\""))
        #expect(EntityTag.matches("*", "\"abc\""))
        #expect(!EntityTag.matches("\"abcd\"", "\"abc\""))
        #expect(!EntityTag.matches(nil, "\"abc\""))
    }
}

@Suite struct StaticAssetsTests {
    func makeFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("assets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("images"), withIntermediateDirectories: true)
        try String(repeating: "body { color: #14532d; }\n", count: 100).write(to: folder.appendingPathComponent("site.css"), atomically: true, encoding: .utf8)
        try "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".write(to: folder.appendingPathComponent("images/logo.svg"), atomically: true, encoding: .utf8)
        return folder.path
    }

    @Test func fingerprintsFollowTheContent() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try StaticAssets(directory: folder)
        let css = first.url(for: "/static/site.css")
        #expect(css.hasPrefix("/static/site."))
        #expect(css.hasSuffix(".css"))
        #expect(css != "/static/site.css")
        #expect(first.url(for: "/static/images/logo.svg").hasPrefix("/static/images/logo."))
        #expect(first.url(for: "/static/missing.js") == "/static/missing.js")
        #expect(first.fingerprintingReferences(in: #"<link href="/static/site.css">"#) == #"<link href="\#(css)">"#)
        let logo = first.url(for: "/static/images/logo.svg")
        #expect(first.fingerprintingReferences(in: #"<script src="/static/missing.js"></script><img src="/static/images/logo.svg" alt=""><link href="/static/site.css"> "/static"#)
                == #"<script src="/static/missing.js"></script><img src="\#(logo)" alt=""><link href="\#(css)"> "/static"#)

        try "body { color: red; }".write(toFile: folder + "/site.css", atomically: true, encoding: .utf8)
        let second = try StaticAssets(directory: folder)
        #expect(second.url(for: "/static/site.css") != css)
    }
}
