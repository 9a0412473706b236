import Foundation

/// When the worker retrains the recommendation model: once a day at a time of day (UTC), or never.
public struct RetrainSchedule: Sendable, Equatable {
    /// Minutes after midnight UTC; nil: retraining is off.
    public var minuteOfDay: Int?

    /// Nightly at 03:00 UTC.
    public static let nightly = RetrainSchedule(minuteOfDay: 3 * 60)
    /// Never.
    public static let off = RetrainSchedule(minuteOfDay: nil)

    /// Parses `HH:MM` (24-hour, UTC) or `off`; nil for anything else.
    public init?(parsing text: String) {
        if text.lowercased() == "off" {
            self = .off
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return nil }
        minuteOfDay = hours * 60 + minutes
    }

    init(minuteOfDay: Int?) {
        self.minuteOfDay = minuteOfDay
    }

    /// The next time at or after `date` plus one second that the schedule names; nil when off.
    public func nextRun(after date: Date) -> Date? {
        guard let minuteOfDay else { return nil }
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let midnight = seconds - ((seconds % 86_400) + 86_400) % 86_400
        var next = midnight + Int64(minuteOfDay) * 60
        if next <= seconds { next += 86_400 }
        return Date(timeIntervalSince1970: TimeInterval(next))
    }
}
