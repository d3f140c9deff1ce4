//! Two independent groups: the Mann–Whitney U (Wilcoxon rank-sum) test and the chi-square test of a 2×2
//! table.

use crate::error::{check_finite, StatsError};
use crate::fisher::Table2x2;
use crate::ranks::{midranks, sign, tie_correction};
use crate::tails::{chi_square_sf, normal_two_sided};
use crate::wilcoxon::PValueMethod;

/// The Mann–Whitney test as R's `wilcox.test(x, y)` runs it by default: W is the sum of the ranks of `x`
/// minus n_x(n_x + 1)/2 (U of the first group); exact when both groups have fewer than 50 values and
/// there are no ties, otherwise the normal approximation with tie correction and continuity correction.
///
/// Source: Mann HB, Whitney DR. Ann Math Stat 1947;18:50–60, doi:10.1214/aoms/1177730491.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    pub n1: usize,
    pub n2: usize,
    pub statistic: f64,
    pub p_value: f64,
    pub method: PValueMethod,
    pub correction: bool,
}

/// The Mann–Whitney U test of `x` against `y`, as R's `wilcox.test(x, y)` by default.
///
/// # Errors
///
/// [`StatsError`] when a group is empty or a value is NaN or infinite.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Result<MannWhitney, StatsError> {
    if x.is_empty() {
        return Err(StatsError::Empty {
            what: "first group",
        });
    }
    if y.is_empty() {
        return Err(StatsError::Empty {
            what: "second group",
        });
    }
    check_finite("first group", x)?;
    check_finite("second group", y)?;
    let (n1, n2) = (x.len(), y.len());
    let combined: Vec<f64> = x.iter().chain(y).copied().collect();
    let (ranks, tie_sizes) = midranks(&combined);
    let (m, n) = (n1 as f64, n2 as f64);
    let statistic = ranks[..n1].iter().sum::<f64>() - m * (m + 1.0) / 2.0;
    let has_ties = tie_sizes.iter().any(|&t| t > 1);
    if n1 < 50 && n2 < 50 && !has_ties {
        let distribution = rank_sum_distribution(n1, n2);
        let one_sided = if statistic > m * n / 2.0 {
            distribution[(statistic as usize)..]
                .iter()
                .rev()
                .sum::<f64>()
        } else {
            distribution[..=(statistic as usize)].iter().sum::<f64>()
        };
        return Ok(MannWhitney {
            n1,
            n2,
            statistic,
            p_value: (2.0 * one_sided).min(1.0),
            method: PValueMethod::Exact,
            correction: false,
        });
    }
    let centred = statistic - m * n / 2.0;
    let total = m + n;
    let sigma = ((m * n / 12.0)
        * ((total + 1.0) - tie_correction(&tie_sizes) / (total * (total - 1.0))))
        .sqrt();
    let p_value = if sigma > 0.0 {
        normal_two_sided((centred - 0.5 * sign(centred)) / sigma)
    } else {
        1.0
    };
    Ok(MannWhitney {
        n1,
        n2,
        statistic,
        p_value,
        method: PValueMethod::Normal,
        correction: true,
    })
}

/// P(U = k), k = 0 … m·n, for groups of m and n untied values, by the recursion
/// P_{m,n}(k) = m/(m+n) · P_{m−1,n}(k − n) + n/(m+n) · P_{m,n−1}(k) (probabilities, so nothing overflows).
fn rank_sum_distribution(m: usize, n: usize) -> Vec<f64> {
    // previous[j] is P_{i−1, j}; current[j] is P_{i, j}.
    let mut previous: Vec<Vec<f64>> = (0..=n).map(|_| vec![1.0]).collect();
    for i in 1..=m {
        let mut current: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
        current.push(vec![1.0]);
        for j in 1..=n {
            let mut distribution = vec![0.0; i * j + 1];
            let (wi, wj) = (i as f64 / (i + j) as f64, j as f64 / (i + j) as f64);
            // The largest of the first group is the largest overall (probability i/(i+j)): it beats all j.
            for (k, p) in previous[j].iter().enumerate() {
                distribution[k + j] += wi * p;
            }
            for (k, p) in current[j - 1].iter().enumerate() {
                distribution[k] += wj * p;
            }
            current.push(distribution);
        }
        previous = current;
    }
    previous.swap_remove(n)
}

/// Pearson's chi-square test of a 2×2 table, with or without Yates' continuity correction, as R's
/// `chisq.test(matrix, correct = …)`: Yates subtracts min(0.5, |O − E|) from every |O − E|.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
    pub yates: bool,
}

/// `None` when a row or column total is zero (an expected count of zero).
pub fn chi_square(table: Table2x2, yates: bool) -> Option<ChiSquare> {
    let observed = [
        table.a as f64,
        table.b as f64,
        table.c as f64,
        table.d as f64,
    ];
    let rows = [observed[0] + observed[1], observed[2] + observed[3]];
    let columns = [observed[0] + observed[2], observed[1] + observed[3]];
    let total = rows[0] + rows[1];
    let expected = [
        rows[0] * columns[0] / total,
        rows[0] * columns[1] / total,
        rows[1] * columns[0] / total,
        rows[1] * columns[1] / total,
    ];
    if expected.iter().any(|&e| e.is_nan() || e <= 0.0) {
        return None;
    }
    let correction = if yates {
        observed
            .iter()
            .zip(&expected)
            .map(|(o, e)| (o - e).abs())
            .fold(0.5, f64::min)
    } else {
        0.0
    };
    let statistic: f64 = observed
        .iter()
        .zip(&expected)
        .map(|(o, e)| ((o - e).abs() - correction).powi(2) / e)
        .sum();
    Some(ChiSquare {
        statistic,
        df: 1.0,
        p_value: chi_square_sf(statistic, 1.0),
        yates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rank_sum_distribution_of_tiny_groups() {
        // m = n = 2: U takes 0..4 with counts 1, 1, 2, 1, 1 over C(4, 2) = 6.
        let distribution = rank_sum_distribution(2, 2);
        let expected = [1.0, 1.0, 2.0, 1.0, 1.0].map(|c| c / 6.0);
        for (got, want) in distribution.iter().zip(expected) {
            assert!((got - want).abs() < 1e-15);
        }
    }

    #[test]
    fn u_of_completely_separated_groups() {
        let test = mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
        assert_eq!(test.statistic, 0.0);
        // P(U = 0) = 1 / C(6, 3) = 1/20; two-sided 1/10.
        assert!((test.p_value - 0.1).abs() < 1e-15);
        assert_eq!(test.method, PValueMethod::Exact);
    }

    #[test]
    fn a_table_with_an_empty_margin_has_no_chi_square() {
        assert_eq!(
            chi_square(
                Table2x2 {
                    a: 0,
                    b: 0,
                    c: 3,
                    d: 4
                },
                true
            ),
            None
        );
    }
}
