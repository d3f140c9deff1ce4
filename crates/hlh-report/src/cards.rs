//! One card per patient: who they are, the HScore items with their points, the HLH-2004 checklist, the
//! Day-0 and Day-7 values, the endpoint verdicts — each with the rows of the study files behind it.

use hlh_model::{Drug, Origins, Sex};
use hlh_outcomes::{DailyValue, Judgement, PatientEndpoints};

use crate::document::{text, Block, Table};
use crate::labels;
use crate::numbers::{number, value, whole, MISSING};
use crate::places::Rows;

/// The anchor of a patient's card (by position: patient ids may hold any character).
pub fn card_id(patient: usize) -> String {
    format!("case-{}", patient + 1)
}

/// A verdict word as printed: `not_judgeable` → "not judgeable".
fn word(name: &str) -> String {
    name.replace('_', " ")
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.into()
}

fn known(value: Option<bool>) -> String {
    value.map_or("unknown".into(), yes_no)
}

fn day_or_none(day: Option<i32>) -> String {
    day.map_or("none".into(), |d| d.to_string())
}

fn judgement(judgement: Judgement) -> String {
    word(judgement.name())
}

pub fn card(index: usize, p: &PatientEndpoints, drug: Drug, origins: &Origins) -> Vec<Block> {
    let rows = Rows(origins);
    vec![
        Block::CardStart { id: card_id(index) },
        Block::Heading {
            level: 3,
            text: format!("Patient {}", p.patient_id),
            id: format!("{}-title", card_id(index)),
        },
        Block::Paragraph(vec![text(who(p, drug, rows))]),
        Block::Table(hscore_items(index, p, rows)),
        Block::Table(hlh2004_checklist(index, p)),
        Block::Table(day0_day7(index, p, rows)),
        Block::Table(endpoints(index, p, rows)),
        Block::CardEnd,
    ]
}

/// Age, sex, centre, triggers, diagnosis and Day 0, and the patient's row.
fn who(p: &PatientEndpoints, drug: Drug, rows: Rows) -> String {
    let record = &p.record;
    let triggers: Vec<&str> = record.triggers.iter().map(|t| t.label()).collect();
    format!(
        "{} years, {}, {}. Trigger: {}{}. Diagnosis {}; Day 0 ({drug} first given) {}. {}.",
        whole(Some(record.age_years)),
        match record.sex {
            Sex::Male => "man",
            Sex::Female => "woman",
            Sex::Unknown => "sex not recorded",
        },
        record.centre.as_deref().unwrap_or("centre not recorded"),
        if triggers.is_empty() {
            "not recorded".to_string()
        } else {
            triggers.join(", ")
        },
        record
            .trigger_detail
            .as_deref()
            .map_or(String::new(), |d| format!(" ({d})")),
        record.diagnosis_date,
        p.day0,
        rows.one(record.source),
    )
}

fn hscore_items(index: usize, p: &PatientEndpoints, rows: Rows) -> Table {
    let hscore = &p.hscore;
    let mut items = Table::new(
        &format!("{}-hscore", card_id(index)),
        &format!(
            "HScore {} (range {}–{} over the unknown items; probability {})",
            hscore.score, hscore.min, hscore.max, hscore.probability.text
        ),
        &["HScore item", "Points", "Status", "Rows"],
    );
    for item in &hscore.items {
        items.row(
            &labels::criterion(item.item.name()),
            false,
            vec![
                vec![text(if item.known {
                    item.points.to_string()
                } else {
                    format!("{} (up to {})", item.points, item.max_points)
                })],
                vec![text(if item.known { "known" } else { "unknown" })],
                vec![text(rows.grouped(&item.sources))],
            ],
        );
    }
    items
}

fn hlh2004_checklist(index: usize, p: &PatientEndpoints) -> Table {
    let hlh2004 = &p.hlh2004;
    let mut checklist = Table::new(
        &format!("{}-hlh2004", card_id(index)),
        &format!(
            "HLH-2004: {} ({} met, {} not met, {} unknown); the eight criteria alone: {}",
            word(hlh2004.diagnosis.name()),
            hlh2004.met,
            hlh2004.not_met,
            hlh2004.unknown,
            word(hlh2004.clinical_diagnosis.name())
        ),
        &["HLH-2004 criterion", "Status"],
    );
    for criterion in &hlh2004.criteria {
        checklist.row(
            &labels::criterion(criterion.criterion),
            false,
            vec![vec![text(word(criterion.status.name()))]],
        );
    }
    checklist.notes.push(format!(
        "Optimised HLH inflammatory index ({}): {}.",
        hlh_criteria::ohi::DERIVED_IN,
        p.ohi.result_name()
    ));
    if let Some(mas2016) = &p.mas2016 {
        checklist
            .notes
            .push(format!("MAS-2016 (sJIA): {}.", word(mas2016.status.name())));
    }
    checklist
}

fn day0_day7(index: usize, p: &PatientEndpoints, rows: Rows) -> Table {
    let mut labs = Table::new(
        &format!("{}-labs", card_id(index)),
        "Day-0 and Day-7 values",
        &[
            "Analyte",
            "Day 0",
            "Day 7",
            "Change",
            if rows.0.is_empty() {
                "Rows (observations.csv)"
            } else {
                "Source"
            },
        ],
    );
    let shown = |day: Option<DailyValue>| {
        day.map_or(MISSING.to_string(), |d| {
            format!("{} (Day {})", value(Some(d.value)), d.day)
        })
    };
    for (analyte, pair) in &p.labs {
        let rows: Vec<String> = [pair.day0, pair.day7]
            .into_iter()
            .flatten()
            .map(|d| rows.line(d.source))
            .collect();
        labs.row(
            analyte.label(),
            false,
            vec![
                vec![text(shown(pair.day0))],
                vec![text(shown(pair.day7))],
                vec![text(
                    pair.percent_change()
                        .map_or(MISSING.to_string(), |change| format!("{}%", number(change))),
                )],
                vec![text(rows.join(", "))],
            ],
        );
    }
    labs
}

fn endpoints(index: usize, p: &PatientEndpoints, rows: Rows) -> Table {
    let items = &p.response_items;
    let mut endpoints = Table::new(
        &format!("{}-endpoints", card_id(index)),
        "Endpoints",
        &["Endpoint", "Verdict"],
    );
    for (label, shown) in [
        ("First-line", yes_no(p.first_line)),
        ("Monotherapy", yes_no(p.monotherapy)),
        ("Febrile at baseline", known(p.febrile_at_baseline)),
        (
            "Fever-resolution day",
            match p.fever_resolution_hours {
                Some(hours) => format!(
                    "{} ({hours:.1} hours after the first dose)",
                    day_or_none(p.fever_resolution_day),
                ),
                None => day_or_none(p.fever_resolution_day),
            },
        ),
        (
            "Fever recorded again after resolution",
            p.fever_recurred.map_or("not applicable".into(), yes_no),
        ),
        (
            "Response item: fever resolved",
            judgement(items.fever_resolved),
        ),
        (
            "Response item: CRP decreased",
            judgement(items.crp_decreased),
        ),
        (
            "Response item: ferritin decreased",
            judgement(items.ferritin_decreased),
        ),
        ("Response item: alive", judgement(items.alive)),
        (
            "Response item: no inefficacy stop or rescue",
            judgement(items.no_inefficacy_or_rescue),
        ),
        ("Response", known(p.response)),
        (
            "Stopped for an adverse event",
            yes_no(p.discontinued_adverse_event),
        ),
        ("Day of death", day_or_none(p.death_day)),
    ] {
        endpoints.row(label, false, vec![vec![text(shown)]]);
    }
    if !p.co_interventions.is_empty() {
        let listed: Vec<String> = p
            .co_interventions
            .iter()
            .map(|t| format!("{} from Day {}", t.drug, t.start_day))
            .collect();
        endpoints
            .notes
            .push(format!("Co-interventions: {}.", listed.join(", ")));
    }
    endpoints
        .notes
        .push(rows.treatments_sentence(&p.treatment_sources));
    let events: Vec<String> = p
        .events
        .iter()
        .map(|e| {
            let detail = e
                .detail
                .as_deref()
                .map_or(String::new(), |d| format!(" ({d})"));
            format!(
                "{} on Day {}{detail}, {}",
                e.kind.label(),
                e.day,
                rows.line(e.source)
            )
        })
        .collect();
    if !events.is_empty() {
        endpoints
            .notes
            .push(format!("events.csv: {}.", events.join("; ")));
    }
    endpoints
}
