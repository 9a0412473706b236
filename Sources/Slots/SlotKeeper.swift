import Logging
import Storage

/// Keeps the slots going: on start and then every `interval`, releases holds that no order
/// confirmed in time, and generates the slots of the days ahead from the weekly templates (as
/// days pass, a new day comes into view). With many workers, a database lease lets one of them
/// do each round.
public enum SlotKeeper {
    /// The job, as a service for the worker's group.
    public static func job(slots: SlotService, database: Database, interval: Duration = .seconds(60), logger: Logger) -> LeasedJob {
        LeasedJob(lease: "slot-keeper", metric: "slots", database: database, interval: interval, logger: logger) {
            let released = try await slots.releaseLapsedHolds()
            let created = try await slots.generate()
            if released > 0 || created > 0 {
                logger.info("slots kept", metadata: ["holds_released": "\(released)", "slots_created": "\(created)"])
            }
        }
    }
}
