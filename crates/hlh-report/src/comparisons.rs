//! Table 3 (one table per grouping of `compare.by`: the variables by group with the test beside each
//! p-value) and the overall-survival table, read from the analysis.

use hlh_outcomes::cohort::{OverallSurvival, Proportion};
use hlh_outcomes::compare::{
    Comparison, ComparisonRow, GroupSummary, GroupTest, Grouping, LevelCount, Variable,
};
use hlh_outcomes::suppression::{categorical_row_hidden, hidden_groups, landmark_hidden, MinCell};

use crate::document::{text, Table};
use crate::labels::capitalised;
use crate::numbers::{p_value, percent, whole, MISSING, SUPPRESSED};
use crate::Context;

/// One table per comparison, lettered 3A, 3B, … in the protocol's order.
pub fn comparison_tables(context: &Context) -> Vec<Table> {
    context
        .cohort
        .comparisons
        .iter()
        .enumerate()
        .map(|(index, comparison)| comparison_table(context, comparison, index))
        .collect()
}

fn comparison_table(context: &Context, comparison: &Comparison, index: usize) -> Table {
    let numbers = &context.numbers;
    let letter = char::from(b'A' + (index % 26) as u8);
    let rule = MinCell(numbers.min_cell);
    let hidden = hidden_groups(comparison, rule, numbers.total);
    let group_columns: Vec<String> = comparison
        .groups
        .iter()
        .zip(&hidden.groups)
        .map(|(g, &hide)| {
            format!(
                "{} (n = {})",
                capitalised(&g.label),
                numbers.partition_count(g.n as u64, hide)
            )
        })
        .collect();
    let mut columns: Vec<&str> = vec!["Characteristic"];
    columns.extend(group_columns.iter().map(String::as_str));
    columns.extend(["p", "Test"]);
    let mut table = Table::new(
        &format!("table-3{}", letter.to_ascii_lowercase()),
        &format!("Table 3{letter}. By {}", comparison.by.label()),
        &columns,
    );
    let mut section = None;
    for row in &comparison.rows {
        let heading = if is_outcome(row.variable) {
            "Outcomes"
        } else {
            "At the start of the index drug"
        };
        if section != Some(heading) {
            table.section(heading);
            section = Some(heading);
        }
        let hidden = categorical_row_hidden(row, rule, numbers.total);
        let mut cells: Vec<Vec<_>> = row
            .summaries
            .iter()
            .map(|summary| match hidden {
                true => vec![text(SUPPRESSED)],
                false => vec![text(summary_cell(context, row, summary))],
            })
            .collect();
        cells.push(vec![text(match row.test {
            Some(_) if hidden => SUPPRESSED.into(),
            Some(_) => p_value(row.p_value),
            None => MISSING.into(),
        })]);
        cells.push(vec![text(test_cell(row.test))]);
        table.row(
            &variable_label(row, context.cohort.protocol.fever_resolved_by_day),
            true,
            cells,
        );
    }
    let tests: Vec<String> = GroupTest::ALL
        .into_iter()
        .filter(|t| comparison.rows.iter().any(|r| r.test == Some(*t)))
        .map(|t| format!("{}: {}.", test_cell(Some(t)), capitalised(t.described())))
        .collect();
    table.notes.push(format!(
        "Numbers: median (IQR); categories: count/patients with a value (percent). Unknown values are counted beside the value and left out of the test. {}",
        tests.join(" ")
    ));
    if comparison.rows.iter().any(|r| r.test.is_none()) {
        table.notes.push(
            "No test (–) where a group has fewer than two patients with a value, where every value is the same, or with fewer than two groups; a p-value there would say nothing.".into(),
        );
    }
    if comparison.overlapping {
        table.notes.push("A patient with several triggers is counted in each of their groups; the tests use only the patients with exactly one trigger, so that the groups compared are independent.".into());
    }
    let ungrouped = comparison.ungrouped.count();
    if ungrouped == 1 && !numbers.suppressing() {
        table.notes.push(format!(
            "One patient of unknown {} is in no group.",
            comparison.by.label()
        ));
    } else if ungrouped > 0 {
        table.notes.push(format!(
            "{} patients of unknown {} are in no group.",
            numbers.partition_count(ungrouped, hidden.ungrouped),
            comparison.by.label()
        ));
    }
    if comparison.by == Grouping::EarlyAnakinra {
        table.notes.push(format!(
            "Early: Day 0 at most {} days after the diagnosis date.",
            context.cohort.protocol.early_anakinra_days
        ));
    }
    table
}

fn is_outcome(variable: Variable) -> bool {
    matches!(
        variable,
        Variable::Response
            | Variable::FeverResolved
            | Variable::Change(_)
            | Variable::DiscontinuedAdverseEvent
            | Variable::Death
    )
}

/// The test as a table names it beside the p-value ("none" without one; the footnote says why).
fn test_cell(test: Option<GroupTest>) -> &'static str {
    match test {
        Some(GroupTest::FisherExact) => "Fisher",
        Some(GroupTest::WilcoxonRankSum) => "Wilcoxon",
        Some(GroupTest::KruskalWallis) => "Kruskal–Wallis",
        None => "none",
    }
}

/// The row's label; `resolved_by` is the day fever resolution is judged by (`fever.resolved_by_day`).
fn variable_label(row: &ComparisonRow, resolved_by: i32) -> String {
    let unit = row
        .unit
        .map(|u| format!(", {}", hlh_model::units::printed(u)))
        .unwrap_or_default();
    match row.variable {
        Variable::Age => "Age, years".into(),
        Variable::Sex => "Men".into(),
        Variable::HScore => "HScore".into(),
        Variable::Hlh2004Met => "HLH-2004 met".into(),
        Variable::Trigger(trigger) => format!("Trigger: {}", trigger.label()),
        Variable::FirstLine => "First-line".into(),
        Variable::Monotherapy => "Monotherapy".into(),
        Variable::IcuBeforeDay0 => "Intensive care before Day 0".into(),
        Variable::DaysToIndex => "Days from diagnosis to Day 0".into(),
        Variable::Day0(analyte) => format!("Day-0 {}{unit}", analyte.label_in_sentence()),
        Variable::Response => "Response".into(),
        Variable::FeverResolved => {
            format!("Fever resolved by Day {resolved_by} (febrile at baseline)")
        }
        Variable::Change(analyte) => {
            format!(
                "Change of {}, Day 0 to Day 7{unit}",
                analyte.label_in_sentence()
            )
        }
        Variable::DiscontinuedAdverseEvent => "Stopped for an adverse event".into(),
        Variable::Death => "Died".into(),
    }
}

/// "median (Q1–Q3)" or "k/n (p%)" of the first level, with the unknowns beside; suppressed as every
/// count of the report.
fn summary_cell(context: &Context, row: &ComparisonRow, summary: &GroupSummary) -> String {
    let numbers = &context.numbers;
    let whole_numbers = matches!(
        row.variable,
        Variable::Age | Variable::HScore | Variable::DaysToIndex
    );
    let shown = match summary {
        GroupSummary::Continuous { summary, .. } => {
            if whole_numbers {
                numbers.median_iqr_whole(summary)
            } else {
                numbers.median_iqr(summary)
            }
        }
        GroupSummary::Categorical { n, levels, .. } => match levels.first() {
            // Printed as every share of the report, so suppression hides what would reveal a small
            // count, its complement in the group included.
            Some(LevelCount { count, .. }) if *n > 0 => numbers.share(&Proportion {
                count: *count as u64,
                n: *n as u64,
                proportion: Some(*count as f64 / *n as f64),
                ci95: None,
            }),
            _ => MISSING.into(),
        },
    };
    match summary.unknown() as u64 {
        0 => shown,
        unknown => format!("{shown}; unknown {}", numbers.count(unknown)),
    }
}

/// Overall survival from Day 0: deaths, median and the landmark survivals with their intervals.
pub fn survival_table(context: &Context) -> Table {
    let survival: &OverallSurvival = &context.cohort.outcomes.survival;
    let numbers = &context.numbers;
    let mut table = Table::new(
        "table-2f",
        "Table 2F. Overall survival from Day 0 (Kaplan–Meier)",
        &["Measure", "Value", "95% CI"],
    );
    table.row(
        "Deaths during follow-up",
        false,
        vec![
            vec![text(format!(
                "{}/{}",
                numbers.count(survival.deaths.count()),
                numbers.count(survival.n as u64)
            ))],
            vec![text(MISSING)],
        ],
    );
    let interval = |ci: [Option<f64>; 2], print: &dyn Fn(f64) -> String| match ci {
        [Some(lower), Some(upper)] => format!("{}–{}", print(lower), print(upper)),
        [Some(lower), None] => format!("{}–not reached", print(lower)),
        _ => MISSING.into(),
    };
    table.row(
        "Median survival, days",
        false,
        vec![
            vec![text(
                survival
                    .median
                    .map_or("not reached".into(), |m| whole(Some(m))),
            )],
            vec![text(interval(survival.ci95, &|d| whole(Some(d))))],
        ],
    );
    for landmark in &survival.landmarks {
        let hidden = landmark_hidden(survival, landmark, MinCell(numbers.min_cell));
        let (value, ci) = match landmark.survival {
            Some(s) if !hidden => (
                percent(s),
                interval(landmark.ci95, &|p| format!("{:.1}%", 100.0 * p)),
            ),
            Some(_) => (
                format!("n at risk {}", numbers.count(landmark.n_risk.unwrap_or(0))),
                MISSING.into(),
            ),
            None => ("not estimated".into(), MISSING.into()),
        };
        table.row(
            &format!("Alive at Day {}", landmark.day),
            false,
            vec![vec![text(value)], vec![text(ci)]],
        );
    }
    table.notes.push(format!(
        "Kaplan–Meier estimate from Day 0 over all {} analysed patients: a death recorded in events.csv is an event on its day; everyone else is censored at the last follow-up date or, without one, at their last dated record. Greenwood variance, {} interval. \"Not estimated\": after the last day any patient was followed.",
        numbers.count(survival.n as u64),
        survival.conf_type.name()
    ));
    table
}
