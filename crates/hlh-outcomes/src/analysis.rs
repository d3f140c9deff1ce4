//! The cohort: attrition, baseline, outcomes with their statistics, and the patients, as JSON.

use std::collections::BTreeSet;

use hlh_criteria::hlh2004::Diagnosis;
use hlh_model::{parallel, Analyte, Drug, EventKind, PatientIndex, Sex, Study, Trigger};
use hlh_stats::proportion::proportion;
use hlh_stats::survival::KmRow;
use hlh_stats::{Pairs, Sample, SurvivalData};
use serde_json::{json, Map, Value};

use crate::endpoints::{
    day0, endpoints, PatientEndpoints, PatientRows, TRAJECTORY_ANALYTES, TRAJECTORY_DAYS,
};
use crate::protocol::Protocol;
use crate::summary_text::summary_text;

/// The schema of the analysis JSON.
pub const SCHEMA: &str = "hlhkit.analysis/1";

/// An analysis: the cohort part of the JSON, the endpoints behind the `patients` part, and the
/// abstract-style summary.
///
/// The `patients` array is not held as JSON: for a warehouse-sized cohort it would take gigabytes, so
/// [`Analysis::write_json`] writes it patient by patient.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Every field of the contract but `patients`.
    pub json: Value,
    pub patients: Vec<PatientEndpoints>,
    pub summary: String,
    protocol: Protocol,
}

impl Analysis {
    /// The JSON of one patient, as in the `patients` array.
    pub fn patient_json(&self, patient: &PatientEndpoints) -> Value {
        patient_json(patient, &self.protocol)
    }

    /// Writes the whole analysis JSON (pretty-printed, `patients` last), streaming the patients so that
    /// memory stays bounded by one patient's JSON.
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let cohort = serde_json::to_string_pretty(&self.json)?;
        // The cohort object without its closing brace, then the patients array, then the brace.
        let open = cohort.strip_suffix('}').unwrap_or(&cohort).trim_end();
        write!(out, "{open},\n  \"patients\": [")?;
        for (i, patient) in self.patients.iter().enumerate() {
            let text = serde_json::to_string_pretty(&self.patient_json(patient))?;
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            for (j, line) in text.lines().enumerate() {
                if j > 0 {
                    out.write_all(b"\n")?;
                }
                write!(out, "    {line}")?;
            }
        }
        out.write_all(b"\n  ]\n}\n")
    }

    /// The whole analysis JSON as a string (see [`Analysis::write_json`]).
    pub fn json_string(&self) -> String {
        let mut bytes = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = self.write_json(&mut bytes);
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// Why there is no analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalysisError {
    /// The study has no patient exposed to the index drug (or no patient at all).
    NoPatients,
}

impl std::fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnalysisError::NoPatients => f.write_str("no patients to analyse"),
        }
    }
}

impl std::error::Error for AnalysisError {}

pub(crate) fn number(value: f64) -> Value {
    if value.is_finite() {
        json!(value)
    } else {
        Value::Null
    }
}

fn optional(value: Option<f64>) -> Value {
    value.map_or(Value::Null, number)
}

/// {n, mean, sd, median, q1, q3, min, max}; every statistic null for no values.
fn summary(values: &[f64], protocol: &Protocol) -> Value {
    match Sample::new(values) {
        Ok(sample) => {
            let s = sample.summary(protocol.quantile_type);
            json!({
                "n": s.n, "mean": number(s.mean), "sd": optional(s.sd), "median": number(s.median),
                "q1": number(s.q1), "q3": number(s.q3), "min": number(s.min), "max": number(s.max),
            })
        }
        Err(_) => {
            json!({"n": 0, "mean": null, "sd": null, "median": null, "q1": null, "q3": null, "min": null, "max": null})
        }
    }
}

/// {count, n, proportion, ci95}; proportion and interval null for n = 0.
fn share(count: usize, n: usize, protocol: &Protocol) -> Value {
    match proportion(
        count as u64,
        n as u64,
        protocol.proportion_ci,
        protocol.confidence,
    ) {
        Ok(p) => {
            json!({"count": count, "n": n, "proportion": number(p.proportion), "ci95": [number(p.ci.0), number(p.ci.1)]})
        }
        Err(_) => json!({"count": count, "n": n, "proportion": null, "ci95": null}),
    }
}

/// Runs the analysis of a validated study under a protocol.
pub fn analyze(study: &Study, protocol: &Protocol) -> Result<Analysis, AnalysisError> {
    let rows = PatientRows::of(study);
    let mut patients = Vec::with_capacity(study.patients.len());
    let mut never_exposed = Vec::new();
    for (index, derived) in derive_all(study, &rows, protocol).into_iter().enumerate() {
        match derived {
            Some(endpoints) => patients.push(endpoints),
            None => never_exposed.push(study.patients[index].id.clone()),
        }
    }
    if patients.is_empty() {
        return Err(AnalysisError::NoPatients);
    }
    let n = patients.len();
    let attrition = json!([
        {"step": "patients in the study", "remaining": study.patients.len(), "excluded": 0, "reason": null},
        {
            "step": format!("exposed to {}", protocol.index_drug.name()),
            "remaining": n,
            "excluded": never_exposed.len(),
            "reason": format!("never received {}", protocol.index_drug.name()),
            "excluded_patients": never_exposed,
        },
    ]);

    // The analytes with any result, in analyte order: one flag per analyte, as millions of rows are read.
    let mut seen = [false; Analyte::ALL.len()];
    for observation in &study.observations {
        seen[observation.quantity.analyte() as usize] = true;
    }
    let observed: Vec<Analyte> = Analyte::ALL
        .iter()
        .copied()
        .filter(|&analyte| seen[analyte as usize])
        .collect();
    let ages: Vec<f64> = patients.iter().map(|p| p.record.age_years).collect();
    let sex_count = |sex| patients.iter().filter(|p| p.record.sex == sex).count();
    let hscores: Vec<f64> = patients.iter().map(|p| f64::from(p.hscore.score)).collect();
    let hlh2004_met = patients
        .iter()
        .filter(|p| p.hlh2004.diagnosis == Diagnosis::Met)
        .count();
    let baseline = json!({
        "age_years": summary(&ages, protocol),
        "sex": {"M": sex_count(Sex::Male), "F": sex_count(Sex::Female), "U": sex_count(Sex::Unknown)},
        "sex_shares": {
            "M": share(sex_count(Sex::Male), n, protocol),
            "F": share(sex_count(Sex::Female), n, protocol),
            "U": share(sex_count(Sex::Unknown), n, protocol),
        },
        "first_line": share(patients.iter().filter(|p| p.first_line).count(), n, protocol),
        "monotherapy": share(patients.iter().filter(|p| p.monotherapy).count(), n, protocol),
        "hscore": summary(&hscores, protocol),
        "hlh2004_met": share(hlh2004_met, n, protocol),
        "hscore_positive": {
            "positive": share(patients.iter().filter(|p| p.hscore.positive == Some(true)).count(), n, protocol),
            "undetermined": share(patients.iter().filter(|p| p.hscore.positive.is_none()).count(), n, protocol),
            "cutoff": protocol.hscore_cutoff,
        },
        "centres": centre_counts(&patients, protocol),
        "triggers": Trigger::ALL.iter().map(|&trigger| {
            let count = patients.iter().filter(|p| p.record.triggers.contains(&trigger)).count();
            (trigger.name().to_string(), share(count, n, protocol))
        }).collect::<Map<_, _>>(),
        "labs_day0": observed.iter().map(|&analyte| {
            let values: Vec<f64> = patients.iter()
                .filter_map(|p| p.labs.get(&analyte)?.day0.map(|d| d.value))
                .collect();
            (analyte.name().to_string(), json!({"unit": analyte.canonical_unit(), "summary": summary(&values, protocol)}))
        }).collect::<Map<_, _>>(),
        "index_drug": index_drug(&patients, protocol),
        "concomitant": concomitant(&patients, protocol),
    });

    let responders = patients.iter().filter(|p| p.response == Some(true)).count();
    let judged = patients.iter().filter(|p| p.response.is_some()).count();
    let mut response = share(responders, judged, protocol);
    response["unknown"] = json!(n - judged);

    let febrile: Vec<&PatientEndpoints> = patients
        .iter()
        .filter(|p| p.febrile_at_baseline == Some(true))
        .collect();
    let resolved_by_day7 = febrile
        .iter()
        .filter(|p| {
            p.fever_resolution_day
                .is_some_and(|d| d <= protocol.fever_resolved_by_day)
        })
        .count();
    let resolution_days: Vec<f64> = febrile
        .iter()
        .filter_map(|p| p.fever_resolution_day)
        .map(f64::from)
        .collect();
    let fever_resolution = json!({
        "febrile_at_baseline": febrile.len(),
        "resolved_by_day7": resolved_by_day7,
        "resolved_by_day7_share": share(resolved_by_day7, febrile.len(), protocol),
        "days": summary(&resolution_days, protocol),
        "km": kaplan_meier(&febrile, protocol),
    });

    // The analytes are independent: a large cohort compares them across the cores.
    let threads = if n < MIN_PATIENTS_PER_THREAD {
        1
    } else {
        parallel::cores().min(observed.len()).max(1)
    };
    let compared = parallel::in_parts(threads, |part| {
        observed
            .iter()
            .skip(part)
            .step_by(threads)
            .map(|&analyte| (analyte, lab_comparison(analyte, &patients, protocol)))
            .collect::<Vec<_>>()
    });
    let mut compared: Vec<(Analyte, Value)> = compared.into_iter().flatten().collect();
    compared.sort_by_key(|(analyte, _)| *analyte);
    let labs: Map<String, Value> = compared
        .into_iter()
        .map(|(analyte, comparison)| (analyte.name().to_string(), comparison))
        .collect();
    let discontinued = patients
        .iter()
        .filter(|p| p.discontinued_adverse_event)
        .count();
    let outcomes = json!({
        "response": response,
        "fever_resolution": fever_resolution,
        "labs": labs,
        "discontinued_adverse_event": share(discontinued, n, protocol),
        "deaths_by_response_day": patients.iter().filter(|p| p.death_day.is_some_and(|d| d <= protocol.response_day)).count(),
        "safety": safety(&patients, protocol),
        "trajectories": trajectories(&patients, protocol),
    });

    let json = json!({
        "schema": SCHEMA,
        "hlhkit_version": env!("CARGO_PKG_VERSION"),
        "study": {"title": study.title, "centres": study.centres},
        "protocol": protocol.to_json(),
        "attrition": attrition,
        "n_patients": n,
        "baseline": baseline,
        "outcomes": outcomes,
    });
    let summary = summary_text(&json, protocol);
    Ok(Analysis {
        json,
        patients,
        protocol: protocol.clone(),
        summary,
    })
}

/// Patients per centre, by name; a patient without a centre counts under "unknown".
fn centre_counts(patients: &[PatientEndpoints], protocol: &Protocol) -> Map<String, Value> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for p in patients {
        *counts
            .entry(p.record.centre.as_deref().unwrap_or("unknown"))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(centre, count)| (centre.to_string(), share(count, patients.len(), protocol)))
        .collect()
}

/// The index-drug course: first dose by unit, route, frequency and duration (Day 0 through the last
/// administration, in days, for courses that ended).
fn index_drug(patients: &[PatientEndpoints], protocol: &Protocol) -> Value {
    let mut doses: std::collections::BTreeMap<&str, Vec<f64>> = std::collections::BTreeMap::new();
    let mut routes: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut frequencies: std::collections::BTreeMap<&str, usize> =
        std::collections::BTreeMap::new();
    for p in patients {
        if let (Some(dose), Some(unit)) = (p.course.first_dose, p.course.dose_unit) {
            doses.entry(unit.name()).or_default().push(dose);
        }
        *routes
            .entry(p.course.route.map_or("unknown", |r| r.name()))
            .or_default() += 1;
        *frequencies
            .entry(p.course.frequency.as_deref().unwrap_or("unknown"))
            .or_default() += 1;
    }
    let durations: Vec<f64> = patients
        .iter()
        .filter_map(|p| p.course.last_day)
        .map(|last| f64::from(last + 1))
        .collect();
    json!({
        "drug": protocol.index_drug.name(),
        "first_dose": doses.iter().map(|(unit, values)| (unit.to_string(), summary(values, protocol))).collect::<Map<_, _>>(),
        "first_dose_unknown": patients.iter().filter(|p| p.course.first_dose.is_none() || p.course.dose_unit.is_none()).count(),
        "route": routes.iter().map(|(route, &count)| (route.to_string(), share(count, patients.len(), protocol))).collect::<Map<_, _>>(),
        "frequency": frequencies.iter().map(|(frequency, &count)| (frequency.to_string(), share(count, patients.len(), protocol))).collect::<Map<_, _>>(),
        "duration_days": summary(&durations, protocol),
        "ongoing": share(patients.iter().filter(|p| p.course.last_day.is_none()).count(), patients.len(), protocol),
    })
}

/// Patients given each other drug during the index course, in the drug table's order, and any
/// corticosteroid.
fn concomitant(patients: &[PatientEndpoints], protocol: &Protocol) -> Value {
    let n = patients.len();
    let mut drugs = Map::new();
    for &drug in Drug::ALL {
        let count = patients
            .iter()
            .filter(|p| p.concomitant.contains(&drug))
            .count();
        if count > 0 {
            drugs.insert(drug.name().to_string(), share(count, n, protocol));
        }
    }
    let corticosteroids = patients
        .iter()
        .filter(|p| p.concomitant.iter().any(|d| d.is_corticosteroid()))
        .count();
    json!({"drugs": drugs, "corticosteroids_any": share(corticosteroids, n, protocol)})
}

/// Safety: adverse events and infections from Day 0 on, by type and grade; ICU admissions and deaths at
/// any time of the record.
fn safety(patients: &[PatientEndpoints], protocol: &Protocol) -> Value {
    let n = patients.len();
    let from_day0 = |kind: EventKind| {
        let mut by_type: std::collections::BTreeMap<
            (String, Option<u8>),
            (usize, BTreeSet<usize>),
        > = std::collections::BTreeMap::new();
        let mut patients_with = BTreeSet::new();
        let mut events = 0;
        for (index, p) in patients.iter().enumerate() {
            for e in p.events.iter().filter(|e| e.kind == kind && e.day >= 0) {
                let name = e
                    .detail
                    .as_deref()
                    .map_or("unspecified", str::trim)
                    .to_string();
                let entry = by_type.entry((name, e.grade)).or_default();
                entry.0 += 1;
                entry.1.insert(index);
                patients_with.insert(index);
                events += 1;
            }
        }
        json!({
            "patients": share(patients_with.len(), n, protocol),
            "events": events,
            "by_type": by_type.into_iter().map(|((name, grade), (events, who))| json!({
                "type": name, "grade": grade, "events": events, "patients": who.len(),
            })).collect::<Vec<_>>(),
        })
    };
    let any = |kind: EventKind| {
        let count = patients
            .iter()
            .filter(|p| p.events.iter().any(|e| e.kind == kind))
            .count();
        share(count, n, protocol)
    };
    json!({
        "adverse_events": from_day0(EventKind::AdverseEvent),
        "infections": from_day0(EventKind::Infection),
        "icu_admission": any(EventKind::IcuAdmission),
        "deaths": any(EventKind::Death),
    })
}

/// For each analyte of the figures, each day of [`TRAJECTORY_DAYS`] with a value: the patients with a
/// daily value that day and their median and quartiles.
fn trajectories(patients: &[PatientEndpoints], protocol: &Protocol) -> Value {
    let mut by_analyte = Map::new();
    for analyte in TRAJECTORY_ANALYTES {
        let mut by_day: std::collections::BTreeMap<i32, Vec<f64>> =
            std::collections::BTreeMap::new();
        for p in patients {
            for d in p.trajectories.get(&analyte).into_iter().flatten() {
                by_day.entry(d.day).or_default().push(d.value);
            }
        }
        let days: Vec<Value> = by_day
            .iter()
            .filter_map(|(&day, values)| {
                let s = Sample::new(values).ok()?.summary(protocol.quantile_type);
                Some(json!({"day": day, "n": s.n, "median": number(s.median), "q1": number(s.q1), "q3": number(s.q3)}))
            })
            .collect();
        by_analyte.insert(
            analyte.name().to_string(),
            json!({"unit": analyte.canonical_unit(), "days": days}),
        );
    }
    json!({"first_day": TRAJECTORY_DAYS.0, "last_day": TRAJECTORY_DAYS.1, "analytes": by_analyte})
}

/// Patients per thread below which one thread does the work.
const MIN_PATIENTS_PER_THREAD: usize = 5_000;

/// The endpoints of every patient (`None` for one never exposed), in patient order. Patients are
/// independent, so large cohorts are split across the cores; the order of the result does not depend
/// on the split.
fn derive_all(
    study: &Study,
    rows: &PatientRows,
    protocol: &Protocol,
) -> Vec<Option<PatientEndpoints>> {
    let n = study.patients.len();
    let derive = |range: std::ops::Range<usize>| -> Vec<Option<PatientEndpoints>> {
        range
            .map(|index| {
                let patient = PatientIndex(index as u32);
                day0(study, rows, patient, protocol)
                    .map(|day0| endpoints(study, rows, patient, day0, protocol))
            })
            .collect()
    };
    let threads = parallel::cores().min(n / MIN_PATIENTS_PER_THREAD).max(1);
    parallel::concatenated(parallel::in_parts(threads, |t| {
        derive(n * t / threads..n * (t + 1) / threads)
    }))
}

fn kaplan_meier(febrile: &[&PatientEndpoints], protocol: &Protocol) -> Value {
    let times: Vec<(f64, f64)> = febrile
        .iter()
        .filter_map(|p| p.resolution_time)
        .map(|(time, resolved)| (f64::from(time), f64::from(u8::from(resolved))))
        .collect();
    let (time, event): (Vec<f64>, Vec<f64>) = times.into_iter().unzip();
    let Ok(data) = SurvivalData::new::<&str>(&time, &event, None) else {
        return json!({"median": null, "ci95": [null, null], "table": []});
    };
    let analysis = data.fit(protocol.km_conf_type, protocol.confidence);
    let fit = &analysis.groups[0].fit;
    json!({
        "median": optional(fit.median),
        "ci95": [optional(fit.median_ci.0), optional(fit.median_ci.1)],
        "conf_type": protocol.km_conf_type.name(),
        "table": fit.table.iter().map(km_row_json).collect::<Vec<_>>(),
    })
}

/// One row of a Kaplan–Meier table as both the analysis (§3) and `hlh stats km` (§5) write it.
pub fn km_row_json(row: &KmRow) -> Value {
    json!({
        "time": number(row.time), "n_risk": row.n_risk, "n_event": row.n_event, "n_censor": row.n_censor,
        "survival": number(row.survival), "std_err": optional(row.std_err),
        "lower": optional(row.lower), "upper": optional(row.upper),
    })
}

fn lab_comparison(analyte: Analyte, patients: &[PatientEndpoints], protocol: &Protocol) -> Value {
    let pairs: Vec<(f64, f64)> = patients
        .iter()
        .filter_map(|p| {
            let pair = p.labs.get(&analyte)?;
            Some((pair.day0?.value, pair.day7?.value))
        })
        .collect();
    let (day0, day7): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
    let mut value = json!({
        "unit": analyte.canonical_unit(),
        "n_pairs": pairs.len(),
        "day0": summary(&day0, protocol),
        "day7": summary(&day7, protocol),
        "difference": {"mean": null, "ci95": null, "hodges_lehmann": null},
        "paired_t": {"statistic": null, "df": null, "p_value": null},
        "wilcoxon": {"statistic": null, "p_value": null, "method": null, "zero_method": null, "n_used": null},
    });
    let Ok(paired) = Pairs::new(&day0, &day7) else {
        return value;
    };
    let comparison = paired.compare(protocol.confidence);
    value["difference"] = json!({
        "mean": number(comparison.mean_difference),
        "ci95": comparison.paired_t.map_or(Value::Null, |t| json!([number(t.ci.0), number(t.ci.1)])),
        "hodges_lehmann": comparison.hodges_lehmann.map_or(Value::Null, |hl| number(hl.estimate)),
    });
    if let Some(t) = comparison.paired_t {
        value["paired_t"] = json!({"statistic": optional(t.statistic), "df": number(t.df), "p_value": optional(t.p_value)});
    }
    if let Some(w) = comparison.wilcoxon {
        value["wilcoxon"] = json!({
            "statistic": number(w.statistic), "p_value": number(w.p_value), "method": w.method.name(),
            "zero_method": w.zero_method.name(), "correction": w.correction, "n_used": w.n_used,
        });
    }
    value
}

fn patient_json(p: &PatientEndpoints, protocol: &Protocol) -> Value {
    let mut labs = Map::new();
    for (analyte, pair) in &p.labs {
        let day = |value: Option<crate::DailyValue>| {
            value.map_or(
                Value::Null,
                |v| json!({"day": v.day, "value": number(v.value), "source_line": v.source.line}),
            )
        };
        labs.insert(
            analyte.name().to_string(),
            json!({"day0": day(pair.day0), "day7": day(pair.day7)}),
        );
    }
    let items = &p.response_items;
    json!({
        "patient_id": p.patient_id,
        "day0": p.day0.to_string(),
        "first_line": p.first_line,
        "monotherapy": p.monotherapy,
        "febrile_at_baseline": p.febrile_at_baseline,
        "fever_resolution_day": p.fever_resolution_day,
        "response": p.response,
        "response_items": {
            "fever_resolved": items.fever_resolved.name(),
            "crp_decreased": items.crp_decreased.name(),
            "ferritin_decreased": items.ferritin_decreased.name(),
            "alive": items.alive.name(),
            "no_inefficacy_or_rescue": items.no_inefficacy_or_rescue.name(),
        },
        "death_day": p.death_day,
        "discontinued_adverse_event": p.discontinued_adverse_event,
        "labs": labs,
        "hscore": {
            "score": p.hscore.score, "min": p.hscore.min, "max": p.hscore.max,
            "positive": p.hscore.positive, "cutoff": protocol.hscore_cutoff,
            "probability": p.hscore.probability.text,
            "items": p.hscore.items.iter().map(|item| json!({
                "item": item.item.name(), "points": item.points, "max_points": item.max_points,
                "status": if item.known { "known" } else { "unknown" },
                "source_lines": item.sources.iter().map(|s| json!({"file": s.file.file_name(), "line": s.line})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        },
        "hlh2004": {
            "met": p.hlh2004.met, "not_met": p.hlh2004.not_met, "unknown": p.hlh2004.unknown,
            "diagnosis": p.hlh2004.diagnosis.name(),
            "criteria": p.hlh2004.criteria.iter().map(|c| json!({"criterion": c.criterion, "status": c.status.name()})).collect::<Vec<_>>(),
        },
        "ohi": {
            "status": match p.ohi.status {
                hlh_criteria::Status::Met => "positive",
                hlh_criteria::Status::NotMet => "negative",
                hlh_criteria::Status::Unknown => "unknown",
            },
            "ferritin": optional(p.ohi.ferritin),
            "scd25": optional(p.ohi.scd25),
        },
        "mas2016": p.mas2016.as_ref().map_or(Value::Null, |m| json!({
            "status": m.status.name(),
            "criteria": m.criteria.iter().map(|c| json!({"criterion": c.criterion, "status": c.status.name()})).collect::<Vec<_>>(),
        })),
        "treatment_source_lines": p.treatment_sources.iter().map(|s| s.line).collect::<Vec<_>>(),
        "demographics": {
            "centre": p.record.centre, "sex": p.record.sex.name(), "age_years": number(p.record.age_years),
            "diagnosis_date": p.record.diagnosis_date.to_string(),
            "triggers": p.record.triggers.iter().map(|t| t.name()).collect::<Vec<_>>(),
            "trigger_detail": p.record.trigger_detail, "source_line": p.record.source.line,
        },
        "course": {
            "first_dose": optional(p.course.first_dose), "dose_unit": p.course.dose_unit.map(|u| u.name()),
            "frequency": p.course.frequency, "route": p.course.route.map(|r| r.name()),
            "last_day": p.course.last_day,
        },
        "concomitant": p.concomitant.iter().map(|d| d.name()).collect::<Vec<_>>(),
        "timeline": {
            "treatments": p.treatments.iter().map(|t| json!({
                "drug": t.drug.name(), "start_day": t.start_day, "end_day": t.end_day,
                "stop_reason": t.stop_reason.map(|r| r.name()), "source_line": t.source.line,
            })).collect::<Vec<_>>(),
            "events": p.events.iter().map(|e| json!({
                "event": e.kind.name(), "day": e.day, "detail": e.detail, "grade": e.grade,
                "drug": e.drug.map(|d| d.name()), "led_to_discontinuation": e.led_to_discontinuation,
                "source_line": e.source.line,
            })).collect::<Vec<_>>(),
            "last_followup_day": p.last_followup_day,
        },
        "trajectories": p.trajectories.iter().map(|(analyte, days)| (
            analyte.name().to_string(),
            json!(days.iter().map(|d| json!({"day": d.day, "value": number(d.value), "source_line": d.source.line})).collect::<Vec<_>>()),
        )).collect::<Map<_, _>>(),
    })
}
