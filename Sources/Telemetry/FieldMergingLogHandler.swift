import Logging

/// A log handler whose event fields are its own metadata, then the metadata provider's, then
/// the event's, later ones winning.
public protocol FieldMergingLogHandler: LogHandler {}

extension FieldMergingLogHandler {
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Every field of `event`.
    func fields(of event: LogEvent) -> Logger.Metadata {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        return fields
    }
}
