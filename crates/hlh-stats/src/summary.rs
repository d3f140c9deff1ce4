//! Continuous summaries and the nine Hyndman–Fan sample quantiles.
//!
//! Source: Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat 1996;50:361–5,
//! doi:10.2307/2684934. The arithmetic mirrors R's `quantile.default` (R 4.2) step by step, including its
//! `4 * .Machine$double.eps` fuzz, so that results agree with R to the last bit.

use crate::error::{check_finite, StatsError};

/// A non-empty sample of finite numbers, sorted once.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    sorted: Vec<f64>,
}

impl Sample {
    /// A sample of finite values, sorted once for every quantile.
    ///
    /// # Errors
    ///
    /// [`StatsError`] for no values, or a value that is NaN or infinite.
    ///
    /// # Examples
    ///
    /// ```
    /// use hlh_stats::{QuantileType, Sample};
    ///
    /// // R: quantile(c(1, 2, 3, 4, 10), c(0.25, 0.5, 0.75)) gives 2, 3, 4 (type 7).
    /// let summary = Sample::new(&[3.0, 1.0, 10.0, 2.0, 4.0])?.summary(QuantileType::Type7);
    /// assert_eq!((summary.q1, summary.median, summary.q3), (2.0, 3.0, 4.0));
    /// assert!(Sample::new(&[1.0, f64::NAN]).is_err());
    /// # Ok::<(), hlh_stats::StatsError>(())
    /// ```
    pub fn new(values: &[f64]) -> Result<Sample, StatsError> {
        if values.is_empty() {
            return Err(StatsError::Empty { what: "sample" });
        }
        check_finite("sample", values)?;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Ok(Sample { sorted })
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    pub fn mean(&self) -> f64 {
        mean(&self.sorted)
    }

    /// The sample standard deviation (denominator n − 1); `None` for a single value.
    pub fn sd(&self) -> Option<f64> {
        sd(&self.sorted, self.mean())
    }

    /// The `probability`-quantile of the given type (`probability` in [0, 1]).
    pub fn quantile(&self, probability: f64, quantile_type: QuantileType) -> f64 {
        quantile_sorted(&self.sorted, probability.clamp(0.0, 1.0), quantile_type)
    }

    /// n, mean, SD, median, Q1, Q3, min, max.
    pub fn summary(&self, quantile_type: QuantileType) -> Summary {
        Summary {
            n: self.len(),
            mean: self.mean(),
            sd: self.sd(),
            median: self.quantile(0.5, quantile_type),
            q1: self.quantile(0.25, quantile_type),
            q3: self.quantile(0.75, quantile_type),
            min: self.sorted[0],
            max: self.sorted[self.len() - 1],
            quantile_type,
        }
    }
}

/// The arithmetic mean, accumulated as R's `mean` does: a first pass, then a correction pass that removes
/// most of the rounding error of the first.
pub(crate) fn mean(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let first: f64 = values.iter().sum::<f64>() / n;
    let correction: f64 = values.iter().map(|x| x - first).sum::<f64>() / n;
    first + correction
}

/// The sample standard deviation about `mean` (denominator n − 1); `None` for fewer than two values.
pub(crate) fn sd(values: &[f64], mean: f64) -> Option<f64> {
    let n = values.len();
    (n >= 2).then(|| {
        (values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt()
    })
}

/// A continuous summary, as the analysis JSON writes it (docs/analysis-schema.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    /// `None` for n = 1.
    pub sd: Option<f64>,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
    pub min: f64,
    pub max: f64,
    pub quantile_type: QuantileType,
}

/// The sample quantile definitions of Hyndman and Fan (R's `type = 1…9`); type 7 is R's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuantileType {
    /// Inverse of the empirical distribution function.
    Type1,
    /// As type 1, averaging at discontinuities.
    Type2,
    /// Nearest even order statistic (SAS).
    Type3,
    /// Linear interpolation of the empirical distribution function.
    Type4,
    /// Piecewise linear, knots at the midpoints.
    Type5,
    /// p(k) = k / (n + 1) (Minitab, SPSS).
    Type6,
    /// p(k) = (k − 1) / (n − 1) (R and S default, numpy "linear").
    Type7,
    /// Approximately median-unbiased (recommended by Hyndman and Fan).
    Type8,
    /// Approximately unbiased for normal data.
    Type9,
}

impl QuantileType {
    pub const ALL: [QuantileType; 9] = [
        QuantileType::Type1,
        QuantileType::Type2,
        QuantileType::Type3,
        QuantileType::Type4,
        QuantileType::Type5,
        QuantileType::Type6,
        QuantileType::Type7,
        QuantileType::Type8,
        QuantileType::Type9,
    ];

    /// The type by its number, 1 to 9.
    pub fn from_number(number: u8) -> Option<QuantileType> {
        QuantileType::ALL
            .get(usize::from(number).checked_sub(1)?)
            .copied()
    }

    pub fn number(self) -> u8 {
        QuantileType::ALL
            .iter()
            .position(|&t| t == self)
            .map_or(7, |i| i as u8 + 1)
    }
}

/// R's `quantile(x, p, type = t)` on sorted, non-empty `x` and `p` in [0, 1].
fn quantile_sorted(x: &[f64], p: f64, quantile_type: QuantileType) -> f64 {
    let n = x.len();
    if quantile_type == QuantileType::Type7 {
        let index = 1.0 + (n as f64 - 1.0).max(0.0) * p;
        let (lo, hi) = (index.floor(), index.ceil());
        let (x_lo, x_hi) = (x[lo as usize - 1], x[hi as usize - 1]);
        if index > lo && x_hi != x_lo {
            let h = index - lo;
            return (1.0 - h) * x_lo + h * x_hi;
        }
        return x_lo;
    }
    // R pads the sorted sample with two copies of its ends: x[j + 2] is order statistic j (1-based),
    // clamped to the sample.
    let order_statistic = |j: f64| -> f64 { x[(j.max(1.0).min(n as f64) as usize) - 1] };
    let nf = n as f64;
    let (j, h) = match quantile_type {
        QuantileType::Type1 | QuantileType::Type2 | QuantileType::Type3 => {
            let nppm = if quantile_type == QuantileType::Type3 {
                nf * p - 0.5
            } else {
                nf * p
            };
            let j = nppm.floor();
            let h = match quantile_type {
                QuantileType::Type1 => f64::from(u8::from(nppm > j)),
                QuantileType::Type2 => (f64::from(u8::from(nppm > j)) + 1.0) / 2.0,
                _ => f64::from(u8::from(nppm != j || (j as i64).rem_euclid(2) == 1)),
            };
            (j, h)
        }
        _ => {
            let (a, b) = match quantile_type {
                QuantileType::Type4 => (0.0, 1.0),
                QuantileType::Type5 => (0.5, 0.5),
                QuantileType::Type6 => (0.0, 0.0),
                QuantileType::Type8 => (1.0 / 3.0, 1.0 / 3.0),
                _ => (3.0 / 8.0, 3.0 / 8.0),
            };
            let fuzz = 4.0 * f64::EPSILON;
            let nppm = a + p * (nf + 1.0 - a - b);
            let j = (nppm + fuzz).floor();
            let h = nppm - j;
            (j, if h.abs() < fuzz { 0.0 } else { h })
        }
    };
    let (low, high) = (order_statistic(j), order_statistic(j + 1.0));
    if h == 1.0 {
        high
    } else if 0.0 < h && h < 1.0 && low != high {
        (1.0 - h) * low + h * high
    } else {
        low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_7_interpolates_between_order_statistics() {
        let sample = Sample::new(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        // index = 1 + 3 p: p = 0.25 -> 1.75 -> 1 + 0.75 = 1.75; p = 0.5 -> 2.5; p = 0.75 -> 3.25.
        assert_eq!(sample.quantile(0.25, QuantileType::Type7), 1.75);
        assert_eq!(sample.quantile(0.5, QuantileType::Type7), 2.5);
        assert_eq!(sample.quantile(0.75, QuantileType::Type7), 3.25);
        assert_eq!(sample.quantile(0.0, QuantileType::Type7), 1.0);
        assert_eq!(sample.quantile(1.0, QuantileType::Type7), 4.0);
    }

    #[test]
    fn type_1_is_the_inverse_empirical_distribution() {
        let sample = Sample::new(&[10.0, 20.0, 30.0, 40.0]).unwrap();
        assert_eq!(sample.quantile(0.25, QuantileType::Type1), 10.0);
        assert_eq!(sample.quantile(0.26, QuantileType::Type1), 20.0);
        assert_eq!(sample.quantile(0.5, QuantileType::Type2), 25.0);
    }

    #[test]
    fn summaries_of_one_value_have_no_sd() {
        let summary = Sample::new(&[3.0]).unwrap().summary(QuantileType::Type7);
        assert_eq!(
            (summary.n, summary.mean, summary.sd, summary.median),
            (1, 3.0, None, 3.0)
        );
    }

    #[test]
    fn bad_samples_are_refused() {
        assert_eq!(Sample::new(&[]), Err(StatsError::Empty { what: "sample" }));
        assert!(matches!(
            Sample::new(&[1.0, f64::NAN]),
            Err(StatsError::NotFinite { index: 1, .. })
        ));
        assert!(Sample::new(&[f64::INFINITY]).is_err());
    }

    #[test]
    fn quantile_types_round_trip_their_numbers() {
        for number in 1..=9 {
            assert_eq!(QuantileType::from_number(number).unwrap().number(), number);
        }
        assert_eq!(QuantileType::from_number(0), None);
        assert_eq!(QuantileType::from_number(10), None);
    }
}
