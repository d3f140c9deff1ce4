//! Table 1 (the patients and their treatment) and Table 2 (efficacy, Day 0 against Day 7, safety),
//! every number read from the analysis, counts linked to the patients the analysis counted.

use hlh_model::EventKind;
use hlh_outcomes::cohort::{MainOutcomes, Proportion, Share};
use hlh_outcomes::{DailyValue, Judgement, PatientEndpoints};

use crate::document::{linked, text, Inline, Table};
use crate::labels::capitalised;
use crate::numbers::{number, p_value, value, whole, Numbers, MISSING};
use crate::places::Rows;
use crate::Context;

/// A share printed by `print`, linked to the patients it counts, each with `detail`.
fn linked_share(
    context: &mut Context,
    title: &str,
    share: &Share,
    print: impl Fn(&Numbers, &Share) -> String,
    detail: impl Fn(&PatientEndpoints) -> String,
) -> Vec<Inline> {
    let members = context.members(&share.patients, detail);
    let target = context.sources.add(title.to_string(), share.count, members);
    vec![linked(print(&context.numbers, share), target)]
}

/// "k/n (p%)", linked.
fn share_cell(
    context: &mut Context,
    title: &str,
    share: &Share,
    detail: impl Fn(&PatientEndpoints) -> String,
) -> Vec<Inline> {
    linked_share(context, title, share, Numbers::share, detail)
}

/// "k (p%)" of all analysed patients, linked.
fn count_cell(
    context: &mut Context,
    title: &str,
    share: &Share,
    detail: impl Fn(&PatientEndpoints) -> String,
) -> Vec<Inline> {
    linked_share(context, title, share, Numbers::count_with_percent, detail)
}

/// "k (p%)" of a cell of a partition of the analysed patients, linked; `hidden` when the other cells
/// would reveal it.
fn partition_cell(
    context: &mut Context,
    title: &str,
    share: &Share,
    hidden: bool,
    detail: impl Fn(&PatientEndpoints) -> String,
) -> Vec<Inline> {
    linked_share(
        context,
        title,
        share,
        |numbers, share| numbers.partition_cell(share, hidden),
        detail,
    )
}

/// A plain count of patients, linked to them.
fn linked_count(
    context: &mut Context,
    title: String,
    patients: &[usize],
    detail: impl Fn(&PatientEndpoints) -> String,
) -> Vec<Inline> {
    let members = context.members(patients, detail);
    let count = patients.len() as u64;
    let target = context.sources.add(title, count, members);
    vec![linked(context.numbers.count(count), target)]
}

fn nothing(_: &PatientEndpoints) -> String {
    String::new()
}

fn source_line(rows: Rows, day: &DailyValue) -> String {
    format!(
        "{} (Day {}, {})",
        value(Some(day.value)),
        day.day,
        rows.one(day.source)
    )
}

/// Table 1: demographics, centres, triggers, diagnosis scores, baseline laboratory values, the index
/// drug and what was given with it.
pub fn table1(context: &mut Context) -> Table {
    let cohort = context.cohort;
    let mut table = Table::new(
        "table-1",
        &format!(
            "Table 1. Characteristics of the {} patients at the start of {}",
            context.numbers.count(cohort.n_patients as u64),
            cohort.protocol.index_drug
        ),
        &["Characteristic", "Value"],
    );
    demographics(context, &mut table);
    diagnosis_scores(context, &mut table);
    day0_labs(context, &mut table);
    index_drug(context, &mut table);
    concomitant(context, &mut table);
    table.notes.push(format!(
        "Percentages of the {} analysed patients. IQR: interquartile range (quantile type {} of Hyndman and Fan). Day-0 values: the worst value of the latest day with a result in the Day-0 window.",
        context.numbers.count(cohort.n_patients as u64),
        cohort.protocol.quantile_type.number()
    ));
    table
}

/// Age, sex, centres and triggers.
fn demographics(context: &mut Context, table: &mut Table) {
    let rows = context.rows();
    let baseline = &context.cohort.baseline;
    table.section("Demographics");
    let age = &baseline.age_years;
    table.row(
        "Age, years, median (IQR)",
        true,
        vec![vec![text(context.numbers.median_iqr_whole(age))]],
    );
    table.row(
        "Age, years, mean (SD)",
        true,
        vec![vec![text(context.numbers.mean_sd(age))]],
    );
    table.row(
        "Age, years, range",
        true,
        vec![vec![text(context.numbers.range_whole(age))]],
    );
    let sexes = &baseline.sex_shares;
    // "Sex not recorded" only when someone's sex is not recorded.
    let hidden = context.hidden.clone();
    for ((label, share, shown_when_zero), &hide) in [
        ("Men", &sexes.male, true),
        ("Women", &sexes.female, true),
        ("Sex not recorded", &sexes.unknown, false),
    ]
    .into_iter()
    .zip(&hidden.sex)
    {
        if share.count == 0 && !shown_when_zero {
            continue;
        }
        let cell = partition_cell(context, label, share, hide, nothing);
        table.row(label, true, vec![cell]);
    }
    table.section("Centre");
    for ((centre, share), &hide) in baseline.centres.iter().zip(&hidden.centres) {
        let cell = partition_cell(context, &format!("Centre {centre}"), share, hide, nothing);
        table.row(centre, true, vec![cell]);
    }
    let cell = count_cell(
        context,
        "In intensive care before Day 0",
        &baseline.icu_before_day0,
        |p| {
            event_rows_any_day(rows, p, EventKind::IcuAdmission)
                .into_iter()
                .filter(|(day, _)| *day < 0)
                .map(|(_, row)| row)
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    table.row("Admitted to intensive care before Day 0", true, vec![cell]);
    table.section("Trigger (a patient may have several)");
    for (trigger, share) in baseline.triggers.iter() {
        let cell = count_cell(context, trigger.label(), share, |p| {
            p.record.trigger_detail.clone().unwrap_or_default()
        });
        table.row(trigger.label(), true, vec![cell]);
    }
}

/// The HScore and HLH-2004 on the worst values around the diagnosis.
fn diagnosis_scores(context: &mut Context, table: &mut Table) {
    let baseline = &context.cohort.baseline;
    let protocol = &context.cohort.protocol;
    table.section("Diagnosis scores (worst values around the diagnosis)");
    table.row(
        "HScore, median (IQR)",
        true,
        vec![vec![text(
            context.numbers.median_iqr_whole(&baseline.hscore),
        )]],
    );
    let positive = &baseline.hscore_positive;
    let cutoff = positive.cutoff;
    let cell = count_cell(
        context,
        &format!("HScore ≥ {cutoff}"),
        &positive.positive,
        |p| format!("HScore {}", p.hscore.score),
    );
    table.row(
        &format!("HScore ≥ {cutoff} on the data given"),
        true,
        vec![cell],
    );
    if positive.undetermined.count > 0 {
        let cell = count_cell(
            context,
            &format!("HScore undetermined at {cutoff}"),
            &positive.undetermined,
            |p| format!("HScore {}–{}", p.hscore.min, p.hscore.max),
        );
        table.row(
            "HScore undetermined (unknown items decide)",
            true,
            vec![cell],
        );
    }
    let cell = count_cell(
        context,
        "HLH-2004 diagnosis met",
        &baseline.hlh2004_met,
        |p| format!("{} criteria met", p.hlh2004.met),
    );
    table.row(
        &format!(
            "HLH-2004 met (≥ {} of 8 criteria, or molecular)",
            protocol.hlh2004_required
        ),
        true,
        vec![cell],
    );
    // The verdict of the eight criteria alone: without a molecular test, which adults rarely have, the
    // verdict above can never be "not met", and its count reads as if the others had failed.
    let clinical = &baseline.hlh2004_clinical;
    let required = protocol.hlh2004_required;
    let evaluated = |p: &PatientEndpoints| {
        format!(
            "{} met of {} evaluated",
            p.hlh2004.met,
            p.hlh2004.evaluated()
        )
    };
    for ((title, share), hide) in [
        (
            format!("HLH-2004 clinical criteria: ≥ {required} of 8 met"),
            &clinical.met,
        ),
        (
            format!("HLH-2004 clinical criteria: fewer than {required} can be met"),
            &clinical.not_met,
        ),
        (
            "HLH-2004 clinical criteria: the unknown criteria decide".to_string(),
            &clinical.indeterminate,
        ),
    ]
    .into_iter()
    .zip(context.hidden.hlh2004_clinical.clone())
    {
        let cell = partition_cell(context, &title, share, hide, evaluated);
        table.row(&title, true, vec![cell]);
    }
    table.row(
        "HLH-2004 criteria evaluated (of 8), median (IQR)",
        true,
        vec![vec![text(
            context.numbers.median_iqr_whole(&clinical.evaluated),
        )]],
    );
}

/// The Day-0 value of every analyte with a result.
fn day0_labs(context: &mut Context, table: &mut Table) {
    let rows = context.rows();
    let labs = &context.cohort.baseline.labs_day0;
    table.section("Day-0 laboratory values, median (IQR) [n]");
    for (&analyte, lab) in labs.iter() {
        let count = lab.summary.n as u64;
        let members = context.members(&lab.patients, |p| {
            p.labs
                .get(&analyte)
                .and_then(|pair| pair.day0)
                .map_or_else(String::new, |day0| source_line(rows, &day0))
        });
        let target = context
            .sources
            .add(format!("Day-0 {}", analyte.label()), count, members);
        let label = format!(
            "{}, {}",
            analyte.label(),
            hlh_model::units::printed(lab.unit)
        );
        let text_value = format!(
            "{} [{}]",
            context.numbers.median_iqr(&lab.summary),
            context.numbers.count(count)
        );
        table.row(&label, true, vec![vec![linked(text_value, target)]]);
    }
}

/// The index drug: line, monotherapy, first dose, route, frequency, duration.
fn index_drug(context: &mut Context, table: &mut Table) {
    let rows = context.rows();
    let baseline = &context.cohort.baseline;
    let index = &baseline.index_drug;
    table.section(index.drug.label());
    let cell = count_cell(context, "First-line", &baseline.first_line, |p| {
        rows.treatments(&p.treatment_sources)
    });
    table.row("First-line", true, vec![cell]);
    let cell = count_cell(context, "Monotherapy", &baseline.monotherapy, |p| {
        rows.treatments(&p.treatment_sources)
    });
    table.row(
        "Monotherapy (no other HLH-directed drug during the course)",
        true,
        vec![cell],
    );
    table.row(
        "Days from diagnosis to Day 0, median (IQR)",
        true,
        vec![vec![text(
            context.numbers.median_iqr_whole(&baseline.days_to_index),
        )]],
    );
    let early_days = context.cohort.protocol.early_anakinra_days;
    let cell = count_cell(
        context,
        "Day 0 soon after the diagnosis",
        &baseline.early_anakinra,
        |p| format!("Day 0 {} days after the diagnosis", p.days_to_index),
    );
    table.row(
        &format!("Day 0 at most {early_days} days after the diagnosis"),
        true,
        vec![cell],
    );
    for (unit, summary) in index.first_dose.iter() {
        table.row(
            &format!("First dose, {unit}, median (IQR)"),
            true,
            vec![vec![text(format!(
                "{} [n {}]",
                context.numbers.median_iqr_whole(summary),
                context.numbers.count(summary.n as u64)
            ))]],
        );
    }
    let hidden = context.hidden.clone();
    for ((route, share), &hide) in index.route.iter().zip(&hidden.route) {
        let label = route.map_or("Not recorded", |r| r.label());
        let cell = partition_cell(context, &format!("Route {label}"), share, hide, |p| {
            rows.treatments(&p.treatment_sources)
        });
        table.row(
            &format!("Route: {}", label.to_lowercase()),
            true,
            vec![cell],
        );
    }
    for ((frequency, share), &hide) in index.frequency.iter().zip(&hidden.frequency) {
        let title = format!("Frequency {frequency}");
        let cell = partition_cell(context, &title, share, hide, |p| {
            rows.treatments(&p.treatment_sources)
        });
        table.row(
            &format!("Frequency of the first prescription: {frequency}"),
            true,
            vec![cell],
        );
    }
    let daily = &index.daily_dose;
    for (label, summary, whole_numbers) in [
        ("Starting daily dose, mg/day", &daily.first_mg_per_day, true),
        ("Highest daily dose, mg/day", &daily.max_mg_per_day, true),
        (
            "Highest daily dose, mg/kg/day",
            &daily.max_mg_per_kg_per_day,
            false,
        ),
    ] {
        if summary.n == 0 {
            continue;
        }
        table.row(
            &format!("{label}, median (IQR) [n]"),
            true,
            vec![vec![text(
                context.numbers.median_iqr_with_n(summary, whole_numbers),
            )]],
        );
    }
    if daily.escalated.n > 0 {
        let cell = count_cell(
            context,
            "Daily dose escalated during the course",
            &daily.escalated,
            |p| {
                p.course
                    .daily_dose
                    .max_mg_per_day
                    .map_or_else(String::new, |max| format!("up to {max} mg/day"))
            },
        );
        table.row(
            &format!(
                "Daily dose escalated during the course, of {}",
                context.numbers.count(daily.escalated.n)
            ),
            true,
            vec![cell],
        );
    }
    let duration = &index.duration_days;
    table.row(
        "Duration of the course, days, median (IQR) [n]",
        true,
        vec![vec![text(
            context.numbers.median_iqr_with_n(duration, true),
        )]],
    );
    if index.ongoing.count > 0 {
        let cell = count_cell(
            context,
            "Course ongoing at the end of the record",
            &index.ongoing,
            |p| rows.treatments(&p.treatment_sources),
        );
        table.row("Course ongoing at the end of the record", true, vec![cell]);
    }
}

/// What was given during the index course.
fn concomitant(context: &mut Context, table: &mut Table) {
    let concomitant = &context.cohort.baseline.concomitant;
    table.section(&format!(
        "Given during the {} course",
        context.cohort.protocol.index_drug
    ));
    let cell = count_cell(
        context,
        "Any corticosteroid",
        &concomitant.corticosteroids_any,
        nothing,
    );
    table.row("Any corticosteroid", true, vec![cell]);
    for (drug, share) in concomitant.drugs.iter() {
        let cell = count_cell(context, drug.label(), share, nothing);
        table.row(drug.label(), true, vec![cell]);
    }
}

/// Table 2, panel A: response and fever resolution.
pub fn table2_efficacy(context: &mut Context) -> Table {
    let rows = context.rows();
    let cohort = context.cohort;
    let outcomes = &cohort.outcomes;
    let protocol = &cohort.protocol;
    let day = protocol.response_day;
    let mut table = Table::new(
        "table-2a",
        "Table 2A. Efficacy",
        &["Outcome", "Value", "95% CI"],
    );
    let response = &outcomes.response;
    let cell = share_cell(context, "Responders", &response.responders, nothing);
    table.row(
        &format!(
            "Response ({}), responders / patients judged",
            protocol.response_source.name()
        ),
        false,
        vec![
            cell,
            vec![text(context.numbers.share_ci(&response.responders))],
        ],
    );
    if let Some(intention) = &outcomes.response_intention_to_treat {
        let cell = share_cell(
            context,
            "Responders, intention to treat",
            intention,
            nothing,
        );
        table.row(
            "Response, intention to treat (every patient; unknown counted as failure)",
            false,
            vec![cell, vec![text(context.numbers.share_ci(intention))]],
        );
    }
    let cell = linked_count(
        context,
        "Response unknown".into(),
        &response.unknown.patients,
        |p| {
            let items = &p.response_items;
            let open: Vec<&str> = [
                ("fever_resolved", items.fever_resolved),
                ("crp_decreased", items.crp_decreased),
                ("ferritin_decreased", items.ferritin_decreased),
            ]
            .into_iter()
            .filter(|(_, judgement)| *judgement == Judgement::NotJudgeable)
            .map(|(name, _)| name)
            .collect();
            format!("not judgeable: {}", open.join(", "))
        },
    );
    table.row(
        "Response unknown (left out of the denominator)",
        true,
        vec![cell, vec![text("")]],
    );

    let with_co_interventions = &outcomes.responders_with_co_interventions;
    let cell = share_cell(
        context,
        "Responders with a co-intervention",
        with_co_interventions,
        |p| {
            let drugs: Vec<String> = p
                .co_interventions
                .iter()
                .map(|t| {
                    format!(
                        "{} from Day {} ({})",
                        t.drug,
                        t.start_day,
                        rows.one(t.source)
                    )
                })
                .collect();
            drugs.join(", ")
        },
    );
    table.row(
        &format!(
            "Responders given an HLH- or disease-directed treatment newly started on Day 1 to Day {day} (co-interventions: {})",
            protocol.co_interventions.name()
        ),
        true,
        vec![cell, vec![text("")]],
    );
    let fever = &outcomes.fever_resolution;
    table.section("Fever");
    let cell = linked_count(
        context,
        "Febrile at baseline".into(),
        &fever.febrile_at_baseline.patients,
        nothing,
    );
    table.row("Febrile at baseline", true, vec![cell, vec![text("")]]);
    let by_day = protocol.fever_resolved_by_day;
    let resolved = &fever.resolved_by_day7_share;
    let members = context.members(&fever.resolved_by_day7.patients, |p| {
        p.fever_resolution_day
            .map_or_else(String::new, |d| format!("resolved on Day {d}"))
    });
    let target = context.sources.add(
        format!("Fever resolved by Day {by_day}"),
        fever.resolved_by_day7.count(),
        members,
    );
    table.row(
        &format!("Fever resolved by Day {by_day}, of the febrile"),
        true,
        vec![
            vec![linked(context.numbers.share(resolved), target)],
            vec![text(context.numbers.share_ci(resolved))],
        ],
    );
    let days = &fever.days;
    table.row(
        "Days to resolution among the resolved, median (IQR) [n]",
        true,
        vec![
            vec![text(context.numbers.median_iqr_with_n(days, true))],
            vec![text("")],
        ],
    );
    if fever.on_clock.count() > 0 {
        let hours = &fever.hours;
        table.row(
            "Hours from the first dose to resolution, judged on the clock, median (IQR) [n]",
            true,
            vec![
                vec![text(context.numbers.median_iqr_with_n(hours, true))],
                vec![text("")],
            ],
        );
    }
    let recurred_label = format!("Fever recorded again after resolution, by Day {by_day}");
    let cell = linked_count(
        context,
        recurred_label.clone(),
        &fever.recurred.patients,
        |p| {
            p.fever_resolution_day
                .map_or_else(String::new, |d| format!("resolved on Day {d}"))
        },
    );
    table.row(&recurred_label, true, vec![cell, vec![text("")]]);
    let km = &fever.km;
    let km_ci = match km.ci95 {
        [Some(lower), Some(upper)] => format!("{}–{}", whole(Some(lower)), whole(Some(upper))),
        [Some(lower), None] => format!("{}–not reached", whole(Some(lower))),
        _ => MISSING.into(),
    };
    let febrile = fever.febrile_at_baseline.count();
    table.row(
        "Days to resolution, Kaplan–Meier median among the febrile",
        true,
        vec![
            vec![text(
                if context.numbers.suppressing() && febrile < context.numbers.min_cell {
                    MISSING.into()
                } else {
                    whole(km.median)
                },
            )],
            vec![text(km_ci)],
        ],
    );
    let competing = fever.competing_death.incidence_by_day;
    table.row(
        &format!(
            "Fever resolved by Day {by_day}, cumulative incidence with death as a competing event"
        ),
        true,
        vec![
            vec![text(
                if context.numbers.suppressing() && febrile < context.numbers.min_cell {
                    MISSING.into()
                } else {
                    competing.map_or(MISSING.to_string(), crate::numbers::percent)
                },
            )],
            vec![text("")],
        ],
    );
    table.section("Other items of the response");
    let cell = linked_count(
        context,
        format!("Deaths by Day {day}"),
        &outcomes.deaths_by_response_day.patients,
        |p| {
            p.death_day
                .map_or_else(String::new, |d| format!("died on Day {d}"))
        },
    );
    table.row(
        &format!("Deaths by Day {day}"),
        true,
        vec![cell, vec![text("")]],
    );
    table.notes.push(format!(
        "Response: responders over patients whose response could be judged; Wilson interval unless the methods say otherwise. Fever resolution day counted from the first dose; the Kaplan–Meier median uses the {} interval.",
        protocol.km_conf_type.name()
    ));
    table
}

/// Table 2, panel D: the response under the protocol's definition and under the published definitions
/// of a fall of CRP and ferritin, so that a reader sees how much the headline depends on the definition.
pub fn table2_sensitivity(context: &mut Context) -> Table {
    let mut table = Table::new(
        "table-2d",
        "Table 2D. Response under other definitions",
        &["Definition", "Responders / patients judged", "95% CI"],
    );
    for row in &context.cohort.outcomes.response_sensitivity {
        let label = capitalised(&row.description);
        let cell = share_cell(
            context,
            &format!("Responders: {label}"),
            &row.responders,
            nothing,
        );
        table.row(
            &label,
            false,
            vec![cell, vec![text(context.numbers.share_ci(&row.responders))]],
        );
    }
    table.notes.push(
        "Items other than CRP and ferritin (fever, survival, no inefficacy stop or rescue) as in the protocol's definition. The case series is uncontrolled, and CRP also falls with IL-1 or IL-6 blockade itself.".into(),
    );
    table
}

/// Table 2, panel E (only with an inclusion by diagnosis): the main outcomes of the included patients
/// beside those of every exposed patient.
pub fn table2_inclusion(context: &mut Context) -> Option<Table> {
    let sensitivity = context.cohort.outcomes.inclusion_sensitivity.as_ref()?;
    let (with, without) = (&sensitivity.with_inclusion, &sensitivity.without_inclusion);
    let numbers = &context.numbers;
    let mut table = Table::new(
        "table-2e",
        "Table 2E. Main outcomes with and without the inclusion by diagnosis",
        &[
            "Outcome",
            &format!("Included (n = {})", numbers.count(with.n_patients as u64)),
            &format!(
                "Every exposed patient (n = {})",
                numbers.count(without.n_patients as u64)
            ),
        ],
    );
    let by_day = context.cohort.protocol.fever_resolved_by_day;
    for (label, of) in [
        (
            "Responded, of the patients judged".to_string(),
            (|m: &MainOutcomes| m.response) as fn(&MainOutcomes) -> Proportion,
        ),
        (
            format!("Fever resolved by Day {by_day}, of the febrile"),
            |m| m.fever_resolved_by_day,
        ),
        (
            format!(
                "{} stopped for an adverse event",
                context.cohort.protocol.index_drug.label()
            ),
            |m| m.discontinued_adverse_event,
        ),
    ] {
        let cell = |m: &MainOutcomes| {
            let share = of(m);
            format!("{} [{}]", numbers.share(&share), numbers.share_ci(&share))
        };
        table.row(
            &label,
            false,
            vec![vec![text(cell(with))], vec![text(cell(without))]],
        );
    }
    for (label, p) in [
        (
            "CRP, Day 0 against Day 7, p",
            (|m: &MainOutcomes| m.crp_p_value) as fn(&MainOutcomes) -> Option<f64>,
        ),
        ("Ferritin, Day 0 against Day 7, p", |m| m.ferritin_p_value),
    ] {
        table.row(
            label,
            false,
            vec![
                vec![text(p_value(p(with)))],
                vec![text(p_value(p(without)))],
            ],
        );
    }
    let rules: Vec<String> = context
        .cohort
        .inclusion_steps()
        .map(|step| {
            format!(
                "{} ({} excluded, {} of whom could have met it had their unknown items been known)",
                step.step,
                context.numbers.count(step.excluded as u64),
                context
                    .numbers
                    .count(step.reachable_through_unknown.unwrap_or(0) as u64)
            )
        })
        .collect();
    table.notes.push(format!(
        "Included: {}. Proportions with their {:.0}% confidence interval in brackets; p of the {} quoted in the summary.",
        rules.join("; "),
        context.cohort.protocol.confidence * 100.0,
        context.cohort.protocol.primary_paired_test.label()
    ));
    Some(table)
}

/// Table 2, panel B: Day 0 against Day 7 for each analyte, complete pairs only.
pub fn table2_labs(context: &mut Context) -> Table {
    let rows = context.rows();
    let cohort = context.cohort;
    let mut table = Table::new(
        "table-2b",
        "Table 2B. Laboratory values on Day 0 and Day 7 (complete pairs)",
        &[
            "Analyte",
            "Pairs",
            "Day 0, median (IQR)",
            "Day 7, median (IQR)",
            "Mean difference (95% CI)",
            "Hodges–Lehmann (95% CI)",
            "Day 7 / Day 0, geometric mean (95% CI)",
            "Median change",
            "Paired t p",
            "Log-ratio t p",
            "Wilcoxon p",
        ],
    );
    let mut missing_notes = Vec::new();
    let mut censored_notes = Vec::new();
    for (&analyte, lab) in cohort.outcomes.labs.iter() {
        let pairs = lab.n_pairs.count();
        let cell = linked_count(
            context,
            format!("{} pairs", analyte.label()),
            &lab.n_pairs.patients,
            |p| match p
                .labs
                .get(&analyte)
                .and_then(|pair| Some((pair.day0?, pair.day7?)))
            {
                Some((day0, day7)) => format!(
                    "Day 0: {}; Day 7: {}",
                    source_line(rows, &day0),
                    source_line(rows, &day7)
                ),
                None => String::new(),
            },
        );
        let hidden = pairs == 0 || context.numbers.is_small(pairs);
        let difference = &lab.difference;
        let stat = |text_value: String| {
            if hidden {
                MISSING.to_string()
            } else {
                text_value
            }
        };
        let ci = match difference.ci95 {
            Some([Some(lo), Some(hi)]) => format!(
                "{} ({} to {})",
                value(difference.mean),
                number(lo),
                number(hi)
            ),
            _ => value(difference.mean),
        };
        let hodges_lehmann = match difference.hodges_lehmann_ci95 {
            Some([Some(lo), Some(hi)]) => format!(
                "{} ({} to {})",
                value(difference.hodges_lehmann),
                number(lo),
                number(hi)
            ),
            _ => value(difference.hodges_lehmann),
        };
        let ratio = lab
            .ratio
            .map_or(MISSING.to_string(), |ratio| match ratio.ci95 {
                Some([Some(lo), Some(hi)]) => format!(
                    "{} ({} to {})",
                    value(ratio.geometric_mean_ratio),
                    number(lo),
                    number(hi)
                ),
                _ => value(ratio.geometric_mean_ratio),
            });
        let missing = &lab.missing;
        let lacking: Vec<String> = [
            (missing.no_day0.count(), "without a Day-0 value"),
            (missing.no_day7.count(), "without a Day-7 value"),
            (missing.neither.count(), "with neither"),
            (
                missing.after_rescue.count(),
                "left out for a Day-7 value drawn after a rescue drug started",
            ),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, why)| format!("{} {why}", context.numbers.count(count)))
        .collect();
        if !lacking.is_empty() {
            missing_notes.push(format!("{} {}", analyte.label(), lacking.join(", ")));
        }
        if lab.censored_pairs.count() > 0 {
            censored_notes.push(format!(
                "{} {}",
                analyte.label(),
                context.numbers.count(lab.censored_pairs.count())
            ));
        }
        let wilcoxon_p = match &lab.wilcoxon {
            Some(test) => format!(
                "{} ({})",
                p_value(Some(test.p_value).filter(|p| p.is_finite())),
                test.method.name()
            ),
            None => MISSING.into(),
        };
        table.row(
            &format!(
                "{}, {}",
                analyte.label(),
                hlh_model::units::printed(lab.unit)
            ),
            false,
            vec![
                cell,
                vec![text(stat(context.numbers.median_iqr(&lab.day0)))],
                vec![text(stat(context.numbers.median_iqr(&lab.day7)))],
                vec![text(stat(ci))],
                vec![text(stat(hodges_lehmann))],
                vec![text(stat(ratio))],
                vec![text(stat(
                    lab.median_percent_change
                        .map_or(MISSING.to_string(), |change| format!("{}%", number(change))),
                ))],
                vec![text(stat(p_value(
                    lab.paired_t
                        .and_then(|t| t.p_value)
                        .filter(|p| p.is_finite()),
                )))],
                vec![text(stat(p_value(lab.ratio.and_then(|r| r.p_value))))],
                vec![text(stat(wilcoxon_p))],
            ],
        );
    }
    table.notes.push(
        "Difference: Day 7 minus Day 0. Paired t-test, two-sided; Wilcoxon signed-rank test as R's wilcox.test(paired = TRUE) (exact without ties or zeros for fewer than 50 pairs, otherwise the normal approximation with continuity correction); Hodges–Lehmann: median of the Walsh averages of the non-zero differences, with R's interval. Geometric mean and log-ratio p: the paired t-test on the logarithms, for values that are all positive; skewed values such as ferritin are better compared on this scale. Median change: of each patient's (Day 7 − Day 0) / Day 0.".into(),
    );
    if !missing_notes.is_empty() {
        table.notes.push(format!(
            "Not in the pairs (of the analysed patients): {}.",
            missing_notes.join("; ")
        ));
    }
    if !censored_notes.is_empty() {
        table.notes.push(format!(
            "Pairs with a result written with a comparator (such as >40000), taken at its number: {}.",
            censored_notes.join("; ")
        ));
    }
    table
}

/// Table 2, panel C: safety.
pub fn table2_safety(context: &mut Context) -> Table {
    let rows = context.rows();
    let cohort = context.cohort;
    let outcomes = &cohort.outcomes;
    let safety = &outcomes.safety;
    let drug = cohort.protocol.index_drug;
    let mut table = Table::new(
        "table-2c",
        "Table 2C. Safety",
        &["Event", "Patients", "Events"],
    );
    let title = format!("{} stopped for an adverse event", drug.label());
    let cell = count_cell(context, &title, &outcomes.discontinued_adverse_event, |p| {
        let events: Vec<String> = p
            .events
            .iter()
            .filter(|e| e.drug == Some(drug) && e.led_to_discontinuation == Some(true))
            .map(|e| rows.one(e.source))
            .collect();
        if events.is_empty() {
            rows.treatments(&p.treatment_sources)
        } else {
            events.join(", ")
        }
    });
    table.row(&title, false, vec![cell, vec![text("")]]);
    for (part, kind, title) in [
        (
            &safety.adverse_events,
            EventKind::AdverseEvent,
            "Adverse events from Day 0",
        ),
        (
            &safety.infections,
            EventKind::Infection,
            "Infections from Day 0",
        ),
    ] {
        let title = &format!(
            "{title} to {} days after the last dose",
            cohort.protocol.safety_window
        );
        table.section(title);
        let cell = count_cell(
            context,
            &format!(
                "Patients with {}",
                title.to_lowercase().replace("day 0", "Day 0")
            ),
            &part.patients,
            |p| event_rows(rows, p, kind, None).join(", "),
        );
        table.row(
            "Any",
            true,
            vec![cell, vec![text(context.numbers.count(part.events as u64))]],
        );
        for entry in &part.by_type {
            let label = match entry.grade {
                Some(g) => format!("{}, grade {g}", capitalised(&entry.name)),
                None => format!("{}, grade not recorded", capitalised(&entry.name)),
            };
            let cell = linked_count(context, label.clone(), &entry.patients.patients, |p| {
                event_rows(rows, p, kind, Some((&entry.name, entry.grade))).join(", ")
            });
            table.row(
                &label,
                true,
                vec![cell, vec![text(context.numbers.count(entry.events as u64))]],
            );
        }
    }
    table.section("Course");
    let cell = count_cell(context, "ICU admission", &safety.icu_admission, |p| {
        event_rows_any_day(rows, p, EventKind::IcuAdmission)
            .into_iter()
            .filter(|(day, _)| *day >= 0)
            .map(|(_, row)| row)
            .collect::<Vec<_>>()
            .join(", ")
    });
    table.row(
        "ICU admission from Day 0 (an admission before is in Table 1)",
        true,
        vec![cell, vec![text("")]],
    );
    let cell = count_cell(context, "Deaths", &safety.deaths, |p| {
        event_rows_any_day(rows, p, EventKind::Death)
            .into_iter()
            .map(|(_, row)| row)
            .collect::<Vec<_>>()
            .join(", ")
    });
    table.row(
        "Deaths (any time of the record)",
        true,
        vec![cell, vec![text("")]],
    );
    let relapse = &outcomes.relapse_after_stop;
    let cell = count_cell(
        context,
        "Relapse after the last dose",
        &relapse.patients,
        |p| {
            event_rows_any_day(rows, p, EventKind::Relapse)
                .into_iter()
                .filter(|(day, _)| p.course.last_day.is_some_and(|last| *day > last))
                .map(|(_, row)| row)
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    table.row(
        &format!("Relapse after the last dose of {drug}, of the courses that ended"),
        true,
        vec![cell, vec![text("")]],
    );
    table.row(
        "Days from the last dose to the relapse, median (IQR)",
        true,
        vec![
            vec![text(
                context.numbers.median_iqr_whole(&relapse.days_after_stop),
            )],
            vec![text("")],
        ],
    );
    table.notes.push(format!(
        "Adverse events and infections are counted from Day 0 to {} days after the last dose of {drug} (to the end of the record while the course runs on), by type as recorded and CTCAE grade; a patient may count under several types.",
        cohort.protocol.safety_window
    ));
    table
}

/// "events.csv line L (Day d)" for each event of `kind` from Day 0 on, of one type and grade if given.
fn event_rows(
    rows: Rows,
    p: &PatientEndpoints,
    kind: EventKind,
    type_and_grade: Option<(&str, Option<u8>)>,
) -> Vec<String> {
    p.events
        .iter()
        .filter(|e| e.kind == kind && p.in_safety_window(e.day))
        .filter(|e| {
            type_and_grade.is_none_or(|(name, grade)| e.type_name() == name && e.grade == grade)
        })
        .map(|e| format!("{} (Day {})", rows.one(e.source), e.day))
        .collect()
}

/// Each event of `kind` at any time of the record, with its day and "events.csv line L (Day d)".
fn event_rows_any_day(rows: Rows, p: &PatientEndpoints, kind: EventKind) -> Vec<(i32, String)> {
    p.events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| (e.day, format!("{} (Day {})", rows.one(e.source), e.day)))
        .collect()
}
