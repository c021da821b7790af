//! The service's own counters and the request-latency histogram, written in the Prometheus text
//! format together with the gauges read from the store at scrape time (`GET /metrics`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Counters {
    /// Announcements accepted, by fund-independent outcome (`stored`, `already_stored`).
    submissions: BTreeMap<&'static str, u64>,
    /// Announcements refused, by the rule of the first error (`N. 1202`, …).
    rejections: BTreeMap<&'static str, u64>,
    /// Requests by (method, route, status).
    latency: BTreeMap<(String, String, u16), Histogram>,
}

/// Counters of one running service. Cheap to update from every request.
#[derive(Default)]
pub struct Metrics(Mutex<Counters>);

impl Metrics {
    pub fn submitted(&self, outcome: &'static str, n: u64) {
        *self.lock().submissions.entry(outcome).or_default() += n;
    }

    pub fn rejected(&self, rule: &'static str) {
        *self.lock().rejections.entry(rule).or_default() += 1;
    }

    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut c = self.lock();
        let h = c
            .latency
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The counters in the Prometheus text format.
    pub fn render(&self, out: &mut String) {
        let c = self.lock();
        family(
            out,
            "arcgw_submissions_total",
            "counter",
            "Announcements accepted through the API, by outcome.",
        );
        for (outcome, n) in &c.submissions {
            let _ = writeln!(out, "arcgw_submissions_total{{outcome=\"{outcome}\"}} {n}");
        }
        family(
            out,
            "arcgw_rejections_total",
            "counter",
            "Announcements refused by validation, by the rule broken.",
        );
        for (rule, n) in &c.rejections {
            let _ = writeln!(out, "arcgw_rejections_total{{rule=\"{rule}\"}} {n}");
        }
        family(
            out,
            "arcgw_http_request_duration_seconds",
            "histogram",
            "HTTP request latency.",
        );
        for ((method, route, status), h) in &c.latency {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "arcgw_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "arcgw_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "arcgw_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "arcgw_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
    }
}

/// The `# HELP` and `# TYPE` lines of a metric family.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.submitted("stored", 3);
        m.rejected("N. 1202");
        m.request(
            "POST",
            "/api/v1/announcements",
            202,
            Duration::from_millis(3),
        );
        let mut out = String::new();
        m.render(&mut out);
        assert!(
            out.contains("arcgw_submissions_total{outcome=\"stored\"} 3"),
            "{out}"
        );
        assert!(
            out.contains("arcgw_rejections_total{rule=\"N. 1202\"} 1"),
            "{out}"
        );
        assert!(out.contains("le=\"0.0025\"} 0"), "{out}");
        assert!(out.contains("le=\"0.005\"} 1"), "{out}");
        assert!(out.contains("# TYPE arcgw_http_request_duration_seconds histogram"));
    }
}
