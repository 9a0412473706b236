import Logging

extension SlotService {
    /// Sets up the demo shop's slots when no place exists yet: one delivery area serving every
    /// postcode, with two-hour windows from 08:00 to 22:00 every day (peak windows dearer, each
    /// free above an order value), and a collection point with free windows. Returns true when
    /// it set them up.
    @discardableResult
    public func seedDemoSlotsIfFirstRun(logger: Logger) async throws -> Bool {
        guard try await places().isEmpty else { return false }
        let area = try await save(SlotPlace(code: "local", method: .delivery, name: "Home delivery"))
        let marketStreet = try await save(SlotPlace(code: "market-street", method: .collection, name: "Market Street store",
                                             address: "1 Market Street, London EC1A 1AA"))
        let peak: Set<Int> = [8 * 60, 16 * 60, 18 * 60]
        var templates: [SlotTemplate] = []
        for weekday in 1...7 {
            for start in stride(from: 8 * 60, to: 22 * 60, by: 120) {
                let isPeak = peak.contains(start) || weekday >= 6
                templates.append(SlotTemplate(placeID: area.id, weekday: weekday, startMinute: start, endMinute: start + 120, capacity: 20,
                                            priceMinor: isPeak ? 450 : 150, freeFromMinor: isPeak ? 80_00 : 40_00, cutoffMinutes: 12 * 60))
            }
            for start in stride(from: 10 * 60, to: 20 * 60, by: 120) {
                templates.append(SlotTemplate(placeID: marketStreet.id, weekday: weekday, startMinute: start, endMinute: start + 120, capacity: 30,
                                            priceMinor: 0, cutoffMinutes: 4 * 60))
            }
        }
        _ = try await store(templates)
        try await generate()
        logger.info("demo delivery and collection slots set up", metadata: ["days_ahead": "\(daysAhead)"])
        return true
    }
}
