//! Small-cell suppression, for results that leave the centre (`--min-cell N`): the rules every output
//! applies (the report's tables, the analysis JSON), and the suppressed form of the analysis JSON.
//!
//! A count of patients is hidden when it is from 1 to N − 1, or when what is left of the patients it
//! is drawn from is (19 of 21 tells that 2 are not counted). Zero is shown: an empty cell identifies no
//! one. In a partition of a shown total (sex, centres, routes, …) a single hidden cell would be the total
//! minus the others, so further cells are hidden, smallest first, until at least two are and their sum
//! is not small itself. The analysis is never changed, only what is written of it.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::cohort::{Cohort, KeyName, Keyed, OverallSurvival, Share, SurvivalLandmark};
use crate::compare::{Comparison, ComparisonRow, GroupSummary};

/// The suppression threshold of one output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MinCell(pub u64);

impl MinCell {
    /// Whether anything is suppressed (0 or 1: nothing).
    pub fn active(self) -> bool {
        self.0 > 1
    }

    /// A count from 1 to N − 1.
    pub fn is_small(self, count: u64) -> bool {
        self.active() && count > 0 && count < self.0
    }

    /// Whether a count of patients drawn from `total` patients must be hidden: it is small, or the rest
    /// of the total is (a zero is shown: the total is hidden in its own place when small).
    pub fn hides(self, count: u64, total: u64) -> bool {
        self.is_small(count) || (count > 0 && count <= total && self.is_small(total - count))
    }

    /// Whether a share `count` of `n` cannot be shown: either hides among `total`, or the rest of `n` is
    /// small.
    pub fn hides_share(self, count: u64, n: u64, total: u64) -> bool {
        self.hides(count, total) || self.hides(n, total) || self.is_small(n.saturating_sub(count))
    }

    /// Which cells of a partition of `total` to hide: each that [`MinCell::hides`] by itself, then the
    /// smallest shown non-zero cells until no hidden cell, or at least two whose sum is not small, are
    /// hidden (one hidden cell, or a small sum of them, would be the total minus the cells shown).
    pub fn hidden_cells(self, cells: &[u64], total: u64) -> Vec<bool> {
        let mut hidden: Vec<bool> = cells.iter().map(|&c| self.hides(c, total)).collect();
        loop {
            let hidden_counts: Vec<u64> = cells
                .iter()
                .zip(&hidden)
                .filter(|(&c, &h)| h && c > 0)
                .map(|(&c, _)| c)
                .collect();
            let sum: u64 = hidden_counts.iter().sum();
            if hidden_counts.is_empty() || (hidden_counts.len() >= 2 && !self.is_small(sum)) {
                return hidden;
            }
            let smallest_shown = (0..cells.len())
                .filter(|&i| !hidden[i] && cells[i] > 0)
                .min_by_key(|&i| cells[i]);
            match smallest_shown {
                Some(i) => hidden[i] = true,
                None => return hidden,
            }
        }
    }
}

/// Integer fields of the cohort that are not counts of patients.
const NOT_COUNTS: [&str; 5] = ["day", "grade", "cutoff", "first_day", "last_day"];

/// The parts of the cohort JSON left out when suppressing: each is patient-level (row origins,
/// identifiers) or a Kaplan–Meier table, whose every step is one patient.
const LEFT_OUT: [&str; 4] = [
    "/study/origins",
    "/outcomes/fever_resolution/km/table",
    "/outcomes/fever_resolution/competing_death/table",
    "/outcomes/survival/table",
];

/// The cohort's JSON (every field of `hlhkit.analysis/1` but `patients`) with `min_cell` applied, and
/// a `suppression` object after `hlhkit_version`: the threshold, and the JSON pointer of every value
/// made `null` and of every part left out. `patients` is not part of a suppressed analysis.
pub fn suppressed_json(cohort: &Cohort, min_cell: MinCell) -> Value {
    let mut json = serde_json::to_value(cohort).unwrap_or(Value::Null);
    let mut suppression = Suppression {
        min_cell,
        forced: forced_cells(cohort, min_cell),
        nulled: Vec::new(),
        left_out: Vec::new(),
    };
    for pointer in LEFT_OUT {
        if remove(&mut json, pointer) {
            suppression.left_out.push(pointer.to_string());
        }
    }
    for (i, step) in cohort.attrition.iter().enumerate() {
        let pointer = format!("/attrition/{i}/excluded_patients");
        if step.excluded_patients.is_some() && remove(&mut json, &pointer) {
            suppression.left_out.push(pointer);
        }
    }
    for (i, comparison) in cohort.comparisons.iter().enumerate() {
        for j in 0..comparison.groups.len() {
            let pointer = format!("/comparisons/{i}/groups/{j}/patient_ids");
            if remove(&mut json, &pointer) {
                suppression.left_out.push(pointer);
            }
        }
    }
    let total = cohort.n_patients as u64;
    if let Value::Object(fields) = &mut json {
        for key in [
            "attrition",
            "baseline",
            "n_patients",
            "outcomes",
            "comparisons",
        ] {
            if let Some(value) = fields.get_mut(key) {
                let pointer = format!("/{key}");
                let total = match key {
                    // The flow counts the study's patients, not the analysed ones.
                    "attrition" => attrition_total(cohort),
                    _ => total,
                };
                if key == "n_patients" {
                    suppression.integer(value, &pointer, total);
                } else {
                    suppression.walk(value, &pointer, total);
                }
            }
        }
    }
    let marker = serde_json::json!({
        "min_cell": min_cell.0,
        "rule": format!(
            "Counts of patients from 1 to {} are null, as is a count whose complement in its denominator or total is; with them every proportion, interval and statistic that would reveal them; in each partition of a total, further cells until at least two are hidden and their sum is not below {}. Patient-level content is left out.",
            min_cell.0.saturating_sub(1),
            min_cell.0
        ),
        "suppressed": suppression.nulled,
        "left_out": suppression.left_out,
    });
    let Value::Object(fields) = json else {
        return json;
    };
    let mut ordered = Map::new();
    for (key, value) in fields {
        let after_version = key == "hlhkit_version";
        ordered.insert(key, value);
        if after_version {
            ordered.insert("suppression".into(), marker.clone());
        }
    }
    Value::Object(ordered)
}

/// Removes the value at a JSON pointer; whether there was one.
fn remove(json: &mut Value, pointer: &str) -> bool {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return false;
    };
    match json.pointer_mut(parent) {
        Some(Value::Object(fields)) => fields.shift_remove(&unescape(key)).is_some(),
        _ => false,
    }
}

/// A key as a JSON pointer writes it (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// The patients the flow starts from.
fn attrition_total(cohort: &Cohort) -> u64 {
    cohort
        .attrition
        .first()
        .map_or(cohort.n_patients, |step| step.remaining) as u64
}

struct Suppression {
    min_cell: MinCell,
    /// Pointers hidden by a rule across fields (partitions, derived estimates).
    forced: BTreeSet<String>,
    nulled: Vec<String>,
    left_out: Vec<String>,
}

impl Suppression {
    fn null(&mut self, value: &mut Value, pointer: &str) {
        if !value.is_null() {
            *value = Value::Null;
            self.nulled.push(pointer.to_string());
        }
    }

    /// A count field: hidden when it hides by itself among `total` (the forced ones are already null).
    fn integer(&mut self, value: &mut Value, pointer: &str, total: u64) {
        if value
            .as_u64()
            .is_some_and(|count| self.min_cell.hides(count, total))
        {
            self.null(value, pointer);
        }
    }

    fn walk(&mut self, value: &mut Value, pointer: &str, total: u64) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk(item, &format!("{pointer}/{i}"), total);
                }
            }
            Value::Object(fields) => self.object(fields, pointer, total),
            _ => {}
        }
    }

    fn object(&mut self, fields: &mut Map<String, Value>, pointer: &str, total: u64) {
        let child = |key: &str| format!("{pointer}/{}", escape(key));
        // The main outcomes of every exposed patient count among those, not among the analysed.
        let total = if pointer.ends_with("/without_inclusion") {
            fields
                .get("n_patients")
                .and_then(Value::as_u64)
                .unwrap_or(total)
        } else {
            total
        };
        for (key, value) in fields.iter_mut() {
            let at = child(key);
            if self.forced.contains(&at) {
                self.null(value, &at);
            }
        }
        let has = |keys: &[&str]| keys.iter().all(|k| fields.contains_key(*k));
        let number =
            |fields: &Map<String, Value>, key: &str| fields.get(key).and_then(Value::as_u64);
        if has(&["count", "n", "proportion", "ci95"]) {
            // A share: the count, its complement in n, and n among the total.
            let count = number(fields, "count");
            let n = number(fields, "n");
            let count_hidden = match (count, n) {
                // A zero is shown even of a small group (whose n is hidden).
                (Some(c), Some(n)) => {
                    self.min_cell.hides(c, total)
                        || (c > 0 && c <= n && self.min_cell.is_small(n - c))
                }
                _ => fields["count"].is_null(),
            };
            let n_hidden = n.is_none_or(|n| self.min_cell.hides(n, total));
            let derived = ["proportion", "ci95"];
            let hidden_keys = [("count", count_hidden), ("n", n_hidden)]
                .into_iter()
                .filter(|(_, hidden)| *hidden)
                .map(|(key, _)| key)
                .chain(derived.into_iter().filter(|_| count_hidden || n_hidden));
            for key in hidden_keys {
                if let Some(value) = fields.get_mut(key) {
                    self.null(value, &child(key));
                }
            }
        } else if fields.contains_key("n") && has(&["median", "q1", "q3"]) {
            // A summary (or a day of a trajectory): the statistics of a small group go with its n, and
            // the extremes are single patients.
            let n = number(fields, "n");
            let small = n.is_none_or(|n| self.min_cell.is_small(n));
            for (key, value) in fields.iter_mut() {
                let statistic = matches!(key.as_str(), "mean" | "sd" | "median" | "q1" | "q3");
                if (statistic && small) || matches!(key.as_str(), "min" | "max") {
                    let at = child(key);
                    self.null(value, &at);
                }
            }
        }
        for (key, value) in fields.iter_mut() {
            let at = child(key);
            if value.is_u64() && !NOT_COUNTS.contains(&key.as_str()) {
                self.integer(value, &at, total);
            } else if value.is_object() || value.is_array() {
                self.walk(value, &at, total);
            }
        }
    }
}

/// The cells of Table 1's partitions of the analysed patients that suppression hides: each in the order
/// of its field in [`crate::cohort::Baseline`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HiddenCells {
    /// Men, women, not recorded.
    pub sex: Vec<bool>,
    pub centres: Vec<bool>,
    pub route: Vec<bool>,
    pub frequency: Vec<bool>,
    /// Met, not met, indeterminate.
    pub hlh2004_clinical: Vec<bool>,
}

impl HiddenCells {
    pub fn of(cohort: &Cohort, min_cell: MinCell) -> HiddenCells {
        let baseline = &cohort.baseline;
        let total = cohort.n_patients as u64;
        let hidden = |shares: &[&Share]| {
            let counts: Vec<u64> = shares.iter().map(|share| share.count).collect();
            min_cell.hidden_cells(&counts, total)
        };
        let keyed = |shares: Vec<&Share>| hidden(&shares);
        let sex = &baseline.sex_shares;
        let clinical = &baseline.hlh2004_clinical;
        HiddenCells {
            sex: hidden(&[&sex.male, &sex.female, &sex.unknown]),
            centres: keyed(baseline.centres.iter().map(|(_, s)| s).collect()),
            route: keyed(baseline.index_drug.route.iter().map(|(_, s)| s).collect()),
            frequency: keyed(
                baseline
                    .index_drug
                    .frequency
                    .iter()
                    .map(|(_, s)| s)
                    .collect(),
            ),
            hlh2004_clinical: hidden(&[&clinical.met, &clinical.not_met, &clinical.indeterminate]),
        }
    }
}

/// Pointers hidden by rules that span fields: the partitions of a total, the estimates that reveal a
/// hidden count, the statistics of a small set of pairs, the categorical comparisons.
fn forced_cells(cohort: &Cohort, min_cell: MinCell) -> BTreeSet<String> {
    let mut forced = BTreeSet::new();
    if !min_cell.active() {
        return forced;
    }
    let total = cohort.n_patients as u64;
    let baseline = &cohort.baseline;
    let hidden = HiddenCells::of(cohort, min_cell);
    for (key, hide) in ["M", "F", "U"].iter().zip(&hidden.sex) {
        if *hide {
            forced.insert(format!("/baseline/sex_shares/{key}/count"));
            forced.insert(format!("/baseline/sex/{key}"));
        }
    }
    let keyed = [
        (
            keys_of(&baseline.centres),
            &hidden.centres,
            "/baseline/centres",
        ),
        (
            keys_of(&baseline.index_drug.route),
            &hidden.route,
            "/baseline/index_drug/route",
        ),
        (
            keys_of(&baseline.index_drug.frequency),
            &hidden.frequency,
            "/baseline/index_drug/frequency",
        ),
        (
            vec!["met".to_string(), "not_met".into(), "indeterminate".into()],
            &hidden.hlh2004_clinical,
            "/baseline/hlh2004_clinical",
        ),
    ];
    for (keys, hides, at) in keyed {
        for (key, hide) in keys.iter().zip(hides) {
            if *hide {
                forced.insert(format!("{at}/{}/count", escape(key)));
            }
        }
    }
    attrition_cells(cohort, min_cell, &mut forced);
    let outcomes = &cohort.outcomes;
    for (analyte, lab) in outcomes.labs.iter() {
        let at = format!("/outcomes/labs/{}", escape(analyte.key_name()));
        let pairs = lab.n_pairs.count();
        // The degrees of freedom and the pairs used tell the number of pairs.
        if min_cell.hides(pairs, total) {
            forced.insert(format!("{at}/paired_t/df"));
            forced.insert(format!("{at}/wilcoxon/n_used"));
        }
        if min_cell.is_small(pairs) {
            for key in [
                "difference",
                "paired_t",
                "wilcoxon",
                "ratio",
                "median_percent_change",
            ] {
                forced.insert(format!("{at}/{key}"));
            }
        }
    }
    let survival = &outcomes.survival;
    for (i, landmark) in survival.landmarks.iter().enumerate() {
        if landmark_hidden(survival, landmark, min_cell) {
            for key in ["n_risk", "survival", "ci95"] {
                forced.insert(format!("/outcomes/survival/landmarks/{i}/{key}"));
            }
        }
    }
    let fever = &outcomes.fever_resolution;
    let resolved = &fever.resolved_by_day7_share;
    if min_cell.hides_share(resolved.count, resolved.n, total) {
        forced.insert("/outcomes/fever_resolution/competing_death/incidence_by_day".into());
    }
    if let Some(sensitivity) = &outcomes.inclusion_sensitivity {
        // The exposed patients left out by the inclusion, and their outcomes, are the differences
        // between the two columns.
        let with = &sensitivity.with_inclusion;
        let without = &sensitivity.without_inclusion;
        let differences = [
            without.n_patients.saturating_sub(with.n_patients) as u64,
            without.response.count.saturating_sub(with.response.count),
            without.response.n.saturating_sub(with.response.n),
            without
                .fever_resolved_by_day
                .count
                .saturating_sub(with.fever_resolved_by_day.count),
            without
                .fever_resolved_by_day
                .n
                .saturating_sub(with.fever_resolved_by_day.n),
            without
                .discontinued_adverse_event
                .count
                .saturating_sub(with.discontinued_adverse_event.count),
        ];
        if differences.iter().any(|&d| min_cell.is_small(d)) {
            let at = "/outcomes/inclusion_sensitivity/without_inclusion";
            forced.insert(format!("{at}/n_patients"));
            for share in [
                "response",
                "fever_resolved_by_day",
                "discontinued_adverse_event",
            ] {
                forced.insert(format!("{at}/{share}/count"));
                forced.insert(format!("{at}/{share}/n"));
            }
        }
    }
    for (i, comparison) in cohort.comparisons.iter().enumerate() {
        let at = format!("/comparisons/{i}");
        let hidden = hidden_groups(comparison, min_cell, total);
        for (j, hide) in hidden.groups.iter().enumerate() {
            if *hide {
                forced.insert(format!("{at}/groups/{j}/n"));
            }
        }
        if hidden.ungrouped {
            forced.insert(format!("{at}/ungrouped"));
        }
        for (r, row) in comparison.rows.iter().enumerate() {
            if !categorical_row_hidden(row, min_cell, total) {
                continue;
            }
            let row_at = format!("{at}/rows/{r}");
            for (g, summary) in row.summaries.iter().enumerate() {
                if let GroupSummary::Categorical { levels, .. } = summary {
                    for l in 0..levels.len() {
                        forced.insert(format!("{row_at}/summaries/{g}/levels/{l}/count"));
                    }
                    forced.insert(format!("{row_at}/summaries/{g}/unknown"));
                    forced.insert(format!("{row_at}/summaries/{g}/n"));
                }
            }
            forced.insert(format!("{row_at}/statistic"));
            forced.insert(format!("{row_at}/p_value"));
        }
    }
    forced
}

/// Whether S(day) at a landmark is hidden: with few patients censored it is the deaths by that day over
/// the patients, so it goes with them, and with the number still at risk.
pub fn landmark_hidden(
    survival: &OverallSurvival,
    landmark: &SurvivalLandmark,
    min_cell: MinCell,
) -> bool {
    let followed = survival.n as u64;
    let deaths_by_day: u64 = survival
        .table
        .iter()
        .filter(|row| row.time <= f64::from(landmark.day))
        .map(|row| row.n_event)
        .sum();
    min_cell.hides(deaths_by_day, followed)
        || landmark.n_risk.is_some_and(|n| min_cell.hides(n, followed))
}

/// Which sizes of a comparison are hidden: each group's, in order, and the ungrouped patients'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiddenGroups {
    pub groups: Vec<bool>,
    pub ungrouped: bool,
}

/// The groups and the ungrouped patients partition the analysed ones unless a patient can be in
/// several groups; then each size is hidden on its own.
pub fn hidden_groups(comparison: &Comparison, min_cell: MinCell, total: u64) -> HiddenGroups {
    let mut cells: Vec<u64> = comparison.groups.iter().map(|g| g.n as u64).collect();
    cells.push(comparison.ungrouped.count());
    let mut groups = if comparison.overlapping {
        cells.iter().map(|&n| min_cell.hides(n, total)).collect()
    } else {
        min_cell.hidden_cells(&cells, total)
    };
    let ungrouped = groups.pop().unwrap_or(false);
    HiddenGroups { groups, ungrouped }
}

/// Whether a categorical row of a comparison is hidden whole: a table of categories can be solved from
/// its margins, so one hidden cell (a level, the unknowns, a group's size) hides every count of the row
/// and its test.
pub fn categorical_row_hidden(row: &ComparisonRow, min_cell: MinCell, total: u64) -> bool {
    row.summaries.iter().any(|summary| {
        let GroupSummary::Categorical { n, levels, unknown } = summary else {
            return false;
        };
        let group_n = (*n + *unknown) as u64;
        let counts: Vec<u64> = levels
            .iter()
            .map(|level| level.count as u64)
            .chain([*unknown as u64])
            .collect();
        min_cell.hides(group_n, total) || min_cell.hidden_cells(&counts, group_n).contains(&true)
    })
}

/// The keys of a keyed set of shares, in order.
fn keys_of<K: KeyName>(shares: &Keyed<K, Share>) -> Vec<String> {
    shares
        .iter()
        .map(|(key, _)| key.key_name().to_string())
        .collect()
}

/// The flow: the patients excluded at each step partition the study with the analysed ones; once one
/// is hidden, the patients remaining after each step (their running difference) are too, but for the
/// last, the analysed patients.
fn attrition_cells(cohort: &Cohort, min_cell: MinCell, forced: &mut BTreeSet<String>) {
    let steps = &cohort.attrition;
    let total = attrition_total(cohort);
    let excluded: Vec<u64> = steps.iter().map(|step| step.excluded as u64).collect();
    let hidden = min_cell.hidden_cells(&excluded, total);
    if !hidden.contains(&true) {
        return;
    }
    // Every remaining count but the last goes, the study's total among them: with it, a single hidden
    // excluded count would still be the total minus the others.
    for (i, hide) in hidden.iter().enumerate() {
        if *hide {
            forced.insert(format!("/attrition/{i}/excluded"));
        }
        if i + 1 < steps.len() {
            forced.insert(format!("/attrition/{i}/remaining"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_is_hidden_when_it_or_the_rest_of_its_total_is_small() {
        let rule = MinCell(5);
        assert!(!rule.hides(0, 21));
        assert!(rule.hides(3, 21));
        assert!(!rule.hides(5, 21));
        assert!(rule.hides(19, 21), "19 of 21 tells that 2 are not counted");
        assert!(!rule.hides(21, 21));
        assert!(rule.hides(3, 3), "a study of 3 is itself small");
        assert!(!MinCell(0).hides(1, 21));
        assert!(!MinCell(1).hides(1, 21));
    }

    #[test]
    fn a_partition_hides_a_second_cell_so_that_no_hidden_cell_is_the_total_minus_the_others() {
        let rule = MinCell(5);
        // 10 + 8 + 3 = 21: the 3 alone would be 21 − 10 − 8; the 8 goes with it.
        assert_eq!(rule.hidden_cells(&[10, 8, 3], 21), [false, true, true]);
        // 2 + 1 hidden: their sum 3 is small, so the next smallest, 9, goes too.
        assert_eq!(
            rule.hidden_cells(&[9, 2, 1, 9], 21),
            [true, true, true, false]
        );
        // 18 + 3: both hidden, 18 because the rest (3) is small.
        assert_eq!(rule.hidden_cells(&[18, 3, 0], 21), [true, true, false]);
        // Nothing small: nothing hidden; zeros are never hidden.
        assert_eq!(rule.hidden_cells(&[11, 10, 0], 21), [false, false, false]);
        // A single hidden cell with no other to hide stays the only one.
        assert_eq!(rule.hidden_cells(&[3, 0], 3), [true, false]);
    }

    #[test]
    fn the_ungrouped_patients_are_a_cell_of_the_groups_partition() {
        use crate::cohort::Count;
        use crate::compare::{Comparison, Group, Grouping};
        let group = |n: usize| Group {
            label: String::new(),
            n,
            patient_ids: Vec::new(),
            patients: Vec::new(),
        };
        let mut comparison = Comparison {
            by: Grouping::Response,
            groups: vec![group(14), group(2)],
            ungrouped: Count {
                patients: (0..5).collect(),
            },
            overlapping: false,
            rows: Vec::new(),
        };
        // 14 + 2 + 5 = 21: the 2 alone would be 21 − 14 − 5, so the 5 ungrouped are hidden too.
        let hidden = hidden_groups(&comparison, MinCell(5), 21);
        assert_eq!(
            hidden,
            HiddenGroups {
                groups: vec![false, true],
                ungrouped: true
            }
        );
        // Groups that overlap are no partition: each size on its own.
        comparison.overlapping = true;
        let hidden = hidden_groups(&comparison, MinCell(5), 21);
        assert_eq!(
            hidden,
            HiddenGroups {
                groups: vec![false, true],
                ungrouped: false
            }
        );
    }
}
