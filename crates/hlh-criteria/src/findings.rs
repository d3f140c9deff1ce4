//! What the scores read: laboratory values in canonical units and patient-level findings, each with the
//! row it came from.

use std::collections::BTreeMap;

use hlh_model::{Analyte, Observation, PatientIndex, Quantity, SourceRow, Study, StudyDay};

/// One laboratory value for scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct LabValue {
    /// The value in the canonical unit of its analyte.
    pub quantity: Quantity,
    /// The number and unit as typed, for the HScore's typed-unit mode (matching bedside calculators).
    pub as_typed: Option<(f64, String)>,
    /// The observation it came from, when it came from a study.
    pub source: Option<SourceRow>,
}

/// Laboratory values by analyte; each is filed under its own analyte, which is why the map is private.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labs(BTreeMap<Analyte, LabValue>);

impl Labs {
    pub fn iter(&self) -> impl Iterator<Item = &LabValue> {
        self.0.values()
    }
}

/// The findings of one patient. A missing value or finding is unknown, never "no".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    pub labs: Labs,
    pub age_years: Option<f64>,
    pub immunosuppression: Option<bool>,
    pub hepatomegaly: Option<bool>,
    pub splenomegaly: Option<bool>,
    pub bm_hemophagocytosis: Option<bool>,
    pub nk_activity_low: Option<bool>,
    pub molecular_hlh: Option<bool>,
    /// Fever as a finding, when no temperature is given.
    pub febrile: Option<bool>,
    /// Known or suspected systemic JIA (MAS-2016 applies).
    pub sjia: Option<bool>,
    /// Adult-onset Still's disease (the MS score's AOSD reading applies).
    pub aosd: Option<bool>,
    pub cns_involvement: Option<bool>,
    pub hemorrhage: Option<bool>,
    pub active_arthritis: Option<bool>,
    /// The patients.csv row of the patient-level findings, when they came from a study.
    pub patient_source: Option<SourceRow>,
}

impl Findings {
    /// Sets a laboratory value.
    pub fn set_lab(&mut self, value: LabValue) {
        self.labs.0.insert(value.quantity.analyte(), value);
    }

    /// The value of an analyte in its canonical unit, if known.
    pub fn lab(&self, analyte: Analyte) -> Option<f64> {
        self.labs.0.get(&analyte).map(|lab| lab.quantity.value())
    }

    /// The full record of an analyte's value, if known.
    pub fn lab_value(&self, analyte: Analyte) -> Option<&LabValue> {
        self.labs.0.get(&analyte)
    }

    /// The findings of a patient of a study for scoring: for each analyte, the worst result in the days
    /// [diagnosis + `window.0`, diagnosis + `window.1`] (inclusive; the maximum or minimum as
    /// [`Analyte::daily_worst`] says, the earliest row on a tie), with the patient-level findings.
    /// This scans every observation of the study; [`Findings::from_patient_observations`] takes the
    /// patient's own, for a whole cohort.
    pub fn from_patient(
        study: &Study,
        patient_index: PatientIndex,
        window: (i32, i32),
    ) -> Findings {
        let own = study
            .observations
            .iter()
            .filter(|o| o.patient == patient_index);
        Findings::from_patient_observations(study, patient_index, own, window)
    }

    /// As [`Findings::from_patient`], from the patient's own observations.
    pub fn from_patient_observations<'s>(
        study: &Study,
        patient_index: PatientIndex,
        observations: impl IntoIterator<Item = &'s Observation>,
        window: (i32, i32),
    ) -> Findings {
        let patient = study.patient(patient_index);
        let mut findings = Findings {
            labs: Labs::default(),
            age_years: Some(patient.age_years),
            immunosuppression: patient.immunosuppression,
            hepatomegaly: patient.hepatomegaly,
            splenomegaly: patient.splenomegaly,
            bm_hemophagocytosis: patient.bm_hemophagocytosis,
            nk_activity_low: patient.nk_activity_low,
            molecular_hlh: patient.molecular_hlh,
            febrile: None,
            // An empty trigger list says nothing; a list without sJIA says "not sJIA".
            sjia: (!patient.triggers.is_empty())
                .then(|| patient.triggers.contains(&hlh_model::Trigger::Sjia)),
            aosd: (!patient.triggers.is_empty())
                .then(|| patient.triggers.contains(&hlh_model::Trigger::Aosd)),
            cns_involvement: None,
            hemorrhage: None,
            active_arthritis: None,
            patient_source: Some(patient.source),
        };
        for observation in observations {
            let day = StudyDay::of(observation.time.date(), patient.diagnosis_date).0;
            if day < window.0 || day > window.1 {
                continue;
            }
            let analyte = observation.quantity.analyte();
            let value = observation.quantity.value();
            let is_worse = |current: &LabValue| analyte.is_worse(value, current.quantity.value());
            if findings.labs.0.get(&analyte).is_none_or(is_worse) {
                let typed = observation
                    .value_as_written
                    .trim_start_matches(['<', '>', '=', '≤', '≥'])
                    .trim();
                findings.set_lab(LabValue {
                    quantity: observation.quantity,
                    as_typed: typed
                        .parse()
                        .ok()
                        .map(|number| (number, observation.unit_as_written.to_string())),
                    source: Some(observation.source),
                });
            }
        }
        findings
    }
}
