import Foundation

/// Charts drawn as SVG on the server, so the back office needs no JavaScript for them. Each
/// chart has a title for screen readers, and each bar a tooltip with its exact figure; the page
/// also gives the figures as a table.
enum SVGChart {
    /// One bar: its label, its size, and the figure to show.
    struct Bar: Sendable {
        var label: String
        var value: Int64
        var display: String
    }

    /// Vertical bars in a row (a time series), labelling every `labelEvery`th bar underneath.
    static func columns(_ bars: [Bar], title: String, labelEvery: Int = 5, width: Int = 720, height: Int = 220) -> String {
        let top = 24, bottom = 28, left = 8, right = 8
        let plotHeight = height - top - bottom
        let largest = max(bars.map(\.value).max() ?? 0, 1)
        let slot = Double(width - left - right) / Double(max(bars.count, 1))
        let barWidth = max(slot * 0.7, 1)
        var svg = header(title: title, width: width, height: height)
        svg += #"<text x="\#(left)" y="14" class="chart-axis">max \#(escape(bars.max { $0.value < $1.value }?.display ?? "0"))</text>"#
        svg += #"<line x1="\#(left)" y1="\#(top + plotHeight)" x2="\#(width - right)" y2="\#(top + plotHeight)" class="chart-baseline"/>"#
        for (index, bar) in bars.enumerated() {
            let barHeight = Double(plotHeight) * Double(max(bar.value, 0)) / Double(largest)
            let x = Double(left) + slot * Double(index) + (slot - barWidth) / 2
            let y = Double(top + plotHeight) - barHeight
            svg += #"<rect x="\#(format(x))" y="\#(format(y))" width="\#(format(barWidth))" height="\#(format(barHeight))" class="chart-bar">"#
            svg += "<title>\(escape(bar.label)): \(escape(bar.display))</title></rect>"
            if index % labelEvery == 0 || index == bars.count - 1 {
                svg += #"<text x="\#(format(x + barWidth / 2))" y="\#(height - 8)" text-anchor="middle" class="chart-axis">\#(escape(bar.label))</text>"#
            }
        }
        return svg + "</svg>"
    }

    /// Horizontal bars, one per row, labelled on the left with the figure on the right.
    static func rows(_ bars: [Bar], title: String, width: Int = 720, rowHeight: Int = 26) -> String {
        let labelWidth = 260, figureWidth = 90
        let height = max(bars.count, 1) * rowHeight + 8
        let largest = max(bars.map(\.value).max() ?? 0, 1)
        let plotWidth = width - labelWidth - figureWidth
        var svg = header(title: title, width: width, height: height)
        for (index, bar) in bars.enumerated() {
            let y = index * rowHeight + 4
            let barWidth = Double(plotWidth) * Double(max(bar.value, 0)) / Double(largest)
            svg += #"<text x="\#(labelWidth - 8)" y="\#(y + rowHeight / 2 + 4)" text-anchor="end" class="chart-label">\#(escape(truncated(bar.label)))</text>"#
            svg += #"<rect x="\#(labelWidth)" y="\#(y + 3)" width="\#(format(barWidth))" height="\#(rowHeight - 8)" class="chart-bar">"#
            svg += "<title>\(escape(bar.label)): \(escape(bar.display))</title></rect>"
            svg += #"<text x="\#(format(Double(labelWidth) + barWidth + 6))" y="\#(y + rowHeight / 2 + 4)" class="chart-figure">\#(escape(bar.display))</text>"#
        }
        return svg + "</svg>"
    }

    static func header(title: String, width: Int, height: Int) -> String {
        #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(width) \#(height)" width="100%" role="img" aria-label="\#(escape(title))" class="chart">"#
            + "<title>\(escape(title))</title>"
    }

    /// Text made safe for SVG: the same five characters as HTML.
    static func escape(_ text: String) -> String {
        HTMLText.escape(text)
    }

    static func truncated(_ label: String, to length: Int = 34) -> String {
        label.count <= length ? label : String(label.prefix(length - 1)) + "…"
    }

    /// One decimal place is plenty for a chart.
    static func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
