import Foundation
import Logging
import Synchronization
@testable import Telemetry
import Testing

/// A clock that moves only when told to.
final class ManualClock: Sendable {
    let start = ContinuousClock.now
    private let offset = Mutex(Duration.zero)
    func advance(by duration: Duration) { offset.withLock { $0 += duration } }
    var now: ContinuousClock.Instant { start.advanced(by: offset.withLock { $0 }) }
}

/// Collects what a bar writes.
final class Written: Sendable {
    private let parts = Mutex<[String]>([])
    func append(_ text: String) { parts.withLock { $0.append(text) } }
    var all: [String] { parts.withLock { $0 } }
}

@Suite struct ProgressBarTests {
    @Test func aTerminalGetsOneLineRedrawnWithCountsAndTimeLeft() {
        let clock = ManualClock(), written = Written()
        let bar = ProgressBar(title: "Importing", unit: "products", isTerminal: true, width: 10, clock: { clock.now }, write: written.append)
        clock.advance(by: .seconds(2))
        bar.update(1_200, of: 4_800)
        bar.update(1_300, of: 4_800) // within 100 ms of the last drawing: not drawn
        clock.advance(by: .seconds(1))
        bar.update(4_800, of: 4_800)
        bar.finish()
        #expect(written.all == [
            "\rImporting  [██░░░░░░░░]  1,200 / 4,800 products  25%  about 6 s left\u{1B}[K",
            "\rImporting  [██████████]  4,800 / 4,800 products  100%\u{1B}[K",
            "\rImporting  [██████████]  4,800 / 4,800 products  100%\u{1B}[K\n",
        ])
    }

    @Test func aLogGetsAPlainLineAtEachQuarter() {
        let clock = ManualClock(), written = Written()
        let bar = ProgressBar(title: "Recording orders", unit: "orders", isTerminal: false, clock: { clock.now }, write: written.append)
        for done in stride(from: 100, through: 2_000, by: 100) { bar.update(done, of: 2_000) }
        bar.finish()
        #expect(written.all == [
            "Recording orders: 500 / 2,000 orders (25%)\n",
            "Recording orders: 1,000 / 2,000 orders (50%)\n",
            "Recording orders: 1,500 / 2,000 orders (75%)\n",
            "Recording orders: 2,000 / 2,000 orders (100%)\n",
        ])
    }

    @Test func numbersAndDurationsReadNaturally() {
        #expect(ProgressBar.grouped(0) == "0")
        #expect(ProgressBar.grouped(999) == "999")
        #expect(ProgressBar.grouped(1_000) == "1,000")
        #expect(ProgressBar.grouped(1_234_567) == "1,234,567")
        #expect(ProgressBar.duration(seconds: 59) == "59 s")
        #expect(ProgressBar.duration(seconds: 75) == "1 min 15 s")
    }
}

@Suite struct ConsoleLogHandlerTests {
    @Test func aLineHasTheTimeLevelMessageAndSortedMetadata() {
        let handler = ConsoleLogHandler(level: .info, colour: false)
        let time = Date(timeIntervalSince1970: 1_800_000_123)
        #expect(handler.line(time: time, level: .notice, message: "recommendation model promoted",
                             fields: ["reason": "scores no worse", "items": "636"])
                == "08:02:03 notice  recommendation model promoted  items=636 reason=\"scores no worse\"")
        #expect(handler.line(time: time, level: .info, message: "ready", fields: [:]) == "08:02:03 info    ready")
    }

    @Test func coloursFollowTheLevel() {
        let handler = ConsoleLogHandler(level: .info, colour: true)
        let line = handler.line(time: Date(timeIntervalSince1970: 0), level: .error, message: "failed", fields: [:])
        #expect(line == "\u{1B}[2m00:00:00\u{1B}[0m \u{1B}[31merror   \u{1B}[0mfailed")
    }
}
