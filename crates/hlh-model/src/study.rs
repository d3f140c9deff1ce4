//! A study: its patients and their timelines, as read from a study folder or a warehouse.

use std::collections::BTreeMap;

use compact_str::CompactString;
use jiff::civil::Date;

use crate::spelled_enum::spelled_enum;
use crate::units::AssayFactors;
use crate::{ClinicalTime, Quantity};

/// The file of a study folder a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StudyFile {
    Patients,
    Observations,
    Treatments,
    Events,
}

impl StudyFile {
    pub const ALL: [StudyFile; 4] = [
        StudyFile::Patients,
        StudyFile::Observations,
        StudyFile::Treatments,
        StudyFile::Events,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            StudyFile::Patients => "patients.csv",
            StudyFile::Observations => "observations.csv",
            StudyFile::Treatments => "treatments.csv",
            StudyFile::Events => "events.csv",
        }
    }
}

/// Where a record was read: its file and the line on which its row starts (1-based, the header is line 1).
/// Provenance for every derived number points back here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceRow {
    pub file: StudyFile,
    pub line: u64,
}

/// Where the rows of a study built from another layout came from (a workbook cell, a REDCap record's
/// field), by the study file and line each row was given. Empty for a study read from its own files or
/// sheets, whose lines are their own origin.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origins(BTreeMap<SourceRow, String>);

impl Origins {
    pub fn insert(&mut self, row: SourceRow, origin: String) {
        self.0.insert(row, origin);
    }

    /// The origin of `row`, as a reader would look for it (`Sheet1!F2`).
    pub fn get(&self, row: SourceRow) -> Option<&str> {
        self.0.get(&row).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// In file then line order.
    pub fn iter(&self) -> impl Iterator<Item = (SourceRow, &str)> {
        self.0.iter().map(|(row, origin)| (*row, origin.as_str()))
    }
}

/// The position of a patient in [`Study::patients`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatientIndex(pub u32);

spelled_enum! {
    /// Sex as recorded; `U` is unknown or not recorded.
    pub enum Sex {
        Male => "M" | "male",
        Female => "F" | "female",
        Unknown => "U" | "unknown",
    }
}

spelled_enum! {
    /// A trigger (underlying cause) of secondary HLH.
    pub enum Trigger {
        Infection => "infection",
        Malignancy => "malignancy",
        Autoimmune => "autoimmune",
        /// Adult-onset Still's disease.
        Aosd => "aosd",
        /// Systemic juvenile idiopathic arthritis (MAS-2016 applies).
        Sjia => "sjia",
        Sle => "sle",
        Drug => "drug",
        Idiopathic => "idiopathic",
        Other => "other",
    }
}

/// One patient and the patient-level findings at diagnosis.
///
/// Boolean findings are `Option<bool>`: `None` is unknown (or, for marrow aspirate, not done), which is
/// never read as "no".
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub id: String,
    pub centre: Option<String>,
    pub sex: Sex,
    /// Age at diagnosis in years: as written, or diagnosis year − birth year when only `birth_year` is given.
    pub age_years: f64,
    pub birth_year: Option<i16>,
    /// Body weight in kg, for doses per kilogram.
    pub weight_kg: Option<f64>,
    pub diagnosis_date: Date,
    pub triggers: Vec<Trigger>,
    pub trigger_detail: Option<String>,
    pub immunosuppression: Option<bool>,
    pub hepatomegaly: Option<bool>,
    pub splenomegaly: Option<bool>,
    pub bm_hemophagocytosis: Option<bool>,
    pub nk_activity_low: Option<bool>,
    pub molecular_hlh: Option<bool>,
    pub last_followup_date: Option<Date>,
    pub source: SourceRow,
}

/// The yes/no findings of patients.csv, in the study format's order (the `Option<bool>` fields of
/// [`Patient`] below `triggers`).
pub const PATIENT_FINDINGS: [&str; 6] = [
    "immunosuppression",
    "hepatomegaly",
    "splenomegaly",
    "bm_hemophagocytosis",
    "nk_activity_low",
    "molecular_hlh",
];

/// The comparator of a censored laboratory result (`<5`, `>100000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Equal => "",
            Comparator::Less => "<",
            Comparator::LessOrEqual => "<=",
            Comparator::Greater => ">",
            Comparator::GreaterOrEqual => ">=",
        }
    }
}

/// One laboratory result or vital sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub patient: PatientIndex,
    pub time: ClinicalTime,
    /// The value in the canonical unit of its analyte. A censored result is taken at its number
    /// (docs/analysis-schema.md, "Derivations"); `comparator` keeps the censoring.
    pub quantity: Quantity,
    pub comparator: Comparator,
    /// The value cell exactly as written, comparator included, for provenance.
    pub value_as_written: CompactString,
    /// The unit cell exactly as written.
    pub unit_as_written: CompactString,
    pub source: SourceRow,
}

spelled_enum! {
    /// A drug of `treatments.csv`.
    pub enum Drug {
        Anakinra => "anakinra" | "kineret",
        Corticosteroids => "corticosteroids" | "corticosteroid" | "steroids",
        Methylprednisolone => "methylprednisolone",
        Prednisone => "prednisone",
        Prednisolone => "prednisolone",
        Dexamethasone => "dexamethasone",
        Hydrocortisone => "hydrocortisone",
        Ivig => "ivig",
        Etoposide => "etoposide",
        Ciclosporin => "ciclosporin" | "cyclosporine" | "cyclosporin",
        Ruxolitinib => "ruxolitinib",
        Emapalumab => "emapalumab",
        Tocilizumab => "tocilizumab",
        Canakinumab => "canakinumab",
        Rituximab => "rituximab",
        /// Chemotherapy of the underlying disease, named generically or by its usual regimens and agents.
        Chemotherapy => "chemotherapy" | "chop" | "r-chop" | "choep" | "cvp" | "r-cvp" | "abvd"
            | "beacopp" | "epoch" | "da-epoch-r" | "cyclophosphamide" | "doxorubicin" | "vincristine"
            | "bendamustine" | "cytarabine" | "methotrexate",
        Antimicrobial => "antimicrobial",
        Other => "other",
    }
}

impl Drug {
    /// A treatment of the underlying disease rather than of the HLH (chemotherapy, rituximab), which can
    /// bring the inflammation down by itself.
    pub fn is_disease_directed(self) -> bool {
        matches!(self, Drug::Chemotherapy | Drug::Rituximab)
    }

    /// Any corticosteroid, named generically or specifically.
    pub fn is_corticosteroid(self) -> bool {
        matches!(
            self,
            Drug::Corticosteroids
                | Drug::Methylprednisolone
                | Drug::Prednisone
                | Drug::Prednisolone
                | Drug::Dexamethasone
                | Drug::Hydrocortisone
        )
    }
}

spelled_enum! {
    /// The unit of a dose.
    pub enum DoseUnit {
        Milligram => "mg",
        MilligramPerKilogram => "mg/kg",
        Gram => "g",
        GramPerKilogram => "g/kg",
        MilligramPerSquareMetre => "mg/m2" | "mg/m²",
    }
}

spelled_enum! {
    /// How often a dose is given: the closed vocabulary of `frequency`, with the usual free-text
    /// spellings of each.
    pub enum Frequency {
        Qd => "qd" | "od" | "daily" | "once daily" | "q24h" | "1x/day",
        Bid => "bid" | "twice daily" | "2x/day",
        Tid => "tid" | "three times daily" | "3x/day",
        Qid => "qid" | "four times daily" | "4x/day",
        Q4h => "q4h",
        Q6h => "q6h",
        Q8h => "q8h",
        Q12h => "q12h",
        /// A continuous infusion, whose `dose` is the amount given over 24 hours.
        Continuous => "continuous" | "continuous infusion" | "civ",
        Once => "once" | "single dose" | "stat",
        Weekly => "weekly" | "once weekly" | "qw",
        TwiceWeekly => "twice weekly" | "biw",
    }
}

impl Frequency {
    /// Doses a day (a continuous infusion counts its daily amount once).
    pub fn per_day(self) -> f64 {
        match self {
            Frequency::Qd | Frequency::Once | Frequency::Continuous => 1.0,
            Frequency::Bid | Frequency::Q12h => 2.0,
            Frequency::Tid | Frequency::Q8h => 3.0,
            Frequency::Qid | Frequency::Q6h => 4.0,
            Frequency::Q4h => 6.0,
            Frequency::Weekly => 1.0 / 7.0,
            Frequency::TwiceWeekly => 2.0 / 7.0,
        }
    }
}

spelled_enum! {
    /// The route of administration.
    pub enum Route {
        Subcutaneous => "sc" | "subcutaneous",
        Intravenous => "iv" | "intravenous",
        Oral => "po" | "oral",
    }
}

spelled_enum! {
    /// Why a course was stopped.
    pub enum StopReason {
        Completed => "completed",
        Remission => "remission",
        Inefficacy => "inefficacy",
        AdverseEvent => "adverse_event",
        Death => "death",
        Other => "other",
    }
}

/// One course (or one dose change) of a drug.
#[derive(Debug, Clone, PartialEq)]
pub struct Treatment {
    pub patient: PatientIndex,
    pub drug: Drug,
    pub start: ClinicalTime,
    /// The last administration; `None` when ongoing at last follow-up.
    pub end: Option<ClinicalTime>,
    pub dose: Option<f64>,
    pub dose_unit: Option<DoseUnit>,
    /// The `frequency` cell as written.
    pub frequency: Option<String>,
    /// The frequency read in the closed vocabulary; `None` when empty or not one of its spellings.
    pub schedule: Option<Frequency>,
    pub route: Option<Route>,
    pub stop_reason: Option<StopReason>,
    /// The `line` column as written: `first` marks first-line HLH therapy; empty means "derive it".
    pub line_of_therapy: Option<String>,
    pub source: SourceRow,
}

spelled_enum! {
    /// A dated clinical event.
    pub enum EventKind {
        AdverseEvent => "adverse_event",
        Infection => "infection",
        IcuAdmission => "icu_admission",
        IcuDischarge => "icu_discharge",
        Relapse => "relapse",
        Death => "death",
        Discharge => "discharge",
        ResponseAssessment => "response_assessment",
    }
}

spelled_enum! {
    /// A clinician's recorded judgement of response.
    pub enum RecordedResponse {
        Complete => "complete",
        Partial => "partial",
        None => "none",
    }
}

/// One row of `events.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub patient: PatientIndex,
    pub time: ClinicalTime,
    pub kind: EventKind,
    pub detail: Option<String>,
    /// CTCAE grade 1–5.
    pub grade: Option<u8>,
    pub drug: Option<Drug>,
    pub led_to_discontinuation: Option<bool>,
    /// For `response_assessment` only.
    pub recorded_response: Option<RecordedResponse>,
    pub source: SourceRow,
}

/// A whole study: the patients and every row of their timelines, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Study {
    pub title: Option<String>,
    pub centres: Vec<String>,
    /// The assay factors the observations were converted with.
    pub assays: AssayFactors,
    pub patients: Vec<Patient>,
    pub observations: Vec<Observation>,
    pub treatments: Vec<Treatment>,
    pub events: Vec<Event>,
    /// Where the rows came from, when the study was built from another layout.
    pub origins: Origins,
}

impl Study {
    pub fn patient(&self, index: PatientIndex) -> &Patient {
        &self.patients[index.0 as usize]
    }
}

/// The rows of a timeline table grouped by patient: each patient's row positions, in file order.
///
/// Built by one counting pass and one placing pass (no hashing, one allocation of each kind), so a
/// cohort's per-patient work reads a short list instead of scanning or hashing the whole table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowsByPatient {
    /// Patient p's rows are `rows[starts[p]..starts[p + 1]]`.
    starts: Vec<u32>,
    rows: Vec<u32>,
}

impl RowsByPatient {
    /// Groups the rows whose patients are `patient_of_row` (in row order) among `patients` patients.
    /// Positions are 32-bit: a study in memory holds far fewer than 4 billion rows.
    pub fn of(patients: usize, patient_of_row: impl Iterator<Item = PatientIndex> + Clone) -> Self {
        let mut starts = vec![0u32; patients + 1];
        for PatientIndex(patient) in patient_of_row.clone() {
            starts[patient as usize + 1] += 1;
        }
        for p in 0..patients {
            starts[p + 1] += starts[p];
        }
        let mut next = starts.clone();
        let mut rows = vec![0u32; starts[patients] as usize];
        for (row, PatientIndex(patient)) in patient_of_row.enumerate() {
            let slot = &mut next[patient as usize];
            rows[*slot as usize] = row as u32;
            *slot += 1;
        }
        RowsByPatient { starts, rows }
    }

    /// The positions of `patient`'s rows, in file order.
    pub fn of_patient(
        &self,
        patient: PatientIndex,
    ) -> impl ExactSizeIterator<Item = usize> + Clone + '_ {
        let p = patient.0 as usize;
        self.rows[self.starts[p] as usize..self.starts[p + 1] as usize]
            .iter()
            .map(|&row| row as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_grouped_by_patient_in_file_order() {
        let patient_of_row = [2, 0, 2, 1, 0, 2].map(PatientIndex);
        let grouped = RowsByPatient::of(4, patient_of_row.iter().copied());
        let rows_of = |p| grouped.of_patient(PatientIndex(p)).collect::<Vec<_>>();
        assert_eq!(rows_of(0), [1, 4]);
        assert_eq!(rows_of(1), [3]);
        assert_eq!(rows_of(2), [0, 2, 5]);
        assert_eq!(rows_of(3), Vec::<usize>::new());
    }

    #[test]
    fn spellings_are_read_case_insensitively_with_aliases() {
        assert_eq!(Sex::from_name("m"), Some(Sex::Male));
        assert_eq!(Sex::from_name(" F "), Some(Sex::Female));
        assert_eq!(Sex::from_name("X"), None);
        assert_eq!(Drug::from_name("Cyclosporine"), Some(Drug::Ciclosporin));
        assert_eq!(Drug::from_name("KINERET"), Some(Drug::Anakinra));
        assert_eq!(Trigger::from_name("AOSD"), Some(Trigger::Aosd));
        assert_eq!(StopReason::from_name("adverse event"), None);
        assert_eq!(Sex::expected_list(), "M, F or U");
    }

    #[test]
    fn corticosteroids_include_the_specific_ones() {
        let steroids: Vec<Drug> = Drug::ALL
            .iter()
            .copied()
            .filter(|drug| drug.is_corticosteroid())
            .collect();
        assert_eq!(steroids.len(), 6);
        assert!(!Drug::Anakinra.is_corticosteroid());
        assert!(!Drug::Ivig.is_corticosteroid());
    }
}
