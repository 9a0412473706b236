import Foundation
import Synchronization

/// Progress of long command-line work, for the person waiting on it.
///
/// On a terminal it redraws one line in place, at most ten times a second:
/// `Importing  [██████████░░░░░░░░░░]  1,200 / 2,000 products  60%  about 3 s left`.
/// Elsewhere (a log file, CI) it writes a plain line at each quarter, so logs stay short.
public final class ProgressBar: Sendable {
    private struct State {
        var done = 0
        var total = 0
        var lastDrawn: ContinuousClock.Instant?
        var lastQuarter = 0
        var finished = false
    }

    let title: String
    let unit: String
    let isTerminal: Bool
    let width: Int
    private let write: @Sendable (String) -> Void
    private let started: ContinuousClock.Instant
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    /// Creates a bar for `title`, counting `unit`s, writing to standard error.
    public convenience init(title: String, unit: String) {
        self.init(title: title, unit: unit, isTerminal: isatty(STDERR_FILENO) != 0) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Creates a bar writing with `write`; `clock` is for tests.
    public init(title: String, unit: String, isTerminal: Bool, width: Int = 24,
                clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
                write: @escaping @Sendable (String) -> Void) {
        self.title = title
        self.unit = unit
        self.isTerminal = isTerminal
        self.width = width
        self.write = write
        self.clock = clock
        self.started = clock()
    }

    /// Records that `done` of `total` are done.
    public func update(_ done: Int, of total: Int) {
        let now = clock()
        let text = state.withLock { state -> String? in
            guard !state.finished else { return nil }
            state.done = done
            state.total = total
            if isTerminal {
                if let last = state.lastDrawn, now - last < .milliseconds(100), done < total { return nil }
                state.lastDrawn = now
                return "\r" + line(done: done, total: total, now: now) + "\u{1B}[K"
            }
            let quarter = total > 0 ? min(done * 4 / total, 4) : 0
            guard quarter > state.lastQuarter else { return nil }
            state.lastQuarter = quarter
            return line(done: done, total: total, now: now) + "\n"
        }
        if let text { write(text) }
    }

    /// Ends the bar: a terminal gets its final line and a line break.
    public func finish() {
        let now = clock()
        let text = state.withLock { state -> String? in
            guard !state.finished else { return nil }
            state.finished = true
            guard isTerminal, state.lastDrawn != nil else { return nil }
            return "\r" + line(done: state.done, total: state.total, now: now) + "\u{1B}[K\n"
        }
        if let text { write(text) }
    }

    /// The bar's line for `done` of `total` at `now`.
    func line(done: Int, total: Int, now: ContinuousClock.Instant) -> String {
        let percent = total > 0 ? min(done * 100 / total, 100) : 100
        let counts = "\(Self.grouped(done)) / \(Self.grouped(total)) \(unit)"
        var text = isTerminal
            ? "\(title)  [\(String(repeating: "█", count: percent * width / 100))\(String(repeating: "░", count: width - percent * width / 100))]  \(counts)  \(percent)%"
            : "\(title): \(counts) (\(percent)%)"
        if done > 0 && done < total {
            let leftSeconds = ((now - started).wholeMilliseconds * Int64(total - done) / Int64(done) + 999) / 1_000
            if leftSeconds > 0 { text += "  about \(Self.duration(seconds: leftSeconds)) left" }
        }
        return text
    }

    /// `12345` as `12,345`.
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var out = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return number < 0 ? "-" + out : out
    }

    /// `75` as `1 min 15 s`.
    static func duration(seconds: Int64) -> String {
        seconds < 60 ? "\(seconds) s" : "\(seconds / 60) min \(seconds % 60) s"
    }
}
