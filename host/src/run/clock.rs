//! The host's sense of time: Unix seconds, optionally compressed.
//!
//! The core takes time as integer seconds and never reads a clock; this is the one place that
//! does. `speed` > 1 compresses time (the demo runs a 5-minute cooldown in 30 s); every
//! interval the host waits is divided by it, and every time it reports is scaled the same way,
//! so decisions are the ones a real-time host would make.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Clone, Copy, Debug)]
pub struct Clock {
    origin: Instant,
    origin_unix: i64,
    speed: f64,
}

impl Clock {
    pub fn new(speed: f64) -> Clock {
        let origin_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Clock {
            origin: Instant::now(),
            origin_unix,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    /// A clock whose start is a whole multiple of `align` seconds, so the shared tick grid
    /// (KEDA polls on multiples of pollingInterval) begins at elapsed 0, as in a simulation.
    #[cfg(any(feature = "demo", test))]
    pub fn aligned(speed: f64, align: i64) -> Clock {
        let mut c = Clock::new(speed);
        c.origin_unix -= c.origin_unix.rem_euclid(align.max(1));
        c
    }

    /// Seconds since the Unix epoch, on the (possibly compressed) timeline.
    pub fn now(&self) -> i64 {
        self.origin_unix + self.scaled_elapsed().as_secs() as i64
    }

    /// Fractional seconds since start, on the timeline (for timelines and logs).
    pub fn elapsed(&self) -> f64 {
        self.scaled_elapsed().as_secs_f64()
    }

    fn scaled_elapsed(&self) -> Duration {
        self.origin.elapsed().mul_f64(self.speed)
    }

    /// The real instant at which timeline time `t` (Unix seconds) arrives.
    pub fn instant_at(&self, t: i64) -> Instant {
        let ahead = (t - self.origin_unix).max(0) as f64 / self.speed;
        self.origin + Duration::from_secs_f64(ahead)
    }

    /// A timeline duration as real time.
    pub fn real(&self, timeline: Duration) -> Duration {
        timeline.div_f64(self.speed)
    }
}

/// RFC 3339 in UTC, as Kubernetes writes `metav1.Time`.
pub fn rfc3339(unix: i64) -> String {
    k8s_openapi::jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

pub fn parse_rfc3339(text: &str) -> Option<i64> {
    text.parse::<k8s_openapi::jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn aligned_clock_starts_on_the_grid() {
        let c = Clock::aligned(1.0, 30);
        assert_eq!(c.now().rem_euclid(30), 0);
    }

    #[test]
    fn compressed_clock_waits_less() {
        let c = Clock::new(10.0);
        assert_eq!(c.real(Duration::from_secs(30)), Duration::from_secs(3));
        let at = c.instant_at(c.now() + 20);
        let wait = at.saturating_duration_since(Instant::now());
        assert!(wait <= Duration::from_secs(2), "{wait:?}");
        assert!(wait >= Duration::from_millis(1800), "{wait:?}");
    }
}
