import Foundation
import GoMartModels
import Testing

@Suite struct IdentifierTests {
    @Test func publicTextIsFoundationsTextInLowerCaseAndReadsBackInAnyCase() {
        for _ in 0..<2_000 {
            let uuid = UUID()
            #expect(uuid.publicString == uuid.uuidString.lowercased())
            #expect(UUID(publicString: uuid.publicString) == uuid)
            #expect(UUID(publicString: uuid.uuidString) == uuid)
        }
        let fixed = UUID(uuid: (0x00, 0x1f, 0xa0, 0xff, 0x10, 0x9a, 0xb0, 0xc1, 0xd2, 0xe3, 0xf4, 0x05, 0x16, 0x27, 0x38, 0x49))
        #expect(fixed.publicString == "001fa0ff-109a-b0c1-d2e3-f40516273849")
    }

    @Test(arguments: [
        "", "001fa0ff-109a-b0c1-d2e3-f4051627384", "001fa0ff-109a-b0c1-d2e3-f405162738490", "001fa0ff0109a-b0c1-d2e3-f40516273849",
        "001fa0ff-109a-b0c1-d2e3-f4051627384g", "g01fa0ff-109a-b0c1-d2e3-f40516273849", "001fa0ff-109a-b0c1-d2e3_f40516273849",
        "{01fa0ff-109a-b0c1-d2e3-f40516273849", "001fa0ff-109a-b0c1-d2e3-f405162738é", "001fa0ff109ab0c1d2e3f40516273849",
    ])
    func anythingElseIsNotAnIdentifier(text: String) {
        #expect(UUID(publicString: text) == nil)
        #expect(UUID(uuidString: text) == nil) // Foundation agrees
    }
}
