//! A found cohort as the files of a study folder (docs/study-format.md), with `attrition.csv`, `dropped.csv`
//! and `provenance.csv` beside them. The command line writes them (whole, renamed into place).

use std::fmt::Write as _;

use crate::find::Cohort;

/// A number as the study format reads it: the shortest text that reads back as the same value.
fn number(value: f64) -> String {
    format!("{value}")
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
pub(crate) fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The files of the study folder, by name.
pub fn study_files(cohort: &Cohort, title: &str) -> Vec<(&'static str, String)> {
    let mut patients =
        String::from("patient_id,sex,birth_year,diagnosis_date,splenomegaly,inclusion\n");
    let mut provenance = String::from("file,patient_id,source_table,source_id\n");
    for p in &cohort.persons {
        let _ = writeln!(
            patients,
            "{},{},{},{},{},{}",
            p.person_id,
            p.sex,
            p.year_of_birth,
            p.diagnosis_date,
            if p.splenomegaly { "yes" } else { "" },
            p.inclusion.name()
        );
        let _ = writeln!(provenance, "patients.csv,{0},person,{0}", p.person_id);
    }
    let mut observations = String::from("patient_id,time,analyte,value,unit\n");
    for o in &cohort.observations {
        let _ = writeln!(
            observations,
            "{},{},{},{},{}",
            o.person_id,
            o.date,
            o.analyte.name(),
            number(o.value),
            o.analyte.canonical_unit()
        );
        let _ = writeln!(
            provenance,
            "observations.csv,{},measurement,{}",
            o.person_id, o.measurement_id
        );
    }
    let mut treatments = String::from("patient_id,drug,start,end\n");
    for t in &cohort.treatments {
        let end = t.end.map_or(String::new(), |d| d.to_string());
        let _ = writeln!(treatments, "{},{},{},{end}", t.person_id, t.drug, t.start);
        let _ = writeln!(
            provenance,
            "treatments.csv,{},drug_exposure,{}",
            t.person_id, t.drug_exposure_id
        );
    }
    let mut events = String::from("patient_id,time,event\n");
    for (person, date) in &cohort.deaths {
        let _ = writeln!(events, "{person},{date},death");
        let _ = writeln!(provenance, "events.csv,{person},death,{person}");
    }
    let mut attrition = String::from("step,description,persons,excluded,reason\n");
    for step in &cohort.attrition {
        let _ = writeln!(
            attrition,
            "{},{},{},{},{}",
            step.step,
            field(&step.description),
            step.persons,
            step.excluded,
            field(&step.reason)
        );
    }
    let mut dropped = String::from("reason,rows\n");
    for (reason, rows) in &cohort.dropped {
        let _ = writeln!(dropped, "{},{rows}", field(reason));
    }
    let study_toml = format!("title = {}\n", toml_string(title));
    vec![
        ("patients.csv", patients),
        ("observations.csv", observations),
        ("treatments.csv", treatments),
        ("events.csv", events),
        ("study.toml", study_toml),
        ("attrition.csv", attrition),
        ("dropped.csv", dropped),
        ("provenance.csv", provenance),
    ]
}

fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
