//! Kaplan–Meier estimation and the log-rank test, as R's `survival` package computes them (version 3.x):
//! `survfit(Surv(time, status) ~ group, conf.type = …)`, `summary(fit, censored = TRUE)`, the median and
//! its interval of `quantile.survfit`, and `survdiff(…, rho = 0)`.
//!
//! Sources: Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457–81, doi:10.1080/01621459.1958.10501452;
//! Greenwood M. Rep Public Health Med Subj 1926;33:1–26 (variance); Kalbfleisch JD, Prentice RL (2002)
//! §1.3 (log-log interval); Mantel N. Cancer Chemother Rep 1966;50:163–70 (log-rank).

use rustc_hash::FxHashMap;

use crate::error::{check_finite, StatsError};
use crate::tails::{chi_square_sf, normal_quantile};

/// Survival times with event indicators and, optionally, a group label per subject, held as counts:
/// for each group and each of its distinct times, the events and censorings there. Every estimator
/// here depends on the data only through these counts, so they are built once and each fit and test
/// is a scan of them.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalData {
    /// The sorted distinct group labels (R's factor levels); `None` when ungrouped.
    labels: Option<Vec<String>>,
    /// Counts, sorted by group then time.
    counts: Vec<TimeCount>,
    /// For each group, its range in `counts` and its number of subjects.
    group_ranges: Vec<(std::ops::Range<usize>, u64)>,
}

/// The events and censorings of one group at one distinct time.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TimeCount {
    group: usize,
    time: f64,
    events: u64,
    censored: u64,
}

impl SurvivalData {
    /// `events` are 1 (event) or 0 (censored); times are finite and ≥ 0.
    ///
    /// # Errors
    ///
    /// [`StatsError`] when there is no time, the lengths differ, a time is negative or not finite, or an
    /// event is neither 0 nor 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use hlh_stats::survival::ConfType;
    /// use hlh_stats::SurvivalData;
    ///
    /// // R: survfit(Surv(c(1, 2, 2, 3), c(1, 1, 0, 1)) ~ 1): S = 0.75 after time 1; S is exactly ½
    /// // from time 2 to 3, and R's median is then the midpoint, 2.5.
    /// let data = SurvivalData::new::<&str>(&[1.0, 2.0, 2.0, 3.0], &[1.0, 1.0, 0.0, 1.0], None)?;
    /// let fit = &data.fit(ConfType::LogLog, 0.95).groups[0].fit;
    /// assert_eq!(fit.table[0].survival, 0.75);
    /// assert_eq!(fit.median, Some(2.5));
    /// assert!(SurvivalData::new::<&str>(&[-1.0], &[1.0], None).is_err());
    /// # Ok::<(), hlh_stats::StatsError>(())
    /// ```
    pub fn new<S: AsRef<str> + Sync>(
        times: &[f64],
        events: &[f64],
        groups: Option<&[S]>,
    ) -> Result<SurvivalData, StatsError> {
        if times.len() != events.len() {
            return Err(StatsError::LengthMismatch {
                first: "time",
                first_len: times.len(),
                second: "event",
                second_len: events.len(),
            });
        }
        if let Some(groups) = groups {
            if groups.len() != times.len() {
                return Err(StatsError::LengthMismatch {
                    first: "time",
                    first_len: times.len(),
                    second: "group",
                    second_len: groups.len(),
                });
            }
        }
        if times.is_empty() {
            return Err(StatsError::Empty {
                what: "survival data",
            });
        }
        check_finite("time", times)?;
        if let Some(index) = times.iter().position(|&t| t < 0.0) {
            return Err(StatsError::NegativeTime {
                index,
                value: times[index],
            });
        }
        if let Some(index) = events.iter().position(|&e| e != 0.0 && e != 1.0) {
            return Err(StatsError::InvalidEvent {
                index,
                value: events[index],
            });
        }
        // Counts by (label, time), aggregated by hashing in one pass (O(N), split across cores for large
        // data); only the distinct pairs are then sorted. The time's bits order like the time itself for
        // finite t ≥ 0 (−0 is read as 0).
        let label_of = |i: usize| groups.map_or("", |g| g[i].as_ref());
        let aggregated = aggregate_counts(times.len(), |i| {
            (label_of(i), (times[i] + 0.0).to_bits(), events[i] == 1.0)
        });
        let mut label_set: Vec<&str> = aggregated.keys().map(|&(label, _)| label).collect();
        label_set.sort_unstable();
        label_set.dedup();
        let rank_of: FxHashMap<&str, usize> =
            label_set.iter().enumerate().map(|(i, &l)| (l, i)).collect();
        let labels = groups.map(|_| {
            label_set
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<String>>()
        });
        let mut counts: Vec<TimeCount> = aggregated
            .into_iter()
            .map(|((label, bits), (events, censored))| TimeCount {
                group: rank_of[label],
                time: f64::from_bits(bits),
                events,
                censored,
            })
            .collect();
        counts.sort_unstable_by(|a, b| a.group.cmp(&b.group).then(a.time.total_cmp(&b.time)));
        let n_groups = labels.as_ref().map_or(1, Vec::len);
        let mut group_ranges = Vec::with_capacity(n_groups);
        let mut start = 0;
        for group in 0..n_groups {
            let end = start
                + counts[start..]
                    .iter()
                    .take_while(|c| c.group == group)
                    .count();
            let n = counts[start..end]
                .iter()
                .map(|c| c.events + c.censored)
                .sum();
            group_ranges.push((start..end, n));
            start = end;
        }
        Ok(SurvivalData {
            labels,
            counts,
            group_ranges,
        })
    }

    /// The group labels in sorted order (R's factor levels); one unnamed group when ungrouped.
    pub fn group_labels(&self) -> Vec<Option<String>> {
        match &self.labels {
            None => vec![None],
            Some(labels) => labels.iter().cloned().map(Some).collect(),
        }
    }

    /// A Kaplan–Meier fit for every group (one when ungrouped), and the log-rank test when there are
    /// at least two groups.
    pub fn fit(&self, conf_type: ConfType, confidence: f64) -> SurvivalAnalysis {
        let groups: Vec<GroupFit> = self
            .group_labels()
            .into_iter()
            .zip(&self.group_ranges)
            .map(|(label, (range, n))| GroupFit {
                label,
                fit: kaplan_meier(&self.counts[range.clone()], *n, conf_type, confidence),
            })
            .collect();
        let logrank = if groups.len() >= 2 {
            self.logrank()
        } else {
            None
        };
        SurvivalAnalysis {
            conf_type,
            groups,
            logrank,
        }
    }

    /// The log-rank test across the groups (`survdiff`, ρ = 0); `None` when ungrouped, or when fewer than
    /// two groups have any expected events.
    pub fn logrank(&self) -> Option<LogRank> {
        let k = self.labels.as_ref()?.len();
        let mut by_time = self.counts.clone();
        by_time.sort_by(|a, b| a.time.total_cmp(&b.time));
        // A sweep over the distinct times: the numbers at risk are the subjects not yet passed.
        let mut at_risk: Vec<f64> = self.group_ranges.iter().map(|(_, n)| *n as f64).collect();
        let (mut observed, mut expected) = (vec![0.0; k], vec![0.0; k]);
        let mut variance = vec![vec![0.0; k]; k];
        let mut start = 0;
        while start < by_time.len() {
            let time = by_time[start].time;
            let end = start
                + by_time[start..]
                    .iter()
                    .take_while(|c| c.time == time)
                    .count();
            let mut deaths = vec![0.0; k];
            for count in &by_time[start..end] {
                deaths[count.group] += count.events as f64;
            }
            let (n, d): (f64, f64) = (at_risk.iter().sum(), deaths.iter().sum());
            if d > 0.0 {
                for j in 0..k {
                    observed[j] += deaths[j];
                    expected[j] += d * at_risk[j] / n;
                }
                if n > 1.0 {
                    let factor = d * (n - d) / (n * n * (n - 1.0));
                    for (j, row) in variance.iter_mut().enumerate() {
                        for (l, cell) in row.iter_mut().enumerate() {
                            let kronecker = if j == l { n } else { 0.0 };
                            *cell += factor * at_risk[j] * (kronecker - at_risk[l]);
                        }
                    }
                }
            }
            for count in &by_time[start..end] {
                at_risk[count.group] -= (count.events + count.censored) as f64;
            }
            start = end;
        }
        // As survdiff: keep the groups with expected > 0, drop the first, solve V x = (O − E).
        let kept: Vec<usize> = (0..k).filter(|&j| expected[j] > 0.0).collect();
        if kept.len() < 2 {
            return None;
        }
        let reduced: Vec<usize> = kept[1..].to_vec();
        let difference: Vec<f64> = reduced.iter().map(|&j| observed[j] - expected[j]).collect();
        let matrix: Vec<Vec<f64>> = reduced
            .iter()
            .map(|&j| reduced.iter().map(|&l| variance[j][l]).collect())
            .collect();
        let solution = solve(matrix, difference.clone())?;
        let statistic: f64 = solution.iter().zip(&difference).map(|(x, d)| x * d).sum();
        let df = reduced.len() as f64;
        Some(LogRank {
            statistic,
            df,
            p_value: chi_square_sf(statistic, df),
            observed,
            expected,
        })
    }
}

/// Events and censorings per (group label, time bits).
type LabelTimeCounts<'a> = FxHashMap<(&'a str, u64), (u64, u64)>;

/// (events, censorings) per (label, time bits) of `n` subjects described by `subject(i)`: one hash
/// pass, on two or more threads when the data are large, the partial maps then merged.
fn aggregate_counts<'a>(
    n: usize,
    subject: impl Fn(usize) -> (&'a str, u64, bool) + Sync,
) -> LabelTimeCounts<'a> {
    let count_range = |range: std::ops::Range<usize>| {
        let mut map: LabelTimeCounts<'a> = FxHashMap::default();
        for i in range {
            let (label, bits, is_event) = subject(i);
            let entry = map.entry((label, bits)).or_default();
            if is_event {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
        map
    };
    const MIN_PER_THREAD: usize = 200_000;
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(n / MIN_PER_THREAD)
        .max(1);
    if threads == 1 {
        return count_range(0..n);
    }
    let partial: Vec<LabelTimeCounts<'a>> = std::thread::scope(|scope| {
        let count_range = &count_range;
        let handles: Vec<_> = (0..threads)
            .map(|t| scope.spawn(move || count_range(n * t / threads..n * (t + 1) / threads)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut partial = partial.into_iter();
    let mut merged = partial.next().unwrap_or_default();
    for map in partial {
        for (key, (events, censored)) in map {
            let entry = merged.entry(key).or_default();
            entry.0 += events;
            entry.1 += censored;
        }
    }
    merged
}

/// Solves A x = b by Gaussian elimination with partial pivoting; `None` when A is singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for column in 0..n {
        let pivot =
            (column..n).max_by(|&i, &j| a[i][column].abs().total_cmp(&a[j][column].abs()))?;
        if a[pivot][column].abs() < 1e-300 {
            return None;
        }
        a.swap(column, pivot);
        b.swap(column, pivot);
        let pivot_row = a[column].clone();
        for row in column + 1..n {
            let factor = a[row][column] / pivot_row[column];
            for (value, pivot_value) in a[row].iter_mut().zip(&pivot_row).skip(column) {
                *value -= factor * pivot_value;
            }
            b[row] -= factor * b[column];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let tail: f64 = (row + 1..n).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    Some(x)
}

/// The transform under which the pointwise confidence interval of S(t) is symmetric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfType {
    /// S ± z·se(S), clipped to [0, 1].
    Plain,
    /// exp(log S ± z·se(log S)), upper clipped to 1 (R's default).
    Log,
    /// exp(−exp(log(−log S) ± z·se(log S)/log S)) (hlhkit's default).
    LogLog,
}

impl ConfType {
    pub fn name(self) -> &'static str {
        match self {
            ConfType::Plain => "plain",
            ConfType::Log => "log",
            ConfType::LogLog => "log-log",
        }
    }

    pub fn from_name(name: &str) -> Option<ConfType> {
        [ConfType::Plain, ConfType::Log, ConfType::LogLog]
            .into_iter()
            .find(|c| c.name() == name)
    }
}

/// One row of the Kaplan–Meier table: a distinct time, event or censoring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KmRow {
    pub time: f64,
    pub n_risk: u64,
    pub n_event: u64,
    pub n_censor: u64,
    pub survival: f64,
    /// Greenwood standard error of S(t); `None` where S is 0 (R's NA).
    pub std_err: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// A Kaplan–Meier fit with its median.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    pub n: usize,
    pub events: u64,
    pub table: Vec<KmRow>,
    /// `None` when S never falls to ½.
    pub median: Option<f64>,
    pub median_ci: (Option<f64>, Option<f64>),
}

/// The estimate at one time, as R's `summary(fit, times = t)` gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Landmark {
    pub time: f64,
    /// Those still followed at `time` (their time is `time` or later).
    pub n_risk: u64,
    pub survival: f64,
    pub std_err: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl KaplanMeier {
    /// S(`time`) with its interval: the step at or before `time`, or before the first time S = 1 with
    /// standard error 0 and interval [1, 1] whatever the transform (as R reports it); `None` after the
    /// last time followed, where the curve is not estimated (R drops such times, `extend = FALSE`).
    pub fn at(&self, time: f64) -> Option<Landmark> {
        if self.table.last().is_none_or(|last| time > last.time) {
            return None;
        }
        let n_risk = self
            .table
            .iter()
            .find(|row| row.time >= time)
            .map_or(0, |row| row.n_risk);
        let Some(step) = self.table.iter().rev().find(|row| row.time <= time) else {
            return Some(Landmark {
                time,
                n_risk,
                survival: 1.0,
                std_err: Some(0.0),
                lower: Some(1.0),
                upper: Some(1.0),
            });
        };
        Some(Landmark {
            time,
            n_risk,
            survival: step.survival,
            std_err: step.std_err,
            lower: step.lower,
            upper: step.upper,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupFit {
    /// `None` for an ungrouped fit.
    pub label: Option<String>,
    pub fit: KaplanMeier,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalAnalysis {
    pub conf_type: ConfType,
    pub groups: Vec<GroupFit>,
    pub logrank: Option<LogRank>,
}

/// The log-rank test.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRank {
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
}

/// The Kaplan–Meier estimate of one group from its counts (sorted by time) and its size.
fn kaplan_meier(counts: &[TimeCount], n: u64, conf_type: ConfType, confidence: f64) -> KaplanMeier {
    let z = normal_quantile(1.0 - (1.0 - confidence) / 2.0);
    let mut table = Vec::with_capacity(counts.len());
    let (mut survival, mut greenwood) = (1.0f64, 0.0f64);
    let mut at_risk = n;
    for count in counts {
        if count.events > 0 {
            let (n, d) = (at_risk as f64, count.events as f64);
            survival *= 1.0 - d / n;
            greenwood += d / (n * (n - d));
        }
        let (std_err, lower, upper) = interval(survival, greenwood.sqrt(), z, conf_type);
        table.push(KmRow {
            time: count.time,
            n_risk: at_risk,
            n_event: count.events,
            n_censor: count.censored,
            survival,
            std_err,
            lower,
            upper,
        });
        at_risk -= count.events + count.censored;
    }
    let curve: Vec<(f64, f64)> = table.iter().map(|row| (row.time, row.survival)).collect();
    let lower_curve: Vec<(f64, Option<f64>)> =
        table.iter().map(|row| (row.time, row.lower)).collect();
    let upper_curve: Vec<(f64, Option<f64>)> =
        table.iter().map(|row| (row.time, row.upper)).collect();
    let median = find_quantile(
        &curve.iter().map(|&(t, s)| (t, Some(s))).collect::<Vec<_>>(),
        0.5,
    );
    KaplanMeier {
        n: n as usize,
        events: counts.iter().map(|c| c.events).sum(),
        table,
        median,
        median_ci: (
            find_quantile(&lower_curve, 0.5),
            find_quantile(&upper_curve, 0.5),
        ),
    }
}

/// Greenwood standard error of S and the pointwise interval (R's `survfit_confint`, `logse = TRUE`).
fn interval(
    survival: f64,
    se_log: f64,
    z: f64,
    conf_type: ConfType,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    if survival == 0.0 || !se_log.is_finite() {
        return (None, None, None);
    }
    let std_err = Some(survival * se_log);
    let (lower, upper) = match conf_type {
        ConfType::Plain => {
            let half = z * se_log * survival;
            (
                Some((survival - half).max(0.0)),
                Some((survival + half).min(1.0)),
            )
        }
        ConfType::Log => {
            let half = z * se_log;
            (
                Some((survival.ln() - half).exp()),
                Some((survival.ln() + half).exp().min(1.0)),
            )
        }
        ConfType::LogLog => {
            if survival == 1.0 {
                (None, None)
            } else {
                let log_log = (-survival.ln()).ln();
                let half = z * se_log / survival.ln();
                (
                    Some((-(log_log - half).exp()).exp()),
                    Some((-(log_log + half).exp()).exp()),
                )
            }
        }
    };
    (std_err, lower, upper)
}

/// R's `findq` (survival 3.x): the time at which the curve first reaches 1 − S ≥ p, or the midpoint of a
/// flat where 1 − S equals p within √ε; points where the curve is NA are skipped.
fn find_quantile(curve: &[(f64, Option<f64>)], p: f64) -> Option<f64> {
    let tolerance = f64::EPSILON.sqrt();
    // x = (0, times…), y = (0, 1 − S…), as survival prepends the start time.
    let mut points: Vec<(f64, Option<f64>)> = vec![(0.0, Some(0.0))];
    points.extend(curve.iter().map(|&(t, s)| (t, s.map(|s| 1.0 - s))));
    let x_max = points.last().map(|&(t, _)| t)?;
    if points
        .iter()
        .filter_map(|&(_, y)| y)
        .fold(f64::NEG_INFINITY, f64::max)
        < p
    {
        return None;
    }
    // Drop repeated y values (R's duplicated(): the first of equal values stays, NA once).
    let mut kept: Vec<(f64, Option<f64>)> = Vec::new();
    for point in points {
        if !kept.iter().any(|k| k.1 == point.1) {
            kept.push(point);
        }
    }
    // approx(y ± tol, 1:n, p, "constant", f = 1): the first index whose y ± tol is ≥ p; NA when none.
    let first_reaching = |shift: f64| {
        kept.iter()
            .position(|&(_, y)| y.is_some_and(|y| y + shift >= p))
    };
    let index_1 = first_reaching(tolerance)?;
    let last_y = kept.last().and_then(|&(_, y)| y);
    if let Some(last_y) = last_y {
        if (p - last_y).abs() < tolerance {
            return Some((kept[index_1].0 + x_max) / 2.0);
        }
    }
    let index_2 = first_reaching(-tolerance)?;
    Some((kept[index_1].0 + kept[index_2].0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_computed_curve() {
        // Times 1, 2+, 3, 4 (event, censored, event, event): S = 3/4, 3/4, 3/4·1/2, 0.
        let data =
            SurvivalData::new::<&str>(&[1.0, 2.0, 3.0, 4.0], &[1.0, 0.0, 1.0, 1.0], None).unwrap();
        let analysis = data.fit(ConfType::Log, 0.95);
        let fit = &analysis.groups[0].fit;
        let survival: Vec<f64> = fit.table.iter().map(|row| row.survival).collect();
        assert_eq!(survival, [0.75, 0.75, 0.375, 0.0]);
        assert_eq!(fit.table[1].n_censor, 1);
        assert_eq!(fit.table[3].std_err, None);
        assert_eq!(fit.median, Some(3.0));
        assert!(analysis.logrank.is_none());
    }

    #[test]
    fn a_flat_at_one_half_gives_the_midpoint() {
        // Two subjects: event at 1 (S = 1/2), event at 3 (S = 0): median = (1 + 3) / 2.
        let data = SurvivalData::new::<&str>(&[1.0, 3.0], &[1.0, 1.0], None).unwrap();
        assert_eq!(
            data.fit(ConfType::Log, 0.95).groups[0].fit.median,
            Some(2.0)
        );
    }

    #[test]
    fn large_data_counted_on_several_threads_equal_the_small_data_they_repeat() {
        // 100,000 copies of an 8-subject design: every count ×100,000 and every S(t) the same.
        let times = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 6.0];
        let events = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
        let groups = ["a", "b", "a", "b", "a", "b", "a", "b"];
        let copies = 100_000;
        let big_times: Vec<f64> = times
            .iter()
            .copied()
            .cycle()
            .take(times.len() * copies)
            .collect();
        let big_events: Vec<f64> = events
            .iter()
            .copied()
            .cycle()
            .take(events.len() * copies)
            .collect();
        let big_groups: Vec<&str> = groups
            .iter()
            .copied()
            .cycle()
            .take(groups.len() * copies)
            .collect();
        let small = SurvivalData::new(&times, &events, Some(&groups))
            .unwrap()
            .fit(ConfType::Log, 0.95);
        let big = SurvivalData::new(&big_times, &big_events, Some(&big_groups))
            .unwrap()
            .fit(ConfType::Log, 0.95);
        for (small_group, big_group) in small.groups.iter().zip(&big.groups) {
            assert_eq!(small_group.label, big_group.label);
            for (s, b) in small_group.fit.table.iter().zip(&big_group.fit.table) {
                assert_eq!(
                    (b.time, b.n_risk, b.n_event),
                    (s.time, s.n_risk * copies as u64, s.n_event * copies as u64)
                );
                assert!((b.survival - s.survival).abs() < 1e-12);
            }
        }
        // The observed and expected counts of the log-rank scale exactly with replication.
        let (small_rank, big_rank) = (small.logrank.unwrap(), big.logrank.unwrap());
        for (s, b) in small_rank.observed.iter().zip(&big_rank.observed) {
            assert_eq!(*b, s * copies as f64);
        }
        for (s, b) in small_rank.expected.iter().zip(&big_rank.expected) {
            assert!((b - s * copies as f64).abs() < 1e-6 * b.abs());
        }
    }

    #[test]
    fn bad_survival_data_is_refused() {
        assert!(matches!(
            SurvivalData::new::<&str>(&[1.0], &[2.0], None),
            Err(StatsError::InvalidEvent { .. })
        ));
        assert!(matches!(
            SurvivalData::new::<&str>(&[-1.0], &[1.0], None),
            Err(StatsError::NegativeTime { .. })
        ));
        assert!(matches!(
            SurvivalData::new::<&str>(&[1.0, 2.0], &[1.0], None),
            Err(StatsError::LengthMismatch { .. })
        ));
        assert!(matches!(
            SurvivalData::new::<&str>(&[], &[], None),
            Err(StatsError::Empty { .. })
        ));
        assert!(SurvivalData::new::<&str>(&[f64::NAN], &[1.0], None).is_err());
    }
}
