import GoMartModels
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [("1.25", 125), ("3", 300), ("0.5", 50), ("0.05", 5), ("1234.99", 123_499)])
    func parsesDecimalTextExactly(text: String, minorUnits: Int64) {
        #expect(Money(decimal: text, currency: .gbp)?.minorUnits == minorUnits)
    }

    @Test(arguments: ["", "-1", "1.255", "1,25", "abc", "1.", ".5", "1e3", "1.2.3", "9999999999999"])
    func rejectsMalformedText(text: String) {
        #expect(Money(decimal: text, currency: .gbp) == nil)
    }

    @Test func formatsForShoppers() {
        #expect(Money(minorUnits: 125, currency: .gbp).formatted == "£1.25")
        #expect(Money(minorUnits: 5, currency: .gbp).formatted == "£0.05")
        #expect(Money(minorUnits: 100_000, currency: .eur).formatted == "€1000.00")
        #expect(Money(minorUnits: -250, currency: .gbp).formatted == "-£2.50")
    }
}

@Suite struct PackSizeTests {
    @Test func parsesWeightVolumeAndCount() throws {
        let grams = try #require(PackSize(parsing: "500 g"))
        #expect(grams.unit == .weight)
        #expect(grams.totalBaseQuantity == 500)
        #expect(grams.label == "500 g")
        let litres = try #require(PackSize(parsing: "2.272 L"))
        #expect(litres.unit == .volume)
        #expect(litres.totalBaseQuantity == 2272)
        #expect(litres.label == "2.272 L")
        let multipack = try #require(PackSize(parsing: "6 × 330 ml"))
        #expect(multipack.totalBaseQuantity == 1980)
        #expect(multipack.label == "6 × 330 ml")
        let ascii = try #require(PackSize(parsing: "4 x 125 g"))
        #expect(ascii.totalBaseQuantity == 500)
        let count = try #require(PackSize(parsing: "12 pack"))
        #expect(count.unit == .count)
        #expect(count.totalBaseQuantity == 12)
        let each = try #require(PackSize(parsing: "each"))
        #expect(each.unit == .count)
        #expect(each.totalBaseQuantity == 1)
        let loose = try #require(PackSize(parsing: "per kg"))
        #expect(loose.isPricedPerKilogram)
        #expect(loose.totalBaseQuantity == 1000)
    }

    @Test(arguments: ["", "500", "g", "0 g", "1.5 pack", "500 lbs", "x 500 g", "0 x 500 g", "1.2345 kg"])
    func rejectsUnknownNotation(text: String) {
        #expect(PackSize(parsing: text) == nil)
    }

    @Test func derivesUnitPricesWithIntegerRounding() throws {
        let price = Money(minorUnits: 125, currency: .gbp)
        #expect(try #require(PackSize(parsing: "500 g")).unitPrice(for: price).minorUnits == 250)
        #expect(try #require(PackSize(parsing: "6 × 330 ml")).unitPrice(for: price).minorUnits == 63) // 125 / 1.98 = 63.13
        #expect(try #require(PackSize(parsing: "4 pack")).unitPrice(for: price).minorUnits == 31) // 31.25 rounds down
        #expect(try #require(PackSize(parsing: "per kg")).unitPrice(for: price).minorUnits == 125)
        #expect(try #require(PackSize(parsing: "8 pack")).unitPrice(for: Money(minorUnits: 100, currency: .gbp)).minorUnits == 13) // 12.5 rounds half up
    }
}

@Suite struct FormURLEncodedTests {
    @Test func decodesPlusAndPercentEscapes() {
        let parsed = FormURLEncoded.parse("q=organic+milk&brand=Ben+%26+Harry%27s&brand=GoMart&empty=&flag")
        #expect(parsed["q"] == ["organic milk"])
        #expect(parsed["brand"] == ["Ben & Harry's", "GoMart"])
        #expect(parsed["empty"] == [""])
        #expect(parsed["flag"] == [""])
    }

    @Test func keepsMalformedEscapesLiterally() {
        #expect(FormURLEncoded.parse("q=100%")["q"] == ["100%"])
        #expect(FormURLEncoded.parse(nil).isEmpty)
    }
}
