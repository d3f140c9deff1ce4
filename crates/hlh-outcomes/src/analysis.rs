//! The cohort analysis: attrition, baseline, outcomes with their statistics (typed, [`crate::cohort`]),
//! and the patients' endpoints, written as the JSON of `hlhkit.analysis/1`.

use std::collections::{BTreeMap, BTreeSet};

use hlh_criteria::hlh2004::Diagnosis;
use hlh_model::{parallel, Analyte, Drug, EventKind, PatientIndex, Sex, Study, Trigger};
use hlh_stats::competing::{CompetingRisks, Outcome};
use hlh_stats::survival::KaplanMeier;
use hlh_stats::{Pairs, SurvivalData};
use serde_json::{json, Map, Value};

use crate::cohort::{
    AttritionStep, Baseline, BySex, Cohort, CompetingDeath, Concomitant, Count, DailyDoseSummary,
    Difference, EventType, EventsFromDay0, FeverKaplanMeier, FeverResolution, HScorePositive,
    Hlh2004Clinical, InclusionSensitivity, IndexDrug, Keyed, LabComparison, LabDay0, MainOutcomes,
    MissingFromPairs, Outcomes, OverallSurvival, Patients, Ratio, RelapseAfterStop, Response,
    Safety, SensitivityRow, Share, StudyInfo, Summary, SurvivalLandmark, Trajectories, Trajectory,
    TrajectoryDay,
};
use crate::compare::{comparisons, is_early};
use crate::dose::DailyDose;
use crate::endpoints::{
    day0, derived_response, derived_response_with, endpoints, DailyValue, Judgement, LabFalls,
    PatientEndpoints, PatientRows, TRAJECTORY_ANALYTES, TRAJECTORY_DAYS,
};
use crate::json_forms::{finite, interval};
use crate::protocol::{AfterRescue, Protocol};
use crate::summary_text::summary_text;
use crate::suppression::{suppressed_json, MinCell};

/// The schema of the analysis JSON.
pub const SCHEMA: &str = "hlhkit.analysis/1";

/// An analysis: the typed cohort, the endpoints of every analysed patient, and the abstract-style
/// summary.
///
/// The `patients` array of the JSON is not held as JSON: for a warehouse-sized cohort it would take
/// gigabytes, so [`Analysis::write_json`] writes it patient by patient.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub cohort: Cohort,
    /// In study order; the patient lists of the cohort are positions in this vector.
    pub patients: Vec<PatientEndpoints>,
    pub summary: String,
}

impl Analysis {
    /// The resolved protocol the analysis ran under.
    pub fn protocol(&self) -> &Protocol {
        &self.cohort.protocol
    }

    /// The JSON of one patient, as in the `patients` array.
    pub fn patient_json(&self, patient: &PatientEndpoints) -> Value {
        patient_json(patient, &self.cohort.protocol)
    }

    /// The cohort part of the JSON (every field but `patients`) as a JSON value.
    pub fn cohort_json(&self) -> Value {
        // The cohort holds only strings, whole numbers, finite floats and `None`: it always serialises.
        serde_json::to_value(&self.cohort).unwrap_or(Value::Null)
    }

    /// Writes the whole analysis JSON (pretty-printed, `patients` last), streaming the patients so that
    /// memory stays bounded by one patient's JSON.
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let cohort = serde_json::to_string_pretty(&self.cohort)?;
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

    /// Writes the analysis JSON for sharing outside the centre: with `min_cell` active, the cohort with
    /// small counts suppressed and no `patients` ([`crate::suppression::suppressed_json`]); otherwise
    /// exactly [`Analysis::write_json`].
    pub fn write_json_with(
        &self,
        out: &mut impl std::io::Write,
        min_cell: MinCell,
    ) -> std::io::Result<()> {
        if !min_cell.active() {
            return self.write_json(out);
        }
        serde_json::to_writer_pretty(&mut *out, &suppressed_json(&self.cohort, min_cell))?;
        out.write_all(b"\n")
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
    /// No exposed patient meets the protocol's inclusion by diagnosis.
    NoneIncluded,
}

impl std::fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnalysisError::NoPatients => f.write_str("no patients to analyse"),
            AnalysisError::NoneIncluded => f.write_str(
                "no exposed patient meets the inclusion by diagnosis (inclusion.hscore_min, inclusion.hlh2004_min)",
            ),
        }
    }
}

impl std::error::Error for AnalysisError {}

/// The positions of the patients for whom `keep` holds.
fn positions(patients: &[PatientEndpoints], keep: impl Fn(&PatientEndpoints) -> bool) -> Patients {
    patients
        .iter()
        .enumerate()
        .filter(|(_, p)| keep(p))
        .map(|(index, _)| index)
        .collect()
}

/// Runs the analysis of a validated study under a protocol.
///
/// # Errors
///
/// [`AnalysisError::NoPatients`] when no patient of the study received the index drug.
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
    let observed = observed_analytes(study);
    let mut attrition = attrition(study.patients.len(), never_exposed, protocol);
    let rules = InclusionRule::of(protocol);
    // Only with an inclusion by diagnosis: the outcomes of every exposed patient, for comparison.
    let without_inclusion = (!rules.is_empty()).then(|| {
        MainOutcomes::of(
            &outcomes(&patients, &observed, protocol),
            patients.len(),
            protocol,
        )
    });
    for rule in rules {
        let (kept, excluded): (Vec<_>, Vec<_>) =
            patients.into_iter().partition(|p| rule.includes(p));
        attrition.push(rule.step(kept.len(), &excluded));
        patients = kept;
    }
    if patients.is_empty() {
        return Err(AnalysisError::NoneIncluded);
    }
    let mut outcomes = outcomes(&patients, &observed, protocol);
    outcomes.inclusion_sensitivity =
        without_inclusion.map(|without_inclusion| InclusionSensitivity {
            with_inclusion: MainOutcomes::of(&outcomes, patients.len(), protocol),
            without_inclusion,
        });
    let cohort = Cohort {
        schema: SCHEMA,
        hlhkit_version: env!("CARGO_PKG_VERSION"),
        study: StudyInfo {
            title: study.title.clone(),
            centres: study.centres.clone(),
            assays: study.assays,
            origins: study.origins.clone(),
        },
        protocol: protocol.clone(),
        attrition,
        n_patients: patients.len(),
        baseline: baseline(&patients, &observed, protocol),
        outcomes,
        comparisons: comparisons(&patients, &observed, protocol),
    };
    let summary = summary_text(&cohort);
    Ok(Analysis {
        cohort,
        patients,
        summary,
    })
}

/// The analytes with any result, in analyte order: one flag per analyte, as millions of rows are read.
fn observed_analytes(study: &Study) -> Vec<Analyte> {
    let mut seen = [false; Analyte::ALL.len()];
    for observation in &study.observations {
        seen[observation.quantity.analyte() as usize] = true;
    }
    Analyte::ALL
        .iter()
        .copied()
        .filter(|&analyte| seen[analyte as usize])
        .collect()
}

fn attrition(
    in_study: usize,
    never_exposed: Vec<String>,
    protocol: &Protocol,
) -> Vec<AttritionStep> {
    let drug = protocol.index_drug.name();
    vec![
        AttritionStep {
            step: "patients in the study".into(),
            remaining: in_study,
            excluded: 0,
            reason: None,
            excluded_patients: None,
            reachable_through_unknown: None,
        },
        AttritionStep {
            step: format!("exposed to {drug}"),
            remaining: in_study - never_exposed.len(),
            excluded: never_exposed.len(),
            reason: Some(format!("never received {drug}")),
            excluded_patients: Some(never_exposed),
            reachable_through_unknown: None,
        },
    ]
}

/// A threshold on a diagnosis score that a patient must reach, on the data given, to be analysed.
#[derive(Debug, Clone, Copy)]
enum InclusionRule {
    HScore(u32),
    Hlh2004(usize),
}

impl InclusionRule {
    /// The protocol's thresholds that are set, in the order they apply.
    fn of(protocol: &Protocol) -> Vec<InclusionRule> {
        let mut rules = Vec::new();
        if protocol.inclusion_hscore_min > 0 {
            rules.push(InclusionRule::HScore(protocol.inclusion_hscore_min));
        }
        if protocol.inclusion_hlh2004_min > 0 {
            rules.push(InclusionRule::Hlh2004(protocol.inclusion_hlh2004_min));
        }
        rules
    }

    /// Met on the data given: an unknown item cannot include a patient.
    fn includes(self, p: &PatientEndpoints) -> bool {
        match self {
            InclusionRule::HScore(min) => p.hscore.score >= min,
            InclusionRule::Hlh2004(min) => p.hlh2004.met >= min,
        }
    }

    /// Whether the patient could have met it had the unknown items been known.
    fn reachable(self, p: &PatientEndpoints) -> bool {
        match self {
            InclusionRule::HScore(min) => p.hscore.max >= min,
            InclusionRule::Hlh2004(min) => p.hlh2004.count_max >= min,
        }
    }

    fn step(self, remaining: usize, excluded: &[PatientEndpoints]) -> AttritionStep {
        let reachable = excluded.iter().filter(|p| self.reachable(p)).count();
        let (step, below) = match self {
            InclusionRule::HScore(min) => (
                format!("HScore ≥ {min} on the data given"),
                format!("HScore below {min}"),
            ),
            InclusionRule::Hlh2004(min) => (
                format!("≥ {min} of the 8 HLH-2004 criteria met on the data given"),
                format!("fewer than {min} HLH-2004 criteria met"),
            ),
        };
        AttritionStep {
            step,
            remaining,
            excluded: excluded.len(),
            reason: Some(below),
            excluded_patients: Some(excluded.iter().map(|p| p.patient_id.clone()).collect()),
            reachable_through_unknown: Some(reachable),
        }
    }
}

fn baseline(patients: &[PatientEndpoints], observed: &[Analyte], protocol: &Protocol) -> Baseline {
    let n = patients.len();
    let share = |keep: &dyn Fn(&PatientEndpoints) -> bool| {
        Share::of(positions(patients, keep), n, protocol)
    };
    let ages: Vec<f64> = patients.iter().map(|p| p.record.age_years).collect();
    let hscores: Vec<f64> = patients.iter().map(|p| f64::from(p.hscore.score)).collect();
    let sex_shares = BySex {
        male: share(&|p| p.record.sex == Sex::Male),
        female: share(&|p| p.record.sex == Sex::Female),
        unknown: share(&|p| p.record.sex == Sex::Unknown),
    };
    Baseline {
        age_years: Summary::of(&ages, protocol),
        sex: BySex {
            male: sex_shares.male.count,
            female: sex_shares.female.count,
            unknown: sex_shares.unknown.count,
        },
        sex_shares,
        first_line: share(&|p| p.first_line),
        monotherapy: share(&|p| p.monotherapy),
        hscore: Summary::of(&hscores, protocol),
        hlh2004_met: share(&|p| p.hlh2004.diagnosis == Diagnosis::Met),
        icu_before_day0: share(&|p| {
            p.events
                .iter()
                .any(|e| e.kind == EventKind::IcuAdmission && e.day < 0)
        }),
        hlh2004_clinical: Hlh2004Clinical {
            met: share(&|p| p.hlh2004.clinical_diagnosis == Diagnosis::Met),
            not_met: share(&|p| p.hlh2004.clinical_diagnosis == Diagnosis::NotMet),
            indeterminate: share(&|p| p.hlh2004.clinical_diagnosis == Diagnosis::Indeterminate),
            evaluated: Summary::of(
                &patients
                    .iter()
                    .map(|p| p.hlh2004.evaluated() as f64)
                    .collect::<Vec<_>>(),
                protocol,
            ),
        },
        hscore_positive: HScorePositive {
            positive: share(&|p| p.hscore.positive == Some(true)),
            undetermined: share(&|p| p.hscore.positive.is_none()),
            cutoff: protocol.hscore_cutoff,
        },
        centres: centres(patients, protocol),
        triggers: Keyed(
            Trigger::ALL
                .iter()
                .map(|&trigger| (trigger, share(&|p| p.record.triggers.contains(&trigger))))
                .collect(),
        ),
        labs_day0: Keyed(
            observed
                .iter()
                .map(|&analyte| (analyte, lab_day0(analyte, patients, protocol)))
                .collect(),
        ),
        index_drug: index_drug(patients, protocol),
        concomitant: concomitant(patients, protocol),
        days_to_index: Summary::of(
            &patients
                .iter()
                .map(|p| f64::from(p.days_to_index))
                .collect::<Vec<_>>(),
            protocol,
        ),
        early_anakinra: share(&|p| is_early(p, protocol)),
    }
}

fn lab_day0(analyte: Analyte, patients: &[PatientEndpoints], protocol: &Protocol) -> LabDay0 {
    let mut values = Vec::new();
    let mut who = Vec::new();
    for (index, p) in patients.iter().enumerate() {
        if let Some(day0) = p.labs.get(&analyte).and_then(|pair| pair.day0) {
            values.push(day0.value);
            who.push(index);
        }
    }
    LabDay0 {
        unit: analyte.canonical_unit(),
        summary: Summary::of(&values, protocol),
        patients: who,
    }
}

/// Groups patients by a text key, in the keys' order.
fn grouped_by<'a>(
    patients: &'a [PatientEndpoints],
    key: impl Fn(&'a PatientEndpoints) -> &'a str,
) -> BTreeMap<&'a str, Patients> {
    let mut groups: BTreeMap<&str, Patients> = BTreeMap::new();
    for (index, p) in patients.iter().enumerate() {
        groups.entry(key(p)).or_default().push(index);
    }
    groups
}

/// Patients per centre, by name; a patient without a centre counts under "unknown".
fn centres(patients: &[PatientEndpoints], protocol: &Protocol) -> Keyed<String, Share> {
    let groups = grouped_by(patients, |p| {
        p.record.centre.as_deref().unwrap_or("unknown")
    });
    Keyed(
        groups
            .into_iter()
            .map(|(centre, who)| (centre.to_string(), Share::of(who, patients.len(), protocol)))
            .collect(),
    )
}

/// The index-drug course: first dose by unit, route, frequency and duration (Day 0 through the last
/// administration, in days, for courses that ended).
fn index_drug(patients: &[PatientEndpoints], protocol: &Protocol) -> IndexDrug {
    let n = patients.len();
    let mut doses: BTreeMap<&str, (hlh_model::DoseUnit, Vec<f64>)> = BTreeMap::new();
    for p in patients {
        if let (Some(dose), Some(unit)) = (p.course.first_dose, p.course.dose_unit) {
            doses
                .entry(unit.name())
                .or_insert((unit, Vec::new()))
                .1
                .push(dose);
        }
    }
    let routes = grouped_by(patients, |p| p.course.route.map_or("unknown", |r| r.name()));
    let frequencies = grouped_by(patients, |p| {
        p.course.frequency.as_deref().unwrap_or("unknown")
    });
    let durations: Vec<f64> = patients
        .iter()
        .filter_map(|p| p.course.last_day)
        .map(|last| f64::from(last + 1))
        .collect();
    let daily_doses = |dose: fn(&DailyDose) -> Option<f64>| {
        let values: Vec<f64> = patients
            .iter()
            .filter_map(|p| dose(&p.course.daily_dose))
            .collect();
        Summary::of(&values, protocol)
    };
    let escalation_known = positions(patients, |p| p.course.daily_dose.escalated.is_some());
    IndexDrug {
        daily_dose: DailyDoseSummary {
            first_mg_per_day: daily_doses(|d| d.first_mg_per_day),
            max_mg_per_day: daily_doses(|d| d.max_mg_per_day),
            max_mg_per_kg_per_day: daily_doses(|d| d.max_mg_per_kg_per_day),
            escalated: Share::of(
                positions(patients, |p| p.course.daily_dose.escalated == Some(true)),
                escalation_known.len(),
                protocol,
            ),
            max_unknown: Count {
                patients: positions(patients, |p| p.course.daily_dose.max_mg_per_day.is_none()),
            },
        },
        drug: protocol.index_drug,
        first_dose: Keyed(
            doses
                .into_values()
                .map(|(unit, values)| (unit, Summary::of(&values, protocol)))
                .collect(),
        ),
        first_dose_unknown: patients
            .iter()
            .filter(|p| p.course.first_dose.is_none() || p.course.dose_unit.is_none())
            .count(),
        route: Keyed(
            routes
                .into_iter()
                .map(|(route, who)| {
                    (
                        hlh_model::Route::from_name(route),
                        Share::of(who, n, protocol),
                    )
                })
                .collect(),
        ),
        frequency: Keyed(
            frequencies
                .into_iter()
                .map(|(frequency, who)| (frequency.to_string(), Share::of(who, n, protocol)))
                .collect(),
        ),
        duration_days: Summary::of(&durations, protocol),
        ongoing: Share::of(
            positions(patients, |p| p.course.last_day.is_none()),
            n,
            protocol,
        ),
    }
}

/// Patients given each other drug during the index course, in the drug table's order, and any
/// corticosteroid.
fn concomitant(patients: &[PatientEndpoints], protocol: &Protocol) -> Concomitant {
    let n = patients.len();
    let drugs = Drug::ALL
        .iter()
        .map(|&drug| (drug, positions(patients, |p| p.concomitant.contains(&drug))))
        .filter(|(_, who)| !who.is_empty())
        .map(|(drug, who)| (drug, Share::of(who, n, protocol)))
        .collect();
    let corticosteroids = positions(patients, |p| {
        p.concomitant.iter().any(|d| d.is_corticosteroid())
    });
    Concomitant {
        drugs: Keyed(drugs),
        corticosteroids_any: Share::of(corticosteroids, n, protocol),
    }
}

fn outcomes(patients: &[PatientEndpoints], observed: &[Analyte], protocol: &Protocol) -> Outcomes {
    let n = patients.len();
    Outcomes {
        response: response(patients, protocol),
        fever_resolution: fever_resolution(patients, protocol),
        labs: lab_comparisons(patients, observed, protocol),
        discontinued_adverse_event: Share::of(
            positions(patients, |p| p.discontinued_adverse_event),
            n,
            protocol,
        ),
        deaths_by_response_day: Count {
            patients: positions(patients, |p| {
                p.death_day.is_some_and(|d| d <= protocol.response_day)
            }),
        },
        safety: safety(patients, protocol),
        trajectories: trajectories(patients, protocol),
        response_intention_to_treat: protocol.unknown_as_failure.then(|| {
            Share::of(
                positions(patients, |p| p.response == Some(true)),
                n,
                protocol,
            )
        }),
        response_sensitivity: response_sensitivity(patients, protocol),
        relapse_after_stop: relapse_after_stop(patients, protocol),
        survival: overall_survival(patients, protocol),
        inclusion_sensitivity: None,
        responders_with_co_interventions: {
            let responders = positions(patients, |p| p.response == Some(true));
            let with = responders
                .iter()
                .copied()
                .filter(|&i| !patients[i].co_interventions.is_empty())
                .collect();
            Share::of(with, responders.len(), protocol)
        },
    }
}

/// Relapses after the index drug was stopped, among the patients whose course ended.
fn relapse_after_stop(patients: &[PatientEndpoints], protocol: &Protocol) -> RelapseAfterStop {
    let ended = positions(patients, |p| p.course.last_day.is_some());
    let first_relapse = |p: &PatientEndpoints| {
        let last = p.course.last_day?;
        p.events
            .iter()
            .filter(|e| e.kind == EventKind::Relapse && e.day > last)
            .map(|e| e.day - last)
            .min()
    };
    let relapsed: Patients = ended
        .iter()
        .copied()
        .filter(|&i| first_relapse(&patients[i]).is_some())
        .collect();
    let days: Vec<f64> = relapsed
        .iter()
        .filter_map(|&i| first_relapse(&patients[i]))
        .map(f64::from)
        .collect();
    RelapseAfterStop {
        patients: Share::of(relapsed, ended.len(), protocol),
        days_after_stop: Summary::of(&days, protocol),
    }
}

/// The response under the protocol's definition and under the published definitions of a fall of
/// CRP and ferritin, the other items as the protocol derives them.
fn response_sensitivity(patients: &[PatientEndpoints], protocol: &Protocol) -> Vec<SensitivityRow> {
    let under = |falls: LabFalls| {
        responders_among_judged(patients, protocol, |p| derived_response_with(p, &falls))
    };
    let protocol_row = SensitivityRow {
        definition: "protocol",
        description: format!(
            "the protocol's definition (response.source = {})",
            protocol.response_source.name()
        ),
        responders: response(patients, protocol).responders,
    };
    let published = [
        (
            "ferritin25_crp50",
            "ferritin down ≥ 25 % (partial response, Wang, Blood 2015;126:2186) and CRP down ≥ 50 % \
             (Quartier, Ann Rheum Dis 2011;70:747)",
            LabFalls {
                crp_percent: 50.0,
                ferritin_percent: 25.0,
                crp_normal_below: 0.0,
            },
        ),
        (
            "ferritin50",
            "ferritin down ≥ 50 % (a smaller fall carried a 17-fold risk of death: Lin, Pediatr Blood \
             Cancer 2011;56:154), any fall of CRP",
            LabFalls {
                crp_percent: 0.0,
                ferritin_percent: 50.0,
                crp_normal_below: 0.0,
            },
        ),
    ];
    let crediting_none = |p: &PatientEndpoints| {
        let mut items = p.response_items;
        if !p.co_interventions.is_empty() {
            items.no_inefficacy_or_rescue = Judgement::Failed;
        }
        derived_response(&items)
    };
    let co_interventions_row = SensitivityRow {
        definition: "co_interventions_fail",
        description: "as the protocol derives it, but an HLH-directed or disease-directed treatment newly started after Day 0 up to the response day fails the response".to_string(),
        responders: responders_among_judged(patients, protocol, crediting_none),
    };
    std::iter::once(protocol_row)
        .chain(
            published
                .into_iter()
                .map(|(definition, description, falls)| SensitivityRow {
                    definition,
                    description: description.to_string(),
                    responders: under(falls),
                }),
        )
        .chain(std::iter::once(co_interventions_row))
        .collect()
}

/// Responders among the patients whose response `verdict` can judge, each verdict derived once.
fn responders_among_judged(
    patients: &[PatientEndpoints],
    protocol: &Protocol,
    verdict: impl Fn(&PatientEndpoints) -> Option<bool>,
) -> Share {
    let verdicts: Vec<Option<bool>> = patients.iter().map(verdict).collect();
    let judged = verdicts.iter().filter(|v| v.is_some()).count();
    let responders = (0..patients.len())
        .filter(|&i| verdicts[i] == Some(true))
        .collect();
    Share::of(responders, judged, protocol)
}

fn response(patients: &[PatientEndpoints], protocol: &Protocol) -> Response {
    Response {
        responders: responders_among_judged(patients, protocol, |p| p.response),
        unknown: Count {
            patients: positions(patients, |p| p.response.is_none()),
        },
    }
}

fn fever_resolution(patients: &[PatientEndpoints], protocol: &Protocol) -> FeverResolution {
    let febrile = positions(patients, |p| p.febrile_at_baseline == Some(true));
    let resolved_by_day7: Patients = febrile
        .iter()
        .copied()
        .filter(|&i| {
            patients[i]
                .fever_resolution_day
                .is_some_and(|d| d <= protocol.fever_resolved_by_day)
        })
        .collect();
    let resolution_days: Vec<f64> = febrile
        .iter()
        .filter_map(|&i| patients[i].fever_resolution_day)
        .map(f64::from)
        .collect();
    let resolution_hours: Vec<f64> = febrile
        .iter()
        .filter_map(|&i| patients[i].fever_resolution_hours)
        .collect();
    FeverResolution {
        on_clock: Count {
            patients: positions(patients, |p| p.fever_on_clock),
        },
        recurred: Count {
            patients: positions(patients, |p| p.fever_recurred == Some(true)),
        },
        hours: Summary::of(&resolution_hours, protocol),
        resolved_by_day7_share: Share::of(resolved_by_day7.clone(), febrile.len(), protocol),
        resolved_by_day7: Count {
            patients: resolved_by_day7,
        },
        days: Summary::of(&resolution_days, protocol),
        km: kaplan_meier(&febrile, patients, protocol),
        competing_death: competing_death(&febrile, patients, protocol),
        febrile_at_baseline: Count { patients: febrile },
    }
}

/// Safety: adverse events and infections from Day 0 on, by type and grade; ICU admissions and deaths at
/// any time of the record.
fn safety(patients: &[PatientEndpoints], protocol: &Protocol) -> Safety {
    let n = patients.len();
    let from_day0 = |kind: EventKind| {
        let mut by_type: BTreeMap<(String, Option<u8>), (usize, BTreeSet<usize>)> = BTreeMap::new();
        let mut patients_with = BTreeSet::new();
        let mut events = 0;
        for (index, p) in patients.iter().enumerate() {
            for e in p
                .events
                .iter()
                .filter(|e| e.kind == kind && p.in_safety_window(e.day))
            {
                let entry = by_type
                    .entry((e.type_name().to_string(), e.grade))
                    .or_default();
                entry.0 += 1;
                entry.1.insert(index);
                patients_with.insert(index);
                events += 1;
            }
        }
        EventsFromDay0 {
            patients: Share::of(patients_with.into_iter().collect(), n, protocol),
            events,
            by_type: by_type
                .into_iter()
                .map(|((name, grade), (events, who))| EventType {
                    name,
                    grade,
                    events,
                    patients: Count {
                        patients: who.into_iter().collect(),
                    },
                })
                .collect(),
        }
    };
    let any = |kind: EventKind| {
        Share::of(
            positions(patients, |p| p.events.iter().any(|e| e.kind == kind)),
            n,
            protocol,
        )
    };
    Safety {
        adverse_events: from_day0(EventKind::AdverseEvent),
        infections: from_day0(EventKind::Infection),
        // An ICU stay that began before Day 0 is how ill the patient was, not what the drug did: it is
        // baseline severity (`baseline.icu_before_day0`).
        icu_admission: Share::of(
            positions(patients, |p| {
                p.events
                    .iter()
                    .any(|e| e.kind == EventKind::IcuAdmission && e.day >= 0)
            }),
            n,
            protocol,
        ),
        deaths: any(EventKind::Death),
    }
}

/// For each analyte of the figures, each day of [`TRAJECTORY_DAYS`] with a value: the patients with a
/// daily value that day and their median and quartiles.
fn trajectories(patients: &[PatientEndpoints], protocol: &Protocol) -> Trajectories {
    let analytes = TRAJECTORY_ANALYTES
        .iter()
        .map(|&analyte| {
            let mut by_day: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
            for p in patients {
                for d in p.trajectories.get(&analyte).into_iter().flatten() {
                    by_day.entry(d.day).or_default().push(d.value);
                }
            }
            let days = by_day
                .iter()
                .map(|(&day, values)| (day, Summary::of(values, protocol)))
                .filter(|(_, s)| s.n > 0)
                .map(|(day, s)| TrajectoryDay {
                    day,
                    n: s.n,
                    median: s.median,
                    q1: s.q1,
                    q3: s.q3,
                })
                .collect();
            let trajectory = Trajectory {
                unit: analyte.canonical_unit(),
                days,
            };
            (analyte, trajectory)
        })
        .collect();
    Trajectories {
        first_day: TRAJECTORY_DAYS.0,
        last_day: TRAJECTORY_DAYS.1,
        analytes: Keyed(analytes),
    }
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

/// The Kaplan–Meier fit of one group of (day, event) pairs under the protocol's interval; `None`
/// without a pair.
fn single_fit(
    pairs: impl Iterator<Item = (i32, bool)>,
    protocol: &Protocol,
) -> Option<KaplanMeier> {
    let (time, event): (Vec<f64>, Vec<f64>) = pairs
        .map(|(time, event)| (f64::from(time), f64::from(u8::from(event))))
        .unzip();
    // Times are whole days ≥ 0 and events 0 or 1: the only failure is no data at all.
    let data = SurvivalData::new::<&str>(&time, &event, None).ok()?;
    Some(
        data.fit(protocol.km_conf_type, protocol.confidence)
            .groups
            .swap_remove(0)
            .fit,
    )
}

/// A fit's median and its interval, each `None` where it does not exist.
fn median_with_ci(fit: Option<&KaplanMeier>) -> (Option<f64>, [Option<f64>; 2]) {
    (
        fit.and_then(|f| f.median).and_then(finite),
        [
            fit.and_then(|f| f.median_ci.0).and_then(finite),
            fit.and_then(|f| f.median_ci.1).and_then(finite),
        ],
    )
}

fn kaplan_meier(
    febrile: &[usize],
    patients: &[PatientEndpoints],
    protocol: &Protocol,
) -> FeverKaplanMeier {
    let fit = single_fit(
        febrile.iter().filter_map(|&i| patients[i].resolution_time),
        protocol,
    );
    let (median, ci95) = median_with_ci(fit.as_ref());
    FeverKaplanMeier {
        median,
        ci95,
        conf_type: fit.as_ref().map(|_| protocol.km_conf_type),
        table: fit.map(|f| f.table).unwrap_or_default(),
    }
}

/// Overall survival of the analysed patients from Day 0.
fn overall_survival(patients: &[PatientEndpoints], protocol: &Protocol) -> OverallSurvival {
    let deaths = Count {
        patients: positions(patients, |p| p.survival.1),
    };
    let fit = single_fit(patients.iter().map(|p| p.survival), protocol);
    let landmarks = protocol
        .survival_landmark_days
        .iter()
        .map(|&day| {
            let at = fit.as_ref().and_then(|fit| fit.at(f64::from(day)));
            SurvivalLandmark {
                day,
                n_risk: at.map(|a| a.n_risk),
                survival: at.and_then(|a| finite(a.survival)),
                ci95: [
                    at.and_then(|a| a.lower).and_then(finite),
                    at.and_then(|a| a.upper).and_then(finite),
                ],
            }
        })
        .collect();
    let (median, ci95) = median_with_ci(fit.as_ref());
    OverallSurvival {
        n: patients.len(),
        deaths,
        median,
        ci95,
        conf_type: protocol.km_conf_type,
        table: fit.map(|f| f.table).unwrap_or_default(),
        landmarks,
    }
}

/// The Aalen–Johansen incidence of fever resolution among the febrile, a death before resolution
/// competing with it (the Kaplan–Meier above censors it).
fn competing_death(
    febrile: &[usize],
    patients: &[PatientEndpoints],
    protocol: &Protocol,
) -> CompetingDeath {
    let (times, outcomes): (Vec<f64>, Vec<Outcome>) = febrile
        .iter()
        .filter_map(|&i| {
            let p = &patients[i];
            let (time, resolved) = p.resolution_time?;
            let outcome = if resolved {
                Outcome::Event
            } else if p.death_day.is_some() {
                // Not resolved and dead: the time is the day of death (never before Day 0).
                Outcome::Competing
            } else {
                Outcome::Censored
            };
            Some((f64::from(time), outcome))
        })
        .unzip();
    let table = CompetingRisks::new(&times, &outcomes)
        .map(|data| data.cumulative_incidence())
        .unwrap_or_default();
    let by_day = f64::from(protocol.fever_resolved_by_day);
    CompetingDeath {
        incidence_by_day: (!table.is_empty()).then(|| {
            table
                .iter()
                .take_while(|row| row.time <= by_day)
                .last()
                .map_or(0.0, |row| row.incidence)
        }),
        table,
    }
}

/// Day 0 against Day 7 of each observed analyte. The analytes are independent: a large cohort compares
/// them across the cores.
fn lab_comparisons(
    patients: &[PatientEndpoints],
    observed: &[Analyte],
    protocol: &Protocol,
) -> Keyed<Analyte, LabComparison> {
    let threads = if patients.len() < MIN_PATIENTS_PER_THREAD {
        1
    } else {
        parallel::cores().min(observed.len()).max(1)
    };
    let compared = parallel::in_parts(threads, |part| {
        observed
            .iter()
            .skip(part)
            .step_by(threads)
            .map(|&analyte| (analyte, lab_comparison(analyte, patients, protocol)))
            .collect::<Vec<_>>()
    });
    let mut compared: Vec<(Analyte, LabComparison)> = compared.into_iter().flatten().collect();
    compared.sort_by_key(|(analyte, _)| *analyte);
    Keyed(compared)
}

fn lab_comparison(
    analyte: Analyte,
    patients: &[PatientEndpoints],
    protocol: &Protocol,
) -> LabComparison {
    let mut who = Vec::new();
    let (mut day0, mut day7) = (Vec::new(), Vec::new());
    let mut missing = MissingFromPairs {
        no_day0: Count::default(),
        no_day7: Count::default(),
        neither: Count::default(),
        after_rescue: Count::default(),
    };
    let mut percent_changes = Vec::new();
    let mut censored_pairs = Count::default();
    for (index, p) in patients.iter().enumerate() {
        let pair = p.labs.get(&analyte).copied().unwrap_or_default();
        let drawn_after_rescue = |day7: DailyValue| {
            protocol.day7_after_rescue == AfterRescue::Exclude
                && p.rescue_day.is_some_and(|rescue| rescue <= day7.day)
        };
        match (pair.day0, pair.day7) {
            (Some(_), Some(after)) if drawn_after_rescue(after) => {
                missing.after_rescue.patients.push(index)
            }
            (Some(before), Some(after)) => {
                if before.censored || after.censored {
                    censored_pairs.patients.push(index);
                }
                who.push(index);
                day0.push(before.value);
                day7.push(after.value);
                percent_changes.extend(pair.percent_change());
            }
            (None, Some(_)) => missing.no_day0.patients.push(index),
            (Some(_), None) => missing.no_day7.patients.push(index),
            (None, None) => missing.neither.patients.push(index),
        }
    }
    let mut comparison = LabComparison {
        unit: analyte.canonical_unit(),
        n_pairs: Count { patients: who },
        day0: Summary::of(&day0, protocol),
        day7: Summary::of(&day7, protocol),
        difference: Difference {
            mean: None,
            ci95: None,
            hodges_lehmann: None,
            hodges_lehmann_ci95: None,
        },
        paired_t: None,
        wilcoxon: None,
        ratio: ratio(&day0, &day7, protocol),
        median_percent_change: Summary::of(&percent_changes, protocol).median,
        missing,
        censored_pairs,
    };
    let Ok(paired) = Pairs::new(&day0, &day7) else {
        return comparison;
    };
    let compared = paired.compare(protocol.confidence);
    comparison.difference = Difference {
        mean: finite(compared.mean_difference),
        ci95: compared.paired_t.map(|t| interval(t.ci)),
        hodges_lehmann: compared.hodges_lehmann.and_then(|hl| finite(hl.estimate)),
        hodges_lehmann_ci95: compared.hodges_lehmann.and_then(|hl| hl.ci).map(interval),
    };
    comparison.paired_t = compared.paired_t;
    comparison.wilcoxon = compared.wilcoxon;
    comparison
}

/// The paired t-test on the logarithms, back-transformed: the geometric mean ratio Day 7 / Day 0 with
/// its interval; `None` unless every value is positive and there are two pairs.
fn ratio(day0: &[f64], day7: &[f64], protocol: &Protocol) -> Option<Ratio> {
    if day0.iter().chain(day7).any(|&v| v <= 0.0) {
        return None;
    }
    let logs = |values: &[f64]| values.iter().map(|v| v.ln()).collect::<Vec<_>>();
    let pairs = Pairs::new(&logs(day0), &logs(day7)).ok()?;
    let test = pairs.paired_t(protocol.confidence)?;
    let mean_log_ratio = pairs.mean_difference();
    Some(Ratio {
        geometric_mean_ratio: finite(mean_log_ratio.exp()),
        ci95: Some(interval((test.ci.0.exp(), test.ci.1.exp()))),
        p_value: test.p_value.and_then(finite),
    })
}

fn patient_json(p: &PatientEndpoints, protocol: &Protocol) -> Value {
    let mut labs = Map::new();
    for (analyte, pair) in &p.labs {
        let day = |value: Option<crate::DailyValue>| {
            value.map_or(
                Value::Null,
                |v| json!({"day": v.day, "value": finite_json(v.value), "source_line": v.source.line}),
            )
        };
        labs.insert(
            analyte.name().to_string(),
            json!({"day0": day(pair.day0), "day7": day(pair.day7), "percent_change": optional_json(pair.percent_change())}),
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
        "fever_resolution_hours": optional_json(p.fever_resolution_hours),
        "fever_recurred": p.fever_recurred,
        "response": p.response,
        "response_items": {
            "fever_resolved": items.fever_resolved.name(),
            "crp_decreased": items.crp_decreased.name(),
            "ferritin_decreased": items.ferritin_decreased.name(),
            "alive": items.alive.name(),
            "no_inefficacy_or_rescue": items.no_inefficacy_or_rescue.name(),
        },
        "death_day": p.death_day,
        "days_to_index": p.days_to_index,
        "survival": {"time": p.survival.0, "event": p.survival.1},
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
            "clinical_diagnosis": p.hlh2004.clinical_diagnosis.name(),
            "evaluated": p.hlh2004.evaluated(),
            "criteria": p.hlh2004.criteria.iter().map(|c| json!({"criterion": c.criterion, "status": c.status.name()})).collect::<Vec<_>>(),
        },
        "ohi": {
            "status": p.ohi.result_name(),
            "ferritin": optional_json(p.ohi.ferritin),
            "scd25": optional_json(p.ohi.scd25),
        },
        "mas2016": p.mas2016.as_ref().map_or(Value::Null, |m| json!({
            "status": m.status.name(),
            "criteria": m.criteria.iter().map(|c| json!({"criterion": c.criterion, "status": c.status.name()})).collect::<Vec<_>>(),
        })),
        "rescue_day": p.rescue_day,
        "safety_window_end": p.safety_window_end,
        "co_interventions": p.co_interventions.iter().map(|t| json!({
            "drug": t.drug.name(), "start_day": t.start_day, "source_line": t.source.line,
        })).collect::<Vec<_>>(),
        "treatment_source_lines": p.treatment_sources.iter().map(|s| s.line).collect::<Vec<_>>(),
        "demographics": {
            "centre": p.record.centre, "sex": p.record.sex.name(), "age_years": finite_json(p.record.age_years),
            "diagnosis_date": p.record.diagnosis_date.to_string(),
            "weight_kg": optional_json(p.record.weight_kg),
            "triggers": p.record.triggers.iter().map(|t| t.name()).collect::<Vec<_>>(),
            "trigger_detail": p.record.trigger_detail, "source_line": p.record.source.line,
        },
        "course": {
            "first_dose": optional_json(p.course.first_dose), "dose_unit": p.course.dose_unit.map(|u| u.name()),
            "frequency": p.course.frequency, "route": p.course.route.map(|r| r.name()),
            "last_day": p.course.last_day,
            "daily_dose": {
                "first_mg_per_day": optional_json(p.course.daily_dose.first_mg_per_day),
                "max_mg_per_day": optional_json(p.course.daily_dose.max_mg_per_day),
                "max_mg_per_kg_per_day": optional_json(p.course.daily_dose.max_mg_per_kg_per_day),
                "escalated": p.course.daily_dose.escalated,
            },
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
            json!(days.iter().map(|d| json!({"day": d.day, "value": finite_json(d.value), "source_line": d.source.line})).collect::<Vec<_>>()),
        )).collect::<Map<_, _>>(),
    })
}

fn finite_json(value: f64) -> Value {
    finite(value).map_or(Value::Null, |v| json!(v))
}

fn optional_json(value: Option<f64>) -> Value {
    value.and_then(finite).map_or(Value::Null, |v| json!(v))
}
