//! Percentiles of measured durations.

use std::time::Duration;

/// A sorted sample of durations.
pub struct Sample(Vec<Duration>);

impl Sample {
    pub fn new(mut values: Vec<Duration>) -> Self {
        values.sort();
        Sample(values)
    }

    /// The `p`-th percentile (nearest rank), in milliseconds; NaN when empty.
    pub fn ms(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1].as_secs_f64() * 1000.0
    }

    /// The `p`-th percentile in milliseconds with one decimal, or "n/a" when
    /// nothing was measured (answers over before anyone followed them).
    pub fn shown(&self, p: f64) -> String {
        if self.0.is_empty() {
            return "n/a".into();
        }
        format!("{:.1}", self.ms(p))
    }
}

/// "p50/p99 → p50/p99 ms": the same measure on two sides of a comparison.
pub fn versus(before: &Sample, after: &Sample) -> String {
    format!(
        "{}/{} → {}/{} ms",
        before.shown(50.0),
        before.shown(99.0),
        after.shown(50.0),
        after.shown(99.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let s = Sample::new((1..=100).rev().map(Duration::from_millis).collect());
        assert_eq!(s.ms(50.0), 50.0);
        assert_eq!(s.ms(99.0), 99.0);
        assert_eq!(s.ms(100.0), 100.0);
        assert!(Sample::new(vec![]).ms(50.0).is_nan());
        assert_eq!(Sample::new(vec![]).shown(50.0), "n/a");
        assert_eq!(s.shown(99.0), "99.0");
        let half = Sample::new((1..=100).map(|n| Duration::from_micros(500 * n)).collect());
        assert_eq!(versus(&s, &half), "50.0/99.0 → 25.0/49.5 ms");
    }
}
