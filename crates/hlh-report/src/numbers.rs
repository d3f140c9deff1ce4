//! How numbers of the analysis are printed, and small-cell suppression.
//!
//! Suppression (`--min-cell N`, the rules of [`hlh_outcomes::suppression`]): a count from 1 to N − 1 is
//! printed `<N`, a count that leaves fewer than N of the analysed patients `>T − N`, and with them every
//! number that would reveal them (a percentage and interval, the statistics of a group that small).
//! Zero is printed: an empty cell identifies no one. The analysis is never changed, only its printing.

use hlh_outcomes::cohort::{Proportion, Share, Summary};
use hlh_outcomes::summary_text::{self, with_thousands_separators};
use hlh_outcomes::suppression::MinCell;

/// Printing rules for one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbers {
    /// Counts below this are suppressed; 0 or 1 suppresses nothing.
    pub min_cell: u64,
    /// The analysed patients, whom the counts are drawn from.
    pub total: u64,
}

/// A dash for a value that does not exist (`null` in the analysis JSON).
pub const MISSING: &str = "–";

/// A cell hidden because the other cells of its partition would reveal it.
pub const SUPPRESSED: &str = "suppressed";

impl Numbers {
    fn rule(&self) -> MinCell {
        MinCell(self.min_cell)
    }

    pub fn suppressing(&self) -> bool {
        self.rule().active()
    }

    /// A count from 1 to N − 1: a group too small for its statistics to be shown.
    pub fn is_small(&self, count: u64) -> bool {
        self.rule().is_small(count)
    }

    /// Whether a count is hidden: it is small, or so is the rest of the analysed patients.
    pub fn is_suppressed(&self, count: u64) -> bool {
        self.rule().hides(count, self.total)
    }

    /// A count, `<N` when small, `>T − N` when the rest of the analysed patients is.
    pub fn count(&self, count: u64) -> String {
        if self.is_small(count) {
            format!("<{}", self.min_cell)
        } else if self.is_suppressed(count) {
            format!(">{}", self.total - self.min_cell)
        } else {
            count.to_string()
        }
    }

    /// [`Numbers::count`] of a cell of a partition of the analysed patients, [`SUPPRESSED`] when only
    /// the other cells would reveal it.
    pub fn partition_count(&self, count: u64, hidden: bool) -> String {
        if hidden && !self.is_suppressed(count) {
            SUPPRESSED.into()
        } else {
            self.count(count)
        }
    }

    /// [`Numbers::count_with_percent`] of a cell of a partition of the analysed patients, `hidden` when
    /// the others would reveal it (`hlh_outcomes::suppression::HiddenCells`).
    pub fn partition_cell(&self, share: &Share, hidden: bool) -> String {
        let shown = self.count_with_percent(share);
        if hidden && !self.rule().hides_share(share.count, share.n, self.total) {
            SUPPRESSED.into()
        } else {
            shown
        }
    }

    /// `{count, n, proportion}` as "k/n (p%)"; the percentage goes with a suppressed count or n.
    pub fn share(&self, share: &impl AsProportion) -> String {
        let share = share.as_proportion();
        let (count, n) = (share.count, share.n);
        let rest = n - count.min(n);
        if self.is_suppressed(rest) && count >= self.min_cell {
            // "19/21" would reveal the 2 others: say only that more than n − N are counted.
            return format!(">{}/{}", n - self.min_cell, self.count(n));
        }
        let hidden = self.is_suppressed(count) || self.is_suppressed(n);
        match share.proportion {
            Some(p) if !hidden => format!("{count}/{n} ({})", percent(p)),
            _ => format!("{}/{}", self.count(count), self.count(n)),
        }
    }

    /// The 95% CI of a share in percent, or a dash when it cannot be shown.
    pub fn share_ci(&self, share: &impl AsProportion) -> String {
        let share = share.as_proportion();
        let (count, n) = (share.count, share.n);
        if self.is_suppressed(count)
            || self.is_suppressed(n)
            || self.is_suppressed(n - count.min(n))
        {
            return MISSING.into();
        }
        match share.ci95 {
            Some([Some(lo), Some(hi)]) => format!("{}–{}", percent_number(lo), percent(hi)),
            _ => MISSING.into(),
        }
    }

    /// A count out of a total, "k (p%)" with the percentage read from the analysis.
    pub fn count_with_percent(&self, share: &Share) -> String {
        let (count, n) = (share.count, share.n);
        if self.is_suppressed(n.saturating_sub(count)) && count >= self.min_cell {
            return format!(">{}", n - self.min_cell);
        }
        if self.is_suppressed(count) || self.is_suppressed(n) {
            return self.count(count);
        }
        match share.proportion {
            Some(p) => format!("{count} ({})", percent(p)),
            None => count.to_string(),
        }
    }

    /// A continuous summary as "median (Q1–Q3)", hidden with its n when the group is small.
    pub fn median_iqr(&self, summary: &Summary) -> String {
        self.median_iqr_as(summary, value)
    }

    /// As [`Numbers::median_iqr`] for counts of days or years and scores: whole numbers without
    /// decimals.
    pub fn median_iqr_whole(&self, summary: &Summary) -> String {
        self.median_iqr_as(summary, whole)
    }

    /// `median (IQR) [n]`, in whole numbers or to three significant digits.
    pub fn median_iqr_with_n(&self, summary: &Summary, whole_numbers: bool) -> String {
        let median = if whole_numbers {
            self.median_iqr_whole(summary)
        } else {
            self.median_iqr(summary)
        };
        format!("{median} [{}]", self.count(summary.n as u64))
    }

    fn median_iqr_as(&self, summary: &Summary, value: fn(Option<f64>) -> String) -> String {
        let n = summary.n as u64;
        if n == 0 {
            return MISSING.into();
        }
        if self.is_small(n) {
            return format!("n {}", self.count(n));
        }
        // "−2.55–−1.45" would read as a subtraction: a range with a negative end says "to".
        let separator = if summary.q1.is_some_and(|q1| q1 < 0.0) {
            " to "
        } else {
            "–"
        };
        format!(
            "{} ({}{separator}{})",
            value(summary.median),
            value(summary.q1),
            value(summary.q3)
        )
    }

    /// "mean (SD)", hidden when the group is small.
    pub fn mean_sd(&self, summary: &Summary) -> String {
        let n = summary.n as u64;
        if n == 0 || self.is_small(n) {
            return MISSING.into();
        }
        format!("{} ({})", value(summary.mean), value(summary.sd))
    }

    /// "min–max" in whole numbers, hidden when suppressing (extremes are single patients).
    pub fn range_whole(&self, summary: &Summary) -> String {
        let n = summary.n;
        if n == 0 || self.suppressing() {
            return MISSING.into();
        }
        format!("{}–{}", whole(summary.min), whole(summary.max))
    }
}

/// A setting's number as the analysis JSON writes it: the shortest form that reads back the same, with
/// ".0" on whole numbers (38.0, 38.3).
pub fn as_written(value: f64) -> String {
    let text = value.to_string();
    if text.contains(['.', 'e', 'N', 'i']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// A percentage with one decimal and its sign.
pub fn percent(fraction: f64) -> String {
    format!("{}%", percent_number(fraction))
}

fn percent_number(fraction: f64) -> String {
    format!("{:.1}", 100.0 * fraction)
}

/// A measured value: whole numbers from 100 up, one decimal from 10, two below; a dash for none.
pub fn value(value: Option<f64>) -> String {
    value.map_or(MISSING.into(), number)
}

/// Days, years, scores: a whole number as such, otherwise one decimal (a median between two days).
pub fn whole(value: Option<f64>) -> String {
    match value {
        Some(v) if v.fract() == 0.0 => format!("{v:.0}").replacen('-', "\u{2212}", 1),
        Some(v) => format!("{v:.1}").replacen('-', "\u{2212}", 1),
        None => MISSING.into(),
    }
}

pub fn number(v: f64) -> String {
    let text = if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    let text = if text.starts_with('-')
        && text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
    {
        text[1..].to_string()
    } else {
        text.replacen('-', "\u{2212}", 1)
    };
    with_thousands_separators(&text)
}

/// A number of days as a sentence says it: "1 day", "1.5 days"; a dash for none.
pub fn days(value: Option<f64>) -> String {
    value.map_or(MISSING.into(), |v| summary_text::days(v, &whole(Some(v))))
}

/// A share of the analysed patients, or the numbers of one of another cohort.
pub trait AsProportion {
    fn as_proportion(&self) -> Proportion;
}

impl AsProportion for Share {
    fn as_proportion(&self) -> Proportion {
        self.proportion()
    }
}

impl AsProportion for Proportion {
    fn as_proportion(&self) -> Proportion {
        *self
    }
}

/// A p-value as journals print it: three decimals, or "<0.001".
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "<0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => MISSING.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(count: u64, n: u64, proportion: f64, ci95: [f64; 2]) -> Share {
        Share {
            count,
            n,
            proportion: Some(proportion),
            ci95: Some([Some(ci95[0]), Some(ci95[1])]),
            patients: Vec::new(),
        }
    }

    fn three_of(n: u64) -> Share {
        share(3, n, 3.0 / n as f64, [0.05, 0.35])
    }

    #[test]
    fn counts_below_the_minimum_are_hidden_with_what_would_reveal_them() {
        let numbers = Numbers {
            min_cell: 5,
            total: 21,
        };
        assert_eq!(numbers.count(0), "0");
        assert_eq!(numbers.count(3), "<5");
        assert_eq!(numbers.count(5), "5");
        // 18 of the 21 leave 3 uncounted.
        assert_eq!(numbers.count(18), ">16");
        assert_eq!(numbers.count(21), "21");
        let eight = share(8, 21, 0.380952, [0.21, 0.59]);
        assert_eq!(numbers.partition_cell(&eight, false), "8 (38.1%)");
        assert_eq!(numbers.partition_cell(&eight, true), SUPPRESSED);
        assert_eq!(numbers.partition_cell(&three_of(21), true), "<5");
        let three = share(3, 21, 0.142857, [0.05, 0.35]);
        assert_eq!(numbers.share(&three), "<5/21");
        assert_eq!(numbers.share_ci(&three), MISSING);
        // 19/21 would reveal the 2 others.
        let nineteen = share(19, 21, 0.904762, [0.71, 0.97]);
        assert_eq!(numbers.share(&nineteen), ">16/21");
        assert_eq!(numbers.count_with_percent(&nineteen), ">16");
        // Nobody of 3: the 3 are too few to show, the zero is shown.
        let none = share(0, 3, 0.0, [0.0, 0.56]);
        assert_eq!(numbers.share(&none), "0/<5");
        assert_eq!(numbers.count_with_percent(&none), "0");
        let open = Numbers {
            min_cell: 0,
            total: 21,
        };
        assert_eq!(open.share(&nineteen), "19/21 (90.5%)");
        assert_eq!(open.share_ci(&nineteen), "71.0–97.0%");
        let summary = Summary {
            n: 3,
            mean: Some(10.0),
            sd: Some(1.0),
            median: Some(10.0),
            q1: Some(9.0),
            q3: Some(11.0),
            min: Some(9.0),
            max: Some(11.0),
        };
        assert_eq!(numbers.median_iqr(&summary), "n <5");
        assert_eq!(open.median_iqr(&summary), "10.0 (9.00–11.0)");
    }

    #[test]
    fn values_and_p_values_print_as_journals_do() {
        assert_eq!(number(42_500.0), "42,500");
        assert_eq!(number(-6_220.4), "\u{2212}6,220");
        assert_eq!(days(Some(1.0)), "1 day");
        assert_eq!(days(Some(2.5)), "2.5 days");
        assert_eq!(number(37.25), "37.2");
        assert_eq!(number(-1.5), "\u{2212}1.50");
        assert_eq!(number(-0.001), "0.00");
        assert_eq!(p_value(Some(0.0004)), "<0.001");
        assert_eq!(whole(Some(45.0)), "45");
        assert_eq!(whole(Some(14.75)), "14.8");
        assert_eq!(p_value(Some(0.011041)), "0.011");
        assert_eq!(p_value(None), MISSING);
    }
}
