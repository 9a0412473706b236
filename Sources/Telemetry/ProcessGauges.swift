import Foundation
import Metrics

/// Gauges about the machine a process runs on, read when `/metrics` is scraped: its resident
/// memory (`gomart_process_resident_memory_bytes`) and the space on the volume holding its data
/// (`gomart_data_volume_available_bytes`, `gomart_data_volume_size_bytes`), so that a one-machine
/// shop can alert on memory and disk without a node exporter beside it.
public struct ProcessGauges: Sendable {
    let volume: String
    private let resident = Gauge(label: "gomart_process_resident_memory_bytes")
    private let available = Gauge(label: "gomart_data_volume_available_bytes")
    private let size = Gauge(label: "gomart_data_volume_size_bytes")

    /// Gauges for this process and the volume holding `volume` (a folder).
    public init(volume: String) {
        self.volume = volume
    }

    /// Reads the figures now.
    public func refresh() {
        if let pages = Self.residentPages() { resident.record(pages * Int64(sysconf(Int32(_SC_PAGESIZE)))) }
        var stats = statvfs()
        if statvfs(volume, &stats) == 0 {
            available.record(Int64(stats.f_bavail) * Int64(stats.f_frsize))
            size.record(Int64(stats.f_blocks) * Int64(stats.f_frsize))
        }
    }

    /// The second field of `/proc/self/statm`: resident pages (Linux).
    static func residentPages() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? Int64(fields[1]) : nil
    }
}
