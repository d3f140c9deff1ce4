//! One card per patient: who they are, the HScore items with their points, the HLH-2004 checklist, the
//! Day-0 and Day-7 values, the endpoint verdicts — each with the rows of the study files behind it.

use serde_json::Value;

use crate::document::{text, Block, Table};
use crate::labels;
use crate::numbers::{value, whole, MISSING};

/// The anchor of a patient's card (by position: patient ids may hold any character).
pub fn card_id(patient: usize) -> String {
    format!("case-{}", patient + 1)
}

fn lines(list: &Value) -> String {
    let lines: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| l.to_string())
        .collect();
    if lines.is_empty() {
        MISSING.into()
    } else {
        lines.join(", ")
    }
}

fn verdict(value: &Value) -> String {
    match value {
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Null => "unknown".into(),
        Value::String(s) => s.replace('_', " "),
        other => other.to_string(),
    }
}

/// Source rows `[{file, line}]` as "observations.csv lines 37, 38, 39; patients.csv line 2".
fn grouped_lines(sources: &Value) -> String {
    let mut by_file: Vec<(&str, Vec<u64>)> = Vec::new();
    for source in sources.as_array().into_iter().flatten() {
        let file = source["file"].as_str().unwrap_or("");
        let line = source["line"].as_u64().unwrap_or(0);
        match by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, lines)) => lines.push(line),
            None => by_file.push((file, vec![line])),
        }
    }
    if by_file.is_empty() {
        return MISSING.into();
    }
    by_file
        .into_iter()
        .map(|(file, mut lines)| {
            lines.sort_unstable();
            let list: Vec<String> = lines.iter().map(u64::to_string).collect();
            format!(
                "{file} line{} {}",
                if lines.len() > 1 { "s" } else { "" },
                list.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn card(index: usize, p: &Value, drug: &str) -> Vec<Block> {
    let id = p["patient_id"].as_str().unwrap_or_default();
    let demographics = &p["demographics"];
    let triggers: Vec<String> = demographics["triggers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(labels::trigger))
        .collect();
    let mut blocks = vec![
        Block::CardStart { id: card_id(index) },
        Block::Heading { level: 3, text: format!("Patient {id}"), id: format!("{}-title", card_id(index)) },
        Block::Paragraph(vec![text(format!(
            "{} years, {}, {}. Trigger: {}{}. Diagnosis {}; Day 0 ({} first given) {}. patients.csv line {}.",
            whole(&demographics["age_years"]),
            match demographics["sex"].as_str() {
                Some("M") => "man",
                Some("F") => "woman",
                _ => "sex not recorded",
            },
            demographics["centre"].as_str().unwrap_or("centre not recorded"),
            if triggers.is_empty() { "not recorded".to_string() } else { triggers.join(", ") },
            demographics["trigger_detail"].as_str().map_or(String::new(), |d| format!(" ({d})")),
            demographics["diagnosis_date"].as_str().unwrap_or(MISSING),
            drug,
            p["day0"].as_str().unwrap_or(MISSING),
            demographics["source_line"],
        ))]),
    ];

    let hscore = &p["hscore"];
    let mut items = Table::new(
        &format!("{}-hscore", card_id(index)),
        &format!(
            "HScore {} (range {}–{} over the unknown items; probability {})",
            hscore["score"],
            hscore["min"],
            hscore["max"],
            hscore["probability"].as_str().unwrap_or(MISSING)
        ),
        &["HScore item", "Points", "Status", "Rows"],
    );
    for item in hscore["items"].as_array().into_iter().flatten() {
        let rows = grouped_lines(&item["source_lines"]);
        items.row(
            &labels::criterion(item["item"].as_str().unwrap_or("")),
            false,
            vec![
                vec![text(if item["status"] == "unknown" {
                    format!("{} (up to {})", item["points"], item["max_points"])
                } else {
                    item["points"].to_string()
                })],
                vec![text(verdict(&item["status"]))],
                vec![text(rows)],
            ],
        );
    }
    blocks.push(Block::Table(items));

    let hlh2004 = &p["hlh2004"];
    let mut checklist = Table::new(
        &format!("{}-hlh2004", card_id(index)),
        &format!(
            "HLH-2004: {} ({} met, {} not met, {} unknown)",
            verdict(&hlh2004["diagnosis"]),
            hlh2004["met"],
            hlh2004["not_met"],
            hlh2004["unknown"]
        ),
        &["HLH-2004 criterion", "Status"],
    );
    for criterion in hlh2004["criteria"].as_array().into_iter().flatten() {
        checklist.row(
            &labels::criterion(criterion["criterion"].as_str().unwrap_or("")),
            false,
            vec![vec![text(verdict(&criterion["status"]))]],
        );
    }
    let ohi = &p["ohi"];
    checklist.notes.push(format!(
        "Optimised HLH inflammatory index: {}.",
        verdict(&ohi["status"])
    ));
    if !p["mas2016"].is_null() {
        checklist.notes.push(format!(
            "MAS-2016 (sJIA): {}.",
            verdict(&p["mas2016"]["status"])
        ));
    }
    blocks.push(Block::Table(checklist));

    let mut labs = Table::new(
        &format!("{}-labs", card_id(index)),
        "Day-0 and Day-7 values",
        &["Analyte", "Day 0", "Day 7", "Rows (observations.csv)"],
    );
    if let Some(values) = p["labs"].as_object() {
        for (analyte, pair) in values {
            let shown = |day: &Value| {
                if day.is_null() {
                    MISSING.to_string()
                } else {
                    format!("{} (Day {})", value(&day["value"]), day["day"])
                }
            };
            let rows: Vec<String> = [&pair["day0"], &pair["day7"]]
                .into_iter()
                .filter(|d| !d.is_null())
                .map(|d| format!("line {}", d["source_line"]))
                .collect();
            labs.row(
                &labels::analyte(analyte),
                false,
                vec![
                    vec![text(shown(&pair["day0"]))],
                    vec![text(shown(&pair["day7"]))],
                    vec![text(rows.join(", "))],
                ],
            );
        }
    }
    blocks.push(Block::Table(labs));

    let items = &p["response_items"];
    let mut endpoints = Table::new(
        &format!("{}-endpoints", card_id(index)),
        "Endpoints",
        &["Endpoint", "Verdict"],
    );
    for (label, field) in [
        ("First-line", &p["first_line"]),
        ("Monotherapy", &p["monotherapy"]),
        ("Febrile at baseline", &p["febrile_at_baseline"]),
        ("Fever-resolution day", &p["fever_resolution_day"]),
        ("Response item: fever resolved", &items["fever_resolved"]),
        ("Response item: CRP decreased", &items["crp_decreased"]),
        (
            "Response item: ferritin decreased",
            &items["ferritin_decreased"],
        ),
        ("Response item: alive", &items["alive"]),
        (
            "Response item: no inefficacy stop or rescue",
            &items["no_inefficacy_or_rescue"],
        ),
        ("Response", &p["response"]),
        (
            "Stopped for an adverse event",
            &p["discontinued_adverse_event"],
        ),
        ("Day of death", &p["death_day"]),
    ] {
        let shown = match (label, field) {
            ("Fever-resolution day" | "Day of death", Value::Null) => "none".to_string(),
            (_, v) => verdict(v),
        };
        endpoints.row(label, false, vec![vec![text(shown)]]);
    }
    endpoints.notes.push(format!(
        "treatments.csv lines {}.",
        lines(&p["treatment_source_lines"])
    ));
    let events: Vec<String> = p["timeline"]["events"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let detail = e["detail"]
                .as_str()
                .map_or(String::new(), |d| format!(" ({d})"));
            format!(
                "{} on Day {}{detail}, line {}",
                labels::event(e["event"].as_str().unwrap_or("")),
                e["day"],
                e["source_line"]
            )
        })
        .collect();
    if !events.is_empty() {
        endpoints
            .notes
            .push(format!("events.csv: {}.", events.join("; ")));
    }
    blocks.push(Block::Table(endpoints));
    blocks.push(Block::CardEnd);
    blocks
}
