//! Tests across several independent groups: Fisher's exact test of an r×c table and the Kruskal–Wallis
//! rank-sum test.
//!
//! Conventions of R (stats 4.x): `fisher.test(table)` sums the probabilities of every table with the
//! observed margins that is no more likely than the observed one (relative tolerance 1e-7, as R's 2×2
//! code; FEXACT's own tolerance is of the same order); `kruskal.test(x, g)` uses mid-ranks, divides H by
//! the tie correction 1 − Σ(t³ − t)/(N³ − N) and refers it to χ² with k − 1 degrees of freedom.
//!
//! Source: Freeman GH, Halton JH. Biometrika 1951;38:141–9, doi:10.2307/2332323 (the r×c exact test);
//! Kruskal WH, Wallis WA. J Am Stat Assoc 1952;47:583–621, doi:10.1080/01621459.1952.10483441.

use crate::error::{check_finite, StatsError};
use crate::ranks::{midranks, tie_correction};
use crate::tails::chi_square_sf;

/// The most tables [`fisher_exact_rxc`] enumerates before it gives up: beyond this the table is one a
/// case series does not produce (hundreds of patients over many categories), and the time would be
/// minutes.
pub const MAX_TABLES: u64 = 20_000_000;

/// Fisher's exact test of an r×c table of counts (rows of equal length), as R's `fisher.test(table)`:
/// the two-sided p-value.
///
/// Rows and columns whose margin is zero carry no information and are dropped; a table left with fewer
/// than two rows or columns admits only itself, so its p-value is 1. `Ok(None)` when more than
/// [`MAX_TABLES`] tables share the margins (R's FEXACT runs out of workspace on such tables too).
///
/// # Errors
///
/// [`StatsError`] when the rows differ in length or the table is empty.
pub fn fisher_exact_rxc(table: &[Vec<u64>]) -> Result<Option<f64>, StatsError> {
    let columns = table.first().map_or(0, Vec::len);
    if table.is_empty() || columns == 0 {
        return Err(StatsError::Empty { what: "table" });
    }
    if let Some(row) = table.iter().find(|row| row.len() != columns) {
        return Err(StatsError::LengthMismatch {
            first: "the first row",
            first_len: columns,
            second: "another row",
            second_len: row.len(),
        });
    }
    let row_margins: Vec<u64> = table
        .iter()
        .map(|row| row.iter().sum())
        .filter(|&m| m > 0)
        .collect();
    let column_margins: Vec<u64> = (0..columns)
        .map(|j| table.iter().map(|row| row[j]).sum())
        .filter(|&m| m > 0)
        .collect();
    if row_margins.len() < 2 || column_margins.len() < 2 {
        return Ok(Some(1.0));
    }
    let n: u64 = row_margins.iter().sum();
    let log_factorials: Vec<f64> = std::iter::once(0.0)
        .chain((1..=n).scan(0.0, |sum, k| {
            *sum += (k as f64).ln();
            Some(*sum)
        }))
        .collect();
    let log_factorial = |k: u64| log_factorials[k as usize];
    let constant = row_margins.iter().map(|&m| log_factorial(m)).sum::<f64>()
        + column_margins
            .iter()
            .map(|&m| log_factorial(m))
            .sum::<f64>()
        - log_factorial(n);
    let observed = constant
        - table
            .iter()
            .flatten()
            .map(|&x| log_factorial(x))
            .sum::<f64>();
    let mut enumeration = Enumeration {
        column_margins: &column_margins,
        log_factorials: &log_factorials,
        threshold: observed + (1.0 + 1e-7f64).ln(),
        p_value: 0.0,
        tables: 0,
    };
    let mut remaining = row_margins;
    if enumeration.fill(0, 0, column_margins[0], &mut remaining, constant) {
        Ok(Some(enumeration.p_value.min(1.0)))
    } else {
        Ok(None)
    }
}

/// The walk over every table with the given margins, column by column, adding up the probabilities of
/// those no more likely than the observed one.
struct Enumeration<'a> {
    column_margins: &'a [u64],
    /// ln k! for k = 0 … n.
    log_factorials: &'a [f64],
    /// log P of the observed table, widened by the relative tolerance.
    threshold: f64,
    p_value: f64,
    tables: u64,
}

impl Enumeration<'_> {
    fn log_factorial(&self, k: u64) -> f64 {
        self.log_factorials[k as usize]
    }

    /// Fills cell (`row`, `column`) in every way the margins allow, given what is left of the column
    /// and of each row; `log_p` is the log probability of the cells filled so far. False once
    /// [`MAX_TABLES`] is passed.
    fn fill(
        &mut self,
        column: usize,
        row: usize,
        column_left: u64,
        remaining: &mut [u64],
        log_p: f64,
    ) -> bool {
        if column == self.column_margins.len() - 1 {
            // The last column is what every row has left.
            let log_p = log_p
                - remaining
                    .iter()
                    .map(|&x| self.log_factorial(x))
                    .sum::<f64>();
            self.tables += 1;
            if log_p <= self.threshold {
                self.p_value += log_p.exp();
            }
            return self.tables <= MAX_TABLES;
        }
        let cells = if row == remaining.len() - 1 {
            // The last row of a column takes what the column has left, if its row can hold it.
            if column_left > remaining[row] {
                return true;
            }
            column_left..=column_left
        } else {
            // The rows below must be able to take what this cell leaves of the column.
            let below: u64 = remaining[row + 1..].iter().sum();
            column_left.saturating_sub(below)..=column_left.min(remaining[row])
        };
        for cell in cells {
            remaining[row] -= cell;
            let log_p = log_p - self.log_factorial(cell);
            let going_on = if row == remaining.len() - 1 {
                self.fill(
                    column + 1,
                    0,
                    self.column_margins[column + 1],
                    remaining,
                    log_p,
                )
            } else {
                self.fill(column, row + 1, column_left - cell, remaining, log_p)
            };
            remaining[row] += cell;
            if !going_on {
                return false;
            }
        }
        true
    }
}

/// The Kruskal–Wallis test, as R's `kruskal.test(x, g)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KruskalWallis {
    /// H, corrected for ties.
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
}

/// The Kruskal–Wallis test of two or more groups of values; `Ok(None)` when every value is the same
/// (H is then 0/0, NaN in R).
///
/// # Errors
///
/// [`StatsError`] when fewer than two groups are given, a group is empty or a value is not finite.
pub fn kruskal_wallis(groups: &[&[f64]]) -> Result<Option<KruskalWallis>, StatsError> {
    if groups.len() < 2 {
        return Err(StatsError::OutOfRange {
            what: "number of groups",
            value: groups.len() as f64,
            expected: "at least 2",
        });
    }
    for group in groups {
        if group.is_empty() {
            return Err(StatsError::Empty { what: "a group" });
        }
        check_finite("a group", group)?;
    }
    let combined: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let (ranks, tie_sizes) = midranks(&combined);
    let n = combined.len() as f64;
    let ties = 1.0 - tie_correction(&tie_sizes) / (n * n * n - n);
    if ties <= 0.0 {
        return Ok(None);
    }
    let mut start = 0;
    let mut sum_of_squares = 0.0;
    for group in groups {
        let rank_sum: f64 = ranks[start..start + group.len()].iter().sum();
        sum_of_squares += rank_sum * rank_sum / group.len() as f64;
        start += group.len();
    }
    let statistic = (12.0 * sum_of_squares / (n * (n + 1.0)) - 3.0 * (n + 1.0)) / ties;
    let df = (groups.len() - 1) as f64;
    Ok(Some(KruskalWallis {
        statistic,
        df,
        p_value: chi_square_sf(statistic, df),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_computed_two_by_three_table() {
        // [[2, 0, 1], [0, 2, 1]]: rows 3, 3 and columns 2, 2, 2 (n = 6), so a table has probability
        // 3! 3! 2! 2! 2! / (6! Π x!) = 0.4 / Π x!. Its first row is (1, 1, 1) (P = 0.4) or one of the six
        // orders of (2, 1, 0) (Π x! = 4 with the second row, P = 0.1 each, the observed one among them).
        // The tables no more likely than the observed one are those six: p = 0.6.
        let p = fisher_exact_rxc(&[vec![2, 0, 1], vec![0, 2, 1]])
            .unwrap()
            .unwrap();
        assert!((p - 0.6).abs() < 1e-12, "{p}");
        let p = fisher_exact_rxc(&[vec![1, 1, 1], vec![1, 1, 1]])
            .unwrap()
            .unwrap();
        assert!((p - 1.0).abs() < 1e-12, "{p}");
    }

    #[test]
    fn a_two_by_two_table_agrees_with_the_two_by_two_test() {
        let table = crate::fisher::Table2x2 {
            a: 7,
            b: 2,
            c: 3,
            d: 9,
        };
        let two_by_two = crate::fisher::fisher_exact(table, 0.95).unwrap().p_value;
        let general = fisher_exact_rxc(&[vec![7, 2], vec![3, 9]])
            .unwrap()
            .unwrap();
        assert!((two_by_two - general).abs() < 1e-12);
    }

    #[test]
    fn empty_margins_are_dropped_and_a_single_row_is_certain() {
        let with_zero = fisher_exact_rxc(&[vec![2, 0, 1], vec![0, 0, 0], vec![0, 2, 1]]).unwrap();
        assert!((with_zero.unwrap() - 0.6).abs() < 1e-12);
        assert_eq!(fisher_exact_rxc(&[vec![3, 4]]).unwrap(), Some(1.0));
        assert!(fisher_exact_rxc(&[vec![1, 2], vec![3]]).is_err());
        assert!(fisher_exact_rxc(&[]).is_err());
    }

    #[test]
    fn a_table_beyond_the_enumeration_gives_none() {
        let big = vec![vec![40; 8], vec![40; 8], vec![40; 8], vec![40; 8]];
        assert_eq!(fisher_exact_rxc(&big).unwrap(), None);
    }

    #[test]
    fn kruskal_wallis_by_hand() {
        // Ranks 1..6 in groups {1, 2}, {3, 4}, {5, 6}: Σ R²/n = (9 + 49 + 121) / 2 = 89.5;
        // H = 12 · 89.5 / 42 − 21 = 4.571428…; no ties.
        let test = kruskal_wallis(&[&[1.0, 2.0], &[3.0, 4.0], &[5.0, 6.0]])
            .unwrap()
            .unwrap();
        assert!((test.statistic - 32.0 / 7.0).abs() < 1e-12);
        assert_eq!(test.df, 2.0);
        assert!(
            (test.p_value - (-16.0f64 / 7.0).exp()).abs() < 1e-12,
            "χ²₂ tail is e^(−H/2)"
        );
        assert_eq!(kruskal_wallis(&[&[1.0, 1.0], &[1.0]]).unwrap(), None);
        assert!(kruskal_wallis(&[&[1.0]]).is_err());
        assert!(kruskal_wallis(&[&[1.0], &[]]).is_err());
    }
}
