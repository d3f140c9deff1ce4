//! Per-patient endpoints under a protocol: Day 0, first-line, monotherapy, Day-0 and Day-7 values, fever
//! resolution, response, safety, and the diagnosis scores — each keeping the rows it came from.

use std::ops::Index;

use hlh_criteria::hlh2004::{hlh2004, Hlh2004};
use hlh_criteria::hscore::{hscore, HScore, HScoreSettings};
use hlh_criteria::mas2016::{mas2016, Mas2016};
use hlh_criteria::ohi::{ohi, Ohi, OhiOperator};
use hlh_criteria::Findings;
use hlh_model::{
    Analyte, Comparator, DoseUnit, Drug, Event, EventKind, Observation, PatientIndex,
    RecordedResponse, Route, RowsByPatient, SourceRow, StopReason, Study, StudyDay, Treatment,
};
use jiff::civil::Date;

use crate::dose::{daily_dose, DailyDose};
use crate::fever::{fever, Fever, Reading, Temperatures};
use crate::protocol::{CoInterventions, Protocol, ResponseSource};

/// The worst value of an analyte on one study day, with the row that gave it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyValue {
    pub day: i32,
    pub value: f64,
    pub source: SourceRow,
    /// Written with a comparator (`<5`, `>40000`): the number is a bound, taken as the value.
    pub censored: bool,
}

/// Values keyed by analyte, in analyte order. A patient has values of a handful of analytes, so a sorted
/// vector holds them in one small allocation where a map would allocate a node of eleven slots for each
/// of 100,000 patients.
#[derive(Debug, Clone, PartialEq)]
pub struct ByAnalyte<T>(Vec<(Analyte, T)>);

impl<T> ByAnalyte<T> {
    pub fn get(&self, analyte: &Analyte) -> Option<&T> {
        let position = self.0.binary_search_by_key(analyte, |(a, _)| *a).ok()?;
        Some(&self.0[position].1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Analyte, &T)> {
        self.into_iter()
    }
}

impl<T> Index<&Analyte> for ByAnalyte<T> {
    type Output = T;

    /// Panics when the analyte has no value, as a map's index does.
    fn index(&self, analyte: &Analyte) -> &T {
        self.get(analyte)
            .unwrap_or_else(|| panic!("no value of {analyte}"))
    }
}

impl<'a, T> IntoIterator for &'a ByAnalyte<T> {
    type Item = (&'a Analyte, &'a T);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (Analyte, T)>, fn(&(Analyte, T)) -> (&Analyte, &T)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(analyte, value)| (analyte, value))
    }
}

/// The Day-0 and Day-7 values of one analyte.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LabPair {
    pub day0: Option<DailyValue>,
    pub day7: Option<DailyValue>,
}

impl LabPair {
    /// (Day 7 − Day 0) / Day 0 in percent; `None` without both values or with a Day-0 value of 0.
    pub fn percent_change(&self) -> Option<f64> {
        let (d0, d7) = (self.day0?.value, self.day7?.value);
        (d0 != 0.0).then(|| 100.0 * (d7 - d0) / d0)
    }
}

/// How one item of the derived response was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    Passed,
    Failed,
    /// The data cannot tell (a value or the baseline fever is missing).
    NotJudgeable,
    /// Does not apply (fever resolution for a patient not febrile at baseline).
    NotApplicable,
}

impl Judgement {
    pub fn name(self) -> &'static str {
        match self {
            Judgement::Passed => "passed",
            Judgement::Failed => "failed",
            Judgement::NotJudgeable => "not_judgeable",
            Judgement::NotApplicable => "not_applicable",
        }
    }
}

/// The items (a)–(e) of the derived response (docs/analysis-schema.md, "Derivations").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseItems {
    pub fever_resolved: Judgement,
    pub crp_decreased: Judgement,
    pub ferritin_decreased: Judgement,
    pub alive: Judgement,
    pub no_inefficacy_or_rescue: Judgement,
}

/// The analytes whose daily values are kept day by day for the figures, and the days they span.
pub const TRAJECTORY_ANALYTES: [Analyte; 3] =
    [Analyte::Temperature, Analyte::Crp, Analyte::Ferritin];
pub const TRAJECTORY_DAYS: (i32, i32) = (-2, 14);

/// The index-drug course: its first row's dose and way of giving, and its last day.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexCourse {
    pub first_dose: Option<f64>,
    pub dose_unit: Option<DoseUnit>,
    pub frequency: Option<String>,
    pub route: Option<Route>,
    /// The study day of the last administration; `None` while a row is ongoing (no `end`).
    pub last_day: Option<i32>,
    /// The daily doses over the course.
    pub daily_dose: DailyDose,
}

/// A treatment row on the patient's study-day axis.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineTreatment {
    pub drug: Drug,
    pub start_day: i32,
    /// `None` while ongoing.
    pub end_day: Option<i32>,
    pub stop_reason: Option<StopReason>,
    pub source: SourceRow,
}

/// An event row on the patient's study-day axis.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEvent {
    pub kind: EventKind,
    pub day: i32,
    pub detail: Option<String>,
    pub grade: Option<u8>,
    pub drug: Option<Drug>,
    pub led_to_discontinuation: Option<bool>,
    pub source: SourceRow,
}

impl PatientEndpoints {
    /// Whether an event on `day` counts for safety: from Day 0 to the end of the safety window.
    pub fn in_safety_window(&self, day: i32) -> bool {
        day >= 0 && self.safety_window_end.is_none_or(|end| day <= end)
    }
}

impl TimelineEvent {
    /// The type an event is counted under: its detail as recorded, trimmed, or "unspecified".
    pub fn type_name(&self) -> &str {
        self.detail.as_deref().map_or("unspecified", str::trim)
    }
}

/// Everything derived for one analysed patient.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientEndpoints {
    pub patient: PatientIndex,
    pub patient_id: String,
    /// The patient's row of patients.csv, for the case card.
    pub record: hlh_model::Patient,
    pub day0: Date,
    pub first_line: bool,
    pub monotherapy: bool,
    pub labs: ByAnalyte<LabPair>,
    /// `None` when no temperature is recorded on the baseline days.
    pub febrile_at_baseline: Option<bool>,
    /// For febrile patients only: the first day d ≥ 0 with a reading after which no fever is recorded
    /// for `fever.sustained_days` days.
    pub fever_resolution_day: Option<i32>,
    /// Hours from the first dose to the resolution, when the fever was judged on the clock.
    pub fever_resolution_hours: Option<f64>,
    /// For a patient resolved by `fever.resolved_by_day`: whether a fever was recorded again by then.
    pub fever_recurred: Option<bool>,
    /// Whether the fever was judged on the clock (`fever.timing = "clock"` and times recorded).
    pub fever_on_clock: bool,
    /// For febrile patients: (time, resolved) for the Kaplan–Meier of time to resolution.
    pub resolution_time: Option<(i32, bool)>,
    pub death_day: Option<i32>,
    pub response: Option<bool>,
    pub response_items: ResponseItems,
    pub discontinued_adverse_event: bool,
    pub hscore: HScore,
    pub hlh2004: Hlh2004,
    pub ohi: Ohi,
    /// For patients with sJIA among their triggers only.
    pub mas2016: Option<Mas2016>,
    /// Rows behind Day 0, first-line, monotherapy, safety.
    pub treatment_sources: Vec<SourceRow>,
    pub course: IndexCourse,
    /// Drugs other than the index drug given on a day of the index course.
    pub concomitant: Vec<Drug>,
    /// HLH-directed or disease-directed treatments newly started in (Day 0, `response.day`], by start
    /// day then line: given with the index drug, they share the credit for a response.
    pub co_interventions: Vec<TimelineTreatment>,
    /// The first day in (Day 0, `response.day`] on which a rescue drug started.
    pub rescue_day: Option<i32>,
    /// The last day adverse events and infections count for safety: `safety.window` days after the last
    /// administration of the index drug; `None` while the course runs on (to the end of the record).
    pub safety_window_end: Option<i32>,
    /// Every treatment and event row, by start day then line.
    pub treatments: Vec<TimelineTreatment>,
    pub events: Vec<TimelineEvent>,
    /// Daily values of [`TRAJECTORY_ANALYTES`] on [`TRAJECTORY_DAYS`], by day.
    pub trajectories: ByAnalyte<Vec<DailyValue>>,
    pub last_followup_day: Option<i32>,
    /// Days from the diagnosis date to Day 0 (negative when the index drug came first).
    pub days_to_index: i32,
    /// Overall survival from Day 0: (day, died) — the day of death, or of censoring at the last
    /// follow-up date or, without one, the patient's last dated record.
    pub survival: (i32, bool),
}

/// The rows of each patient, gathered once.
pub struct PatientRows {
    pub observations: RowsByPatient,
    pub treatments: RowsByPatient,
    pub events: RowsByPatient,
}

impl PatientRows {
    pub fn of(study: &Study) -> PatientRows {
        let n = study.patients.len();
        PatientRows {
            observations: RowsByPatient::of(n, study.observations.iter().map(|o| o.patient)),
            treatments: RowsByPatient::of(n, study.treatments.iter().map(|t| t.patient)),
            events: RowsByPatient::of(n, study.events.iter().map(|e| e.patient)),
        }
    }
}

/// Day 0 of a patient: the date of the earliest start of the index drug; `None` if never exposed.
pub fn day0(
    study: &Study,
    rows: &PatientRows,
    patient: PatientIndex,
    protocol: &Protocol,
) -> Option<Date> {
    rows.treatments
        .of_patient(patient)
        .map(|i| &study.treatments[i])
        .filter(|t| t.drug == protocol.index_drug)
        .map(|t| t.start.date())
        .min()
}

/// The patient's rows of one table, in file order.
type Rows<'s, T> = Vec<&'s T>;

/// The endpoints of an exposed patient whose Day 0 is `day0`: the index course, the timeline, the
/// daily values, fever, response, safety and the scores, each a step below.
pub fn endpoints(
    study: &Study,
    rows: &PatientRows,
    patient: PatientIndex,
    day0: Date,
    protocol: &Protocol,
) -> PatientEndpoints {
    let record = study.patient(patient);
    let days = Days { day0 };
    let treatments: Rows<Treatment> = rows
        .treatments
        .of_patient(patient)
        .map(|i| &study.treatments[i])
        .collect();
    let events: Rows<Event> = rows
        .events
        .of_patient(patient)
        .map(|i| &study.events[i])
        .collect();
    let own_observations = rows
        .observations
        .of_patient(patient)
        .map(|i| &study.observations[i]);
    let course = index_course(&treatments, days, record.weight_kg, protocol);
    let daily = daily_worst_values(own_observations.clone(), days);
    // The last dated record: the observations' last day is read off their daily values, so that the
    // patient's rows, scattered through memory, are not walked a second time.
    let last_record_day = daily
        .iter()
        .map(|(_, value)| value.day)
        .chain(
            treatments
                .iter()
                .flat_map(|t| std::iter::once(t.start).chain(t.end))
                .chain(events.iter().map(|e| e.time))
                .map(|time| days.of(time.date())),
        )
        .max()
        .unwrap_or(0);
    let Series {
        labs,
        trajectories,
        temperatures,
    } = by_analyte(&daily, protocol);
    let death_day = events
        .iter()
        .filter(|e| e.kind == EventKind::Death)
        .map(|e| days.of(e.time.date()))
        .min();
    let temperatures = course
        .rows
        .first()
        .and_then(|first| {
            Temperatures::on_clock(first.start, day0, own_observations.clone(), protocol)
        })
        .unwrap_or_else(|| Temperatures::by_dates(temperatures, protocol));
    let fever = fever(&temperatures, death_day, protocol);
    let timeline = timeline_treatments(&treatments, days);
    let co_interventions = co_interventions(&timeline, protocol);
    let mut response_items = response_items(
        &labs,
        &fever,
        death_day,
        &course,
        &treatments,
        days,
        protocol,
    );
    if protocol.co_interventions == CoInterventions::Fail && !co_interventions.is_empty() {
        response_items.no_inefficacy_or_rescue = Judgement::Failed;
    }
    let response = match protocol.response_source {
        ResponseSource::Derived => derived_response(&response_items),
        // Death by the response day, an inefficacy stop or a rescue drug fails the response whatever
        // the clinician wrote (or did not write): they are outcomes, not opinions.
        ResponseSource::Recorded => {
            if [response_items.alive, response_items.no_inefficacy_or_rescue]
                .contains(&Judgement::Failed)
            {
                Some(false)
            } else {
                recorded_response(&events, days, protocol)
            }
        }
    };
    let discontinued_adverse_event = course
        .rows
        .iter()
        .any(|t| t.stop_reason == Some(StopReason::AdverseEvent))
        || events
            .iter()
            .any(|e| e.drug == Some(protocol.index_drug) && e.led_to_discontinuation == Some(true));
    let last_followup_day = record.last_followup_date.map(|date| days.of(date));
    let scores = scores(
        &Findings::from_patient_observations(
            study,
            patient,
            own_observations,
            protocol.scores_window,
        ),
        protocol,
    );

    PatientEndpoints {
        patient,
        patient_id: record.id.clone(),
        record: record.clone(),
        day0,
        first_line: course.first_line,
        monotherapy: course.monotherapy,
        labs,
        febrile_at_baseline: fever.febrile_at_baseline,
        fever_resolution_day: fever.resolution_day,
        fever_resolution_hours: fever.resolution_hours,
        fever_recurred: fever.recurred,
        fever_on_clock: fever.on_clock,
        resolution_time: fever.resolution_time,
        death_day,
        response,
        response_items,
        discontinued_adverse_event,
        hscore: scores.hscore,
        hlh2004: scores.hlh2004,
        ohi: scores.ohi,
        mas2016: scores.mas2016,
        treatment_sources: treatments.iter().map(|t| t.source).collect(),
        safety_window_end: course
            .summary
            .last_day
            .map(|last| last.saturating_add(protocol.safety_window)),
        rescue_day: timeline
            .iter()
            .filter(|t| protocol.rescue_drugs.contains(&t.drug))
            .map(|t| t.start_day)
            .find(|&day| 0 < day && day <= protocol.response_day),
        co_interventions,
        treatments: timeline,
        events: timeline_events(&events, days),
        concomitant: course.concomitant,
        course: course.summary,
        trajectories,
        last_followup_day,
        days_to_index: -days.of(record.diagnosis_date),
        // Day 0 is a dated record (the first dose), so no time is negative but for a follow-up date
        // or a death written before it, which counts from Day 0.
        survival: match death_day {
            Some(day) => (day.max(0), true),
            None => (last_followup_day.unwrap_or(last_record_day).max(0), false),
        },
    }
}

/// Study days counted from one patient's Day 0.
#[derive(Debug, Clone, Copy)]
struct Days {
    day0: Date,
}

impl Days {
    fn of(self, date: Date) -> i32 {
        StudyDay::of(date, self.day0).0
    }
}

/// What the index-drug course decides: first-line, monotherapy, the drugs given with it.
struct Course<'s> {
    /// The index drug's rows, by start then line.
    rows: Rows<'s, Treatment>,
    first_line: bool,
    monotherapy: bool,
    concomitant: Vec<Drug>,
    summary: IndexCourse,
}

/// The index-drug course: Day 0 to its last administration (an ongoing row runs on).
fn index_course<'s>(
    treatments: &[&'s Treatment],
    days: Days,
    weight_kg: Option<f64>,
    protocol: &Protocol,
) -> Course<'s> {
    let mut index_rows: Rows<Treatment> = treatments
        .iter()
        .copied()
        .filter(|t| t.drug == protocol.index_drug)
        .collect();
    index_rows.sort_by_key(|t| (t.start, t.source.line));
    let course_end: Option<i32> = if index_rows.iter().any(|t| t.end.is_none()) {
        None
    } else {
        index_rows
            .iter()
            .filter_map(|t| t.end)
            .map(|end| days.of(end.date()))
            .max()
    };
    let first_line = match index_rows
        .first()
        .and_then(|t| t.line_of_therapy.as_deref())
    {
        Some(line) => line.trim().eq_ignore_ascii_case("first"),
        None => !treatments
            .iter()
            .any(|t| protocol.is_hlh_directed(t.drug) && days.of(t.start.date()) < 0),
    };
    let during_course = |t: &Treatment| {
        let (start, end) = (days.of(t.start.date()), t.end.map(|e| days.of(e.date())));
        let starts_before_course_ends = course_end.is_none_or(|last| start <= last);
        let ends_after_day0 = end.is_none_or(|end| end >= 0);
        starts_before_course_ends && ends_after_day0
    };
    let monotherapy = !treatments
        .iter()
        .any(|t| protocol.is_hlh_directed(t.drug) && during_course(t));
    let mut concomitant: Vec<Drug> = treatments
        .iter()
        .filter(|t| t.drug != protocol.index_drug && during_course(t))
        .map(|t| t.drug)
        .collect();
    concomitant.sort();
    concomitant.dedup();
    let first = index_rows.first();
    let summary = IndexCourse {
        first_dose: first.and_then(|t| t.dose),
        dose_unit: first.and_then(|t| t.dose_unit),
        frequency: first.and_then(|t| t.frequency.clone()),
        route: first.and_then(|t| t.route),
        last_day: course_end,
        daily_dose: daily_dose(&index_rows, weight_kg),
    };
    Course {
        rows: index_rows,
        first_line,
        monotherapy,
        concomitant,
        summary,
    }
}

/// Every treatment row on the study-day axis, by start day then line.
fn timeline_treatments(treatments: &[&Treatment], days: Days) -> Vec<TimelineTreatment> {
    let mut timeline: Vec<TimelineTreatment> = treatments
        .iter()
        .map(|t| TimelineTreatment {
            drug: t.drug,
            start_day: days.of(t.start.date()),
            end_day: t.end.map(|e| days.of(e.date())),
            stop_reason: t.stop_reason,
            source: t.source,
        })
        .collect();
    timeline.sort_by_key(|t| (t.start_day, t.source.line));
    timeline
}

/// The HLH-directed (under the protocol) or disease-directed treatments started in (Day 0,
/// `response.day`] of a drug the patient was not already receiving on Day 0: a course running since
/// before Day 0 is background, a drug newly started, or restarted, during the response window is a
/// co-intervention.
fn co_interventions(timeline: &[TimelineTreatment], protocol: &Protocol) -> Vec<TimelineTreatment> {
    let counts = |drug: Drug| protocol.is_hlh_directed(drug) || drug.is_disease_directed();
    let running_on_day0 = |drug: Drug| {
        timeline
            .iter()
            .any(|t| t.drug == drug && t.start_day <= 0 && t.end_day.is_none_or(|end| end >= 0))
    };
    timeline
        .iter()
        .filter(|t| counts(t.drug) && 0 < t.start_day && t.start_day <= protocol.response_day)
        .filter(|t| !running_on_day0(t.drug))
        .cloned()
        .collect()
}

/// Every event row on the study-day axis, by day then line.
fn timeline_events(events: &[&Event], days: Days) -> Vec<TimelineEvent> {
    let mut timeline: Vec<TimelineEvent> = events
        .iter()
        .map(|e| TimelineEvent {
            kind: e.kind,
            day: days.of(e.time.date()),
            detail: e.detail.clone(),
            grade: e.grade,
            drug: e.drug,
            led_to_discontinuation: e.led_to_discontinuation,
            source: e.source,
        })
        .collect();
    timeline.sort_by_key(|e| (e.day, e.source.line));
    timeline
}

/// Daily worst values of every analyte: the patient's rows by analyte, day and line, the first worst of
/// each day kept (a later row replaces it only when strictly worse).
fn daily_worst_values<'s>(
    observations: impl Iterator<Item = &'s Observation>,
    days: Days,
) -> Vec<(Analyte, DailyValue)> {
    let mut rows_by_day: Vec<(Analyte, DailyValue)> = observations
        .map(|observation| {
            let value = DailyValue {
                day: days.of(observation.time.date()),
                value: observation.quantity.value(),
                source: observation.source,
                censored: observation.comparator != Comparator::Equal,
            };
            (observation.quantity.analyte(), value)
        })
        .collect();
    rows_by_day.sort_unstable_by_key(|(analyte, value)| (*analyte, value.day, value.source.line));
    let mut daily: Vec<(Analyte, DailyValue)> = Vec::with_capacity(rows_by_day.len());
    for (analyte, candidate) in rows_by_day {
        match daily.last_mut() {
            Some((last_analyte, current))
                if *last_analyte == analyte && current.day == candidate.day =>
            {
                if analyte.is_worse(candidate.value, current.value) {
                    *current = candidate;
                }
            }
            _ => daily.push((analyte, candidate)),
        }
    }
    daily
}

/// What the daily values give, analyte by analyte.
struct Series {
    labs: ByAnalyte<LabPair>,
    trajectories: ByAnalyte<Vec<DailyValue>>,
    /// The daily maximum temperatures, by day.
    temperatures: Vec<Reading>,
}

/// Each analyte's daily values, a run of `daily`, give its Day-0/Day-7 pair, its trajectory and (for
/// temperature) the daily maximum temperatures by day.
fn by_analyte(daily: &[(Analyte, DailyValue)], protocol: &Protocol) -> Series {
    let mut labs: Vec<(Analyte, LabPair)> = Vec::new();
    let mut trajectories: Vec<(Analyte, Vec<DailyValue>)> = Vec::new();
    let mut temperatures: Vec<Reading> = Vec::new();
    for run in daily.chunk_by(|(a, _), (b, _)| a == b) {
        let analyte = run[0].0;
        let pair = day0_day7(run.iter().map(|&(_, value)| value), protocol);
        if pair.day0.is_some() || pair.day7.is_some() {
            labs.push((analyte, pair));
        }
        if TRAJECTORY_ANALYTES.contains(&analyte) {
            let in_figure: Vec<DailyValue> = run
                .iter()
                .map(|&(_, value)| value)
                .filter(|value| (TRAJECTORY_DAYS.0..=TRAJECTORY_DAYS.1).contains(&value.day))
                .collect();
            if !in_figure.is_empty() {
                trajectories.push((analyte, in_figure));
            }
        }
        if analyte == Analyte::Temperature {
            temperatures = run
                .iter()
                .map(|(_, value)| Reading::daily(value.day, value.value))
                .collect();
        }
    }
    Series {
        labs: ByAnalyte(labs),
        trajectories: ByAnalyte(trajectories),
        temperatures,
    }
}

/// The Day-0 and Day-7 values among one analyte's daily values (in increasing day order).
fn day0_day7(values: impl Iterator<Item = DailyValue>, protocol: &Protocol) -> LabPair {
    let mut pair = LabPair::default();
    for value in values {
        let day = value.day;
        if protocol.day0_window.0 <= day && day <= protocol.day0_window.1 {
            // Days come in increasing order: the latest day in the window is kept.
            pair.day0 = Some(value);
        }
        if protocol.day7_window.0 <= day && day <= protocol.day7_window.1 {
            let distance = (day - protocol.day7_target).abs();
            // On a tie in distance the earlier day, already kept, stays.
            if pair
                .day7
                .is_none_or(|d| distance < (d.day - protocol.day7_target).abs())
            {
                pair.day7 = Some(value);
            }
        }
    }
    pair
}

/// The items (a)–(e) of the derived response.
fn response_items(
    labs: &ByAnalyte<LabPair>,
    fever: &Fever,
    death_day: Option<i32>,
    course: &Course,
    treatments: &[&Treatment],
    days: Days,
    protocol: &Protocol,
) -> ResponseItems {
    let falls = LabFalls::of(protocol);
    let fever_resolved = match (
        fever.febrile_at_baseline,
        fever.resolved_for_response(protocol),
    ) {
        (None, _) => Judgement::NotJudgeable,
        (Some(true), Some(true)) => Judgement::Passed,
        (Some(true), _) => Judgement::Failed,
        (Some(false), _) => Judgement::NotApplicable,
    };
    let alive = if death_day.is_some_and(|d| d <= protocol.response_day) {
        Judgement::Failed
    } else {
        Judgement::Passed
    };
    let stopped_for_inefficacy = course.rows.iter().any(|t| {
        t.stop_reason == Some(StopReason::Inefficacy)
            && t.end
                .is_some_and(|end| days.of(end.date()) < protocol.response_day)
    });
    let rescued = treatments.iter().any(|t| {
        let start = days.of(t.start.date());
        protocol.rescue_drugs.contains(&t.drug) && 0 < start && start <= protocol.response_day
    });
    ResponseItems {
        fever_resolved,
        crp_decreased: falls.crp(labs.get(&Analyte::Crp)),
        ferritin_decreased: falls.ferritin(labs.get(&Analyte::Ferritin)),
        alive,
        no_inefficacy_or_rescue: if stopped_for_inefficacy || rescued {
            Judgement::Failed
        } else {
            Judgement::Passed
        },
    }
}

/// How much CRP and ferritin must fall from Day 0 to Day 7 for items (b) and (c) of the response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabFalls {
    /// The fall in percent of the Day-0 value; 0 is any fall (Day 7 below Day 0).
    pub crp_percent: f64,
    pub ferritin_percent: f64,
    /// In mg/L: a Day-7 CRP below it passes (b) whatever Day 0 was; 0: not used.
    pub crp_normal_below: f64,
}

impl LabFalls {
    /// The protocol's definition.
    pub fn of(protocol: &Protocol) -> LabFalls {
        LabFalls {
            crp_percent: protocol.crp_fall_percent,
            ferritin_percent: protocol.ferritin_fall_percent,
            crp_normal_below: protocol.crp_normal_below,
        }
    }

    /// Item (b).
    pub fn crp(&self, pair: Option<&LabPair>) -> Judgement {
        let pair = pair.copied().unwrap_or_default();
        if pair.day7.is_some_and(|d7| d7.value < self.crp_normal_below) {
            return Judgement::Passed;
        }
        fell(pair, self.crp_percent)
    }

    /// Item (c).
    pub fn ferritin(&self, pair: Option<&LabPair>) -> Judgement {
        fell(pair.copied().unwrap_or_default(), self.ferritin_percent)
    }
}

/// Whether the Day-7 value is below the Day-0 value by at least `percent` of it (any fall for 0).
fn fell(pair: LabPair, percent: f64) -> Judgement {
    match (pair.day0, pair.day7) {
        (Some(d0), Some(d7)) => {
            let fall = d0.value - d7.value;
            if d7.value < d0.value && fall >= d0.value * percent / 100.0 {
                Judgement::Passed
            } else {
                Judgement::Failed
            }
        }
        _ => Judgement::NotJudgeable,
    }
}

/// The derived response of a patient under other lab falls than the protocol's (the sensitivity
/// analysis), the other items as derived.
pub fn derived_response_with(patient: &PatientEndpoints, falls: &LabFalls) -> Option<bool> {
    derived_response(&ResponseItems {
        crp_decreased: falls.crp(patient.labs.get(&Analyte::Crp)),
        ferritin_decreased: falls.ferritin(patient.labs.get(&Analyte::Ferritin)),
        ..patient.response_items
    })
}

/// The clinician's latest recorded assessment in the protocol's window: complete or partial is a
/// response, none recorded is unknown.
fn recorded_response(events: &[&Event], days: Days, protocol: &Protocol) -> Option<bool> {
    events
        .iter()
        .filter(|e| e.kind == EventKind::ResponseAssessment && e.recorded_response.is_some())
        .filter(|e| {
            (protocol.recorded_window.0..=protocol.recorded_window.1)
                .contains(&days.of(e.time.date()))
        })
        .max_by_key(|e| (e.time, e.source.line))
        .and_then(|e| e.recorded_response)
        .map(|r| matches!(r, RecordedResponse::Complete | RecordedResponse::Partial))
}

struct Scores {
    hscore: HScore,
    hlh2004: Hlh2004,
    ohi: Ohi,
    mas2016: Option<Mas2016>,
}

/// The diagnosis scores on the worst values of the scoring window, under the protocol's settings.
fn scores(findings: &Findings, protocol: &Protocol) -> Scores {
    let hscore_settings = HScoreSettings {
        cutoff: protocol.hscore_cutoff,
        ..HScoreSettings::default()
    };
    let mut hlh2004_settings = protocol.hlh2004_preset.settings();
    hlh2004_settings.required = protocol.hlh2004_required;
    Scores {
        hscore: hscore(findings, &hscore_settings),
        hlh2004: hlh2004(findings, &hlh2004_settings),
        ohi: ohi(findings, OhiOperator::Strict),
        mas2016: (findings.sjia == Some(true)).then(|| mas2016(findings)),
    }
}

/// A failed item makes a non-responder; otherwise an item (a)–(c) that cannot be judged makes the
/// response unknown.
pub(crate) fn derived_response(items: &ResponseItems) -> Option<bool> {
    let all = [
        items.fever_resolved,
        items.crp_decreased,
        items.ferritin_decreased,
        items.alive,
        items.no_inefficacy_or_rescue,
    ];
    if all.contains(&Judgement::Failed) {
        Some(false)
    } else if all.contains(&Judgement::NotJudgeable) {
        None
    } else {
        Some(true)
    }
}
