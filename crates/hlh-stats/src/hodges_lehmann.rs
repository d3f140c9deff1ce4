//! The Hodges–Lehmann estimate of the median difference of paired values, with the interval of R's
//! `wilcox.test(paired = TRUE, conf.int = TRUE)`: exact where R takes the exact test, otherwise the
//! asymptotic interval R targets, located precisely. The Walsh averages are selected by counting, never
//! listed, so a large sample needs no quadratic memory.
//!
//! Source: Hodges JL, Lehmann EL. Ann Math Stat 1963;34:598–611, doi:10.1214/aoms/1177704172.

use crate::paired::Pairs;
use crate::ranks::{midranks, sign};
use crate::tails::normal_quantile;
use crate::wilcoxon::{abs, SignedRankDistribution};

/// The Hodges–Lehmann estimate of the median difference with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HodgesLehmann {
    /// The median of the Walsh averages (dᵢ + dⱼ)/2, i ≤ j, of the non-zero differences.
    pub estimate: f64,
    /// R's exact interval when R takes the exact test; otherwise the asymptotic interval R targets,
    /// located precisely. `None` when it does not exist (fewer than two distinct values).
    pub ci: Option<(f64, f64)>,
    /// Whether the interval is the exact one.
    pub exact: bool,
}

/// The Hodges–Lehmann estimate of validated pairs and its two-sided interval at `confidence`; `None`
/// when every difference is zero.
pub fn hodges_lehmann(pairs: &Pairs, confidence: f64) -> Option<HodgesLehmann> {
    hodges_lehmann_of(pairs.differences(), confidence)
}

pub(crate) fn hodges_lehmann_of(differences: &[f64], confidence: f64) -> Option<HodgesLehmann> {
    let x: Vec<f64> = differences.iter().copied().filter(|&d| d != 0.0).collect();
    let n = x.len();
    if n == 0 {
        return None;
    }
    let mut sorted = x.clone();
    sorted.sort_by(f64::total_cmp);
    let estimate = walsh_median(&sorted);
    let has_zeros = n < differences.len();
    let (_, tie_sizes) = midranks(&abs(&x));
    let has_ties = tie_sizes.iter().any(|&t| t > 1);
    let alpha = 1.0 - confidence;
    if n < 50 && !has_ties && !has_zeros {
        let distribution = SignedRankDistribution::new(n);
        let qu = distribution.lower_quantile(alpha / 2.0).max(1);
        let ql = n * (n + 1) / 2 - qu;
        let walsh = walsh_averages(&sorted);
        return Some(HodgesLehmann {
            estimate,
            ci: Some((walsh[qu - 1], walsh[ql])),
            exact: true,
        });
    }
    Some(HodgesLehmann {
        estimate,
        ci: asymptotic_interval(&sorted, alpha),
        exact: false,
    })
}

/// Every Walsh average (xᵢ + xⱼ)/2, i ≤ j, sorted. Averages are taken with `midpoint`, equal to
/// (xᵢ + xⱼ)/2 to the bit wherever that sum does not overflow.
fn walsh_averages(sorted: &[f64]) -> Vec<f64> {
    let n = sorted.len();
    let mut walsh = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        for j in i..n {
            walsh.push(sorted[i].midpoint(sorted[j]));
        }
    }
    walsh.sort_by(f64::total_cmp);
    walsh
}

/// Above this many Walsh averages, they are counted rather than listed.
const MAX_LISTED_WALSH: usize = 1 << 20;

/// The median of the Walsh averages of `sorted`; for large samples by selection without listing the
/// n(n+1)/2 averages (O(n) memory, O(n log) time).
fn walsh_median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    let total = n * (n + 1) / 2;
    if total <= MAX_LISTED_WALSH {
        return median_of_sorted(&walsh_averages(sorted));
    }
    if total % 2 == 1 {
        kth_walsh_average(sorted, total / 2)
    } else {
        kth_walsh_average(sorted, total / 2 - 1).midpoint(kth_walsh_average(sorted, total / 2))
    }
}

/// The number of Walsh averages ≤ v (two pointers over the sorted sample: O(n)).
fn count_walsh_at_most(sorted: &[f64], v: f64) -> usize {
    count_walsh(sorted, |average| average > v)
}

/// The number of Walsh averages < v.
fn count_walsh_below(sorted: &[f64], v: f64) -> usize {
    count_walsh(sorted, |average| average >= v)
}

/// The number of Walsh averages not `beyond` a bound that `beyond` tests (monotone in the average).
fn count_walsh(sorted: &[f64], beyond: impl Fn(f64) -> bool) -> usize {
    let n = sorted.len();
    let mut count = 0;
    let mut j = n; // exclusive bound: averages with index < j are within the bound for the current i
    for i in 0..n {
        while j > i && beyond(sorted[i].midpoint(sorted[j - 1])) {
            j -= 1;
        }
        if j <= i {
            break;
        }
        count += j - i;
    }
    count
}

/// The k-th smallest (0-based) Walsh average: bisection on the value until few averages remain in the
/// bracket, then those few are listed and the k-th taken exactly.
fn kth_walsh_average(sorted: &[f64], k: usize) -> f64 {
    let n = sorted.len();
    let (mut low, mut high) = (sorted[0], sorted[n - 1]);
    let mut at_most_low = count_walsh_at_most(sorted, low);
    if at_most_low > k {
        return low;
    }
    let mut at_most_high = n * (n + 1) / 2;
    // Invariant: count(≤ low) ≤ k < count(≤ high), both counts kept so that each step counts once.
    while at_most_high - at_most_low > n.max(64) {
        let middle = low.midpoint(high);
        if middle <= low || middle >= high {
            break;
        }
        let at_most_middle = count_walsh_at_most(sorted, middle);
        if at_most_middle > k {
            (high, at_most_high) = (middle, at_most_middle);
        } else {
            (low, at_most_low) = (middle, at_most_middle);
        }
    }
    // Many tied averages (values recorded to one decimal) can keep the bracket wide down to adjacent
    // floats; then the k-th is `high` itself, found by counting rather than listing millions of copies.
    if count_walsh_below(sorted, high) <= k {
        return high;
    }
    // List the averages in (low, high]: for each i, the j ≥ i in that band form one run.
    let mut band = Vec::new();
    for i in 0..n {
        let first = i + sorted[i..].partition_point(|&xj| sorted[i].midpoint(xj) <= low);
        for &xj in &sorted[first..] {
            let w = sorted[i].midpoint(xj);
            if w > high {
                break;
            }
            band.push(w);
        }
    }
    band.sort_by(f64::total_cmp);
    band[k - at_most_low]
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        sorted[n / 2 - 1].midpoint(sorted[n / 2])
    }
}

/// R's standardized, continuity-corrected signed-rank statistic of x − d (zeros of x − d dropped), for
/// `sorted` x. The |x − d| come in order by merging the values below d (walked down) with those above
/// (walked up), so mid-ranks and the tie correction are found in one O(n) pass, with no sort and no
/// allocation — the interval search evaluates this many times.
fn corrected_statistic(sorted: &[f64], d: f64) -> Option<f64> {
    let len = sorted.len();
    let split = sorted.partition_point(|&v| v < d);
    let mut left = split; // sorted[..left] are below d, walked from left - 1 down
    let mut right = split + sorted[split..].partition_point(|&v| v <= d); // skip the zeros of x − d
    let n = (left + len - right) as f64;
    let (mut placed, mut v, mut ties) = (0usize, 0.0f64, 0.0f64);
    while left > 0 || right < len {
        let below = (left > 0).then(|| d - sorted[left - 1]);
        let above = (right < len).then(|| sorted[right] - d);
        let next = match (below, above) {
            (Some(b), Some(a)) => b.min(a),
            (Some(b), None) => b,
            (None, Some(a)) => a,
            (None, None) => break,
        };
        let (mut from_below, mut from_above) = (0usize, 0usize);
        while left > 0 && d - sorted[left - 1] == next {
            from_below += 1;
            left -= 1;
        }
        while right < len && sorted[right] - d == next {
            from_above += 1;
            right += 1;
        }
        let tied = from_below + from_above;
        let midrank = placed as f64 + (tied as f64 + 1.0) / 2.0;
        v += from_above as f64 * midrank;
        ties += (tied * tied * tied - tied) as f64;
        placed += tied;
    }
    let centred = v - n * (n + 1.0) / 4.0;
    let sigma = (n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - ties / 48.0).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return None;
    }
    let continuity = 0.5 * sign(centred);
    Some((centred - continuity) / sigma)
}

/// The asymptotic interval of `wilcox.test(conf.int = TRUE)`: the shifts d where the corrected
/// statistic of x − d crosses ±z, widened (alpha doubled) as R does when the data cannot reach the
/// requested level. R's root finder stops at a tolerance of 1e-4; the crossing of this step function is
/// located here by bisection to the resolution of f64. `x` is sorted.
fn asymptotic_interval(x: &[f64], mut alpha: f64) -> Option<(f64, f64)> {
    let (mumin, mumax) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let w_min = corrected_statistic(x, mumin)?;
    let w_max = corrected_statistic(x, mumax)?;
    loop {
        let upper_z = normal_quantile(1.0 - alpha / 2.0);
        if w_min - upper_z < 0.0 || w_max + upper_z > 0.0 {
            alpha *= 2.0;
            if alpha >= 1.0 {
                let mut sorted = x.to_vec();
                sorted.sort_by(f64::total_cmp);
                let median = median_of_sorted(&sorted);
                return Some((median, median));
            }
        } else {
            break;
        }
    }
    let upper_z = normal_quantile(1.0 - alpha / 2.0);
    let lower = crossing(x, mumin, mumax, upper_z)?;
    let upper = crossing(x, mumin, mumax, -upper_z)?;
    Some((lower, upper))
}

/// The shift in [low, high] where the corrected statistic, decreasing in the shift, crosses `level`.
fn crossing(x: &[f64], mut low: f64, mut high: f64, level: f64) -> Option<f64> {
    let above = |d: f64| corrected_statistic(x, d).map(|w| w - level > 0.0);
    if !above(low)? {
        return Some(low);
    }
    if above(high)? {
        return Some(high);
    }
    for _ in 0..200 {
        let middle = low.midpoint(high);
        if middle <= low || middle >= high {
            break;
        }
        if above(middle)? {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some(low.midpoint(high))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranks::tie_correction;
    use crate::wilcoxon::{signed_rank_of, PValueMethod, ZeroMethod};

    /// The corrected statistic by sorting, as R computes it: the reference for the merge.
    fn corrected_statistic_by_sorting(x: &[f64], d: f64) -> Option<f64> {
        let shifted: Vec<f64> = x.iter().map(|v| v - d).filter(|&v| v != 0.0).collect();
        let n = shifted.len() as f64;
        let (ranks, tie_sizes) = midranks(&abs(&shifted));
        let v: f64 = shifted
            .iter()
            .zip(&ranks)
            .filter(|(s, _)| **s > 0.0)
            .map(|(_, r)| r)
            .sum();
        let centred = v - n * (n + 1.0) / 4.0;
        let sigma =
            (n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - tie_correction(&tie_sizes) / 48.0).sqrt();
        (sigma > 0.0).then(|| (centred - 0.5 * sign(centred)) / sigma)
    }

    #[test]
    fn the_merged_statistic_equals_the_sorted_one() {
        let mut x: Vec<f64> = (0..60)
            .map(|i| f64::from((i * 29 % 37) - 18) / 2.0)
            .collect();
        x.sort_by(f64::total_cmp);
        for d in [
            -10.0, -9.0, -3.25, -0.5, 0.0, 0.25, 1.0, 4.5, 8.0, 9.0, 12.0,
        ] {
            let (merged, sorted) = (
                corrected_statistic(&x, d),
                corrected_statistic_by_sorting(&x, d),
            );
            match (merged, sorted) {
                (Some(m), Some(s)) => assert!((m - s).abs() < 1e-12, "d = {d}: {m} vs {s}"),
                (m, s) => assert_eq!(m, s, "d = {d}"),
            }
        }
    }

    #[test]
    fn selecting_walsh_averages_equals_listing_them() {
        // Ties, negatives and duplicates included.
        let sample: Vec<f64> = (0..300)
            .map(|i| f64::from((i * 37 % 101) - 50) / 4.0)
            .collect();
        let mut sorted = sample.clone();
        sorted.sort_by(f64::total_cmp);
        let listed = walsh_averages(&sorted);
        for k in [
            0,
            1,
            17,
            listed.len() / 2 - 1,
            listed.len() / 2,
            listed.len() - 2,
            listed.len() - 1,
        ] {
            assert_eq!(kth_walsh_average(&sorted, k), listed[k], "k = {k}");
        }
        for v in [-20.0, -0.125, 0.0, 3.3, 12.5, 20.0] {
            assert_eq!(
                count_walsh_at_most(&sorted, v),
                listed.iter().filter(|&&w| w <= v).count(),
                "v = {v}"
            );
        }
    }

    #[test]
    fn heavily_tied_averages_are_selected_without_listing_them() {
        // Temperatures to one decimal: 100,000 differences, ~80 distinct values, 5e9 averages of which
        // tens of millions are tied at each value. Each k-th is checked against counts, which need no
        // listing: count(< w) ≤ k < count(≤ w).
        let differences: Vec<f64> = (0..100_000)
            .map(|i| f64::from((i * 7919 % 81) - 40) / 10.0)
            .collect();
        assert_selects_by_counts(&differences, |total| {
            vec![0, 1, total / 3, total / 2 - 1, total / 2, total - 1]
        });
    }

    /// Checks the k-th Walsh average of `differences` for each k that `ks` picks from the number of
    /// averages, against counts that need no listing: count(< w) ≤ k < count(≤ w).
    fn assert_selects_by_counts(differences: &[f64], ks: impl Fn(usize) -> Vec<usize>) {
        let mut sorted = differences.to_vec();
        sorted.sort_by(f64::total_cmp);
        let total = sorted.len() * (sorted.len() + 1) / 2;
        for k in ks(total) {
            let w = kth_walsh_average(&sorted, k);
            assert!(count_walsh_below(&sorted, w) <= k, "k = {k}, w = {w}");
            assert!(k < count_walsh_at_most(&sorted, w), "k = {k}, w = {w}");
        }
    }

    #[test]
    fn averages_of_values_near_the_largest_float_do_not_overflow() {
        // 1,500 differences (over a million Walsh averages, so the selection path) near ±1.5e308:
        // (a + b) / 2 would be infinite for two of them.
        let differences: Vec<f64> = (0..1500).map(|i| f64::from(i % 7 - 3) * 0.5e308).collect();
        let hl = hodges_lehmann_of(&differences, 0.95).unwrap();
        assert!(hl.estimate.is_finite(), "{hl:?}");
        let (lower, upper) = hl.ci.unwrap();
        assert!(
            lower.is_finite() && upper.is_finite() && lower <= upper,
            "{hl:?}"
        );
        assert_selects_by_counts(&differences, |total| vec![0, total / 2, total - 1]);
    }

    #[test]
    fn a_large_sample_has_an_estimate_without_listing_its_walsh_averages() {
        // 100,000 differences: 5e9 Walsh averages would need 40 GB; selection needs the sample.
        let differences: Vec<f64> = (0..100_000).map(|i| f64::from(i % 1000) - 400.5).collect();
        let hl = hodges_lehmann_of(&differences, 0.95).unwrap();
        assert!(!hl.exact);
        assert!((hl.estimate - 99.0).abs() < 1.0, "{}", hl.estimate);
        assert!(
            signed_rank_of(&differences, PValueMethod::Exact, ZeroMethod::Wilcox, false).is_none()
        );
    }

    #[test]
    fn the_estimate_is_the_median_of_the_walsh_averages() {
        let hl = hodges_lehmann_of(&[-2.0, -1.0, 3.0, 7.0, 8.0], 0.95).unwrap();
        // Walsh averages of {-2, -1, 3, 7, 8}, sorted: -2, -1.5, -1, 0.5, 1, 2.5, 3, 3, 3, 3.5, 5, 5.5,
        // 7, 7.5, 8; the 8th of 15 is 3.
        assert_eq!(hl.estimate, 3.0);
        assert!(hl.exact);
    }
}
