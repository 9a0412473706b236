import Foundation
import Metrics

/// Background jobs' runs as metrics, one place for every job: `gomart_job_runs_total{job,outcome}`
/// (`succeeded` or `failed`) and `gomart_job_last_success_timestamp_seconds{job}`. A round a
/// worker skips because another holds the job's lease is not a run.
public enum JobRuns {
    /// Records one run of `job`.
    public static func record(_ job: String, succeeded: Bool) {
        Counter(label: "gomart_job_runs_total", dimensions: [("job", job), ("outcome", succeeded ? "succeeded" : "failed")]).increment()
        if succeeded {
            Gauge(label: "gomart_job_last_success_timestamp_seconds", dimensions: [("job", job)]).record(Date().timeIntervalSince1970)
        }
    }
}
