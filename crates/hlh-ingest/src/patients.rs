//! `patients.csv`: one row per patient.

use compact_str::CompactString;
use rustc_hash::{FxHashMap, FxHashSet};

use hlh_model::{Patient, PatientIndex, Sex, SourceRow, StudyFile, Trigger};

use crate::cells::{self, CellProblem, DATE_EXPECTED};

use crate::table::{columns, read_table, CellReader, Diagnostics, HeaderRules};

const FILE: &str = "patients.csv";

columns! {
    PATIENT_ID = required("patient_id"),
    CENTRE = optional("centre"),
    SEX = required("sex"),
    AGE_YEARS = optional("age_years"),
    BIRTH_YEAR = optional("birth_year"),
    DIAGNOSIS_DATE = required("diagnosis_date"),
    TRIGGERS = optional("triggers"),
    TRIGGER_DETAIL = optional("trigger_detail"),
    IMMUNOSUPPRESSION = optional("immunosuppression"),
    HEPATOMEGALY = optional("hepatomegaly"),
    SPLENOMEGALY = optional("splenomegaly"),
    BM_HEMOPHAGOCYTOSIS = optional("bm_hemophagocytosis"),
    NK_ACTIVITY_LOW = optional("nk_activity_low"),
    MOLECULAR_HLH = optional("molecular_hlh"),
    LAST_FOLLOWUP_DATE = optional("last_followup_date"),
    WEIGHT_KG = optional("weight_kg"),
}

/// Body weights the study format accepts, in kg: a premature newborn to the heaviest adults.
const WEIGHT_RANGE_KG: std::ops::RangeInclusive<f64> = 0.3..=400.0;

/// Ages are `0 ≤ age < 120` (study format); above this one a warning asks to check the row.
const UNUSUAL_AGE_YEARS: f64 = 100.0;

/// The patients read so far and the index of each identifier, for the timeline files to refer to.
#[derive(Debug, Default)]
pub struct PatientRegistry {
    pub patients: Vec<Patient>,
    /// Keys stored inline (up to 24 bytes): a lookup then reads the key from the table itself instead
    /// of following a pointer, which is most of its cost for a large cohort read in random order.
    index_by_id: FxHashMap<CompactString, PatientIndex>,
    /// Identifiers whose row had an error: timeline rows naming them are not orphans.
    rejected_ids: FxHashSet<String>,
    /// Whether patients.csv could be read at all. When it could not (absent, empty, bad header), the
    /// patient_id of a timeline row cannot be checked, and saying so for every row would bury the one
    /// error that matters.
    pub readable: bool,
}

impl PatientRegistry {
    /// Whether any row of patients.csv was left out for an error.
    pub fn has_rejected_rows(&self) -> bool {
        !self.rejected_ids.is_empty()
    }

    /// Resolves the patient_id cell of a timeline file. `Ok(None)` when the identifier's own row in
    /// patients.csv had an error (already reported there): the timeline row is then skipped without a
    /// second message.
    ///
    /// # Errors
    ///
    /// A [`CellProblem`] for an identifier that patients.csv does not have.
    pub fn resolve(&self, patient_id: &str) -> Result<Option<PatientIndex>, CellProblem> {
        if let Some(index) = self.index_by_id.get(patient_id) {
            Ok(Some(*index))
        } else if !self.readable || self.rejected_ids.contains(patient_id) {
            Ok(None)
        } else {
            Err(CellProblem::new(
                "patient_id is not in patients.csv",
                "a patient_id of patients.csv",
            ))
        }
    }
}

pub fn read(bytes: &[u8], diagnostics: &mut Diagnostics) -> PatientRegistry {
    let mut registry = PatientRegistry::default();
    let mut first_line_of_id: FxHashMap<String, u64> = FxHashMap::default();
    let table = read_table(
        FILE,
        bytes,
        COLUMNS,
        &HeaderRules {
            at_least_one_of: &["age_years", "birth_year"],
            ..HeaderRules::STUDY_FILE
        },
        diagnostics,
        |row, diagnostics| {
            let mut cells = CellReader::new(row, diagnostics);
            let id = cells.required(PATIENT_ID, "a pseudonymous patient identifier", |text| {
                Ok(text.to_string())
            });
            if let Some(id) = &id {
                if let Some(first_line) = first_line_of_id.get(id) {
                    cells.row_error(
                        Some(PATIENT_ID),
                        format!("duplicate patient_id, first given on line {first_line}"),
                    );
                } else {
                    first_line_of_id.insert(id.clone(), row.line);
                }
            }
            let sex = cells.required(SEX, "M, F or U", |text| {
                cells::word(text, Sex::from_name, Sex::expected_list)
            });
            let diagnosis_date = cells.required(DIAGNOSIS_DATE, DATE_EXPECTED, cells::date);
            let age_written = cells.optional(AGE_YEARS, |text| {
                let age = cells::number(text).map_err(|problem| CellProblem {
                    expected: AGE_EXPECTED.into(),
                    ..problem
                })?;
                if (0.0..120.0).contains(&age) {
                    Ok(age)
                } else {
                    Err(CellProblem::new("age outside 0 ≤ age < 120", AGE_EXPECTED))
                }
            });
            if age_written.is_some_and(|age| age > UNUSUAL_AGE_YEARS) {
                cells.warning(
                    AGE_YEARS,
                    row.get(AGE_YEARS).unwrap_or_default(),
                    unusual_age(),
                );
            }
            let birth_year = cells.optional(BIRTH_YEAR, |text| {
                cells::integer_in(text, 1880, 2100).map(|year| year as i16)
            });
            let age_years = resolve_age(&mut cells, age_written, birth_year, diagnosis_date);
            let weight_kg = cells.optional(WEIGHT_KG, |text| {
                let weight = cells::number(text)?;
                if WEIGHT_RANGE_KG.contains(&weight) {
                    Ok(weight)
                } else {
                    Err(CellProblem::new(
                        "weight outside 0.3–400 kg",
                        "a body weight in kg from 0.3 to 400",
                    ))
                }
            });
            let triggers = cells.optional(TRIGGERS, parse_triggers).unwrap_or_default();
            let trigger_detail = row.get(TRIGGER_DETAIL).map(str::to_string);
            let centre = row.get(CENTRE).map(str::to_string);
            let mut finding = |column| cells.optional(column, cells::boolean).flatten();
            let immunosuppression = finding(IMMUNOSUPPRESSION);
            let hepatomegaly = finding(HEPATOMEGALY);
            let splenomegaly = finding(SPLENOMEGALY);
            let bm_hemophagocytosis = finding(BM_HEMOPHAGOCYTOSIS);
            let nk_activity_low = finding(NK_ACTIVITY_LOW);
            let molecular_hlh = finding(MOLECULAR_HLH);
            let last_followup_date = cells.optional(LAST_FOLLOWUP_DATE, cells::date);
            if let (Some(last_followup), Some(diagnosis)) = (last_followup_date, diagnosis_date) {
                if last_followup < diagnosis {
                    cells.row_error(
                        Some(LAST_FOLLOWUP_DATE),
                        format!("last follow-up is before the diagnosis date {diagnosis}"),
                    );
                }
            }

            match (cells.usable, id, sex, diagnosis_date, age_years) {
                (true, Some(id), Some(sex), Some(diagnosis_date), Some(age_years)) => {
                    let index = PatientIndex(registry.patients.len() as u32);
                    registry
                        .index_by_id
                        .insert(CompactString::from(id.as_str()), index);
                    registry.patients.push(Patient {
                        id,
                        centre,
                        sex,
                        age_years,
                        birth_year,
                        weight_kg,
                        diagnosis_date,
                        triggers,
                        trigger_detail,
                        immunosuppression,
                        hepatomegaly,
                        splenomegaly,
                        bm_hemophagocytosis,
                        nk_activity_low,
                        molecular_hlh,
                        last_followup_date,
                        source: SourceRow {
                            file: StudyFile::Patients,
                            line: row.line,
                        },
                    });
                }
                (_, Some(id), ..) => {
                    registry.rejected_ids.insert(id);
                }
                _ => {}
            }
        },
    );
    // A duplicate identifier rejects its later rows but keeps the first one: the duplicate error already
    // stops the analysis, and the timeline rows still get checked against the first patient.
    registry.readable = table.readable;
    for id in table.first_cells_of_misshapen_rows {
        registry.rejected_ids.insert(id);
    }
    registry
}

const AGE_EXPECTED: &str = "age in years at diagnosis, 0 ≤ age < 120";

fn unusual_age() -> CellProblem {
    CellProblem::new(
        format!("age above {UNUSUAL_AGE_YEARS} years"),
        "please check this age",
    )
}

/// Age as written, or diagnosis year − birth year (docs/analysis-schema.md, "Derivations"); both written must agree.
fn resolve_age(
    cells: &mut CellReader<'_, '_>,
    age_written: Option<f64>,
    birth_year: Option<i16>,
    diagnosis_date: Option<jiff::civil::Date>,
) -> Option<f64> {
    let age_from_birth_year = match (birth_year, diagnosis_date) {
        (Some(birth_year), Some(diagnosis)) => {
            let age = f64::from(diagnosis.year() - birth_year);
            if age < 0.0 {
                cells.row_error(
                    Some(BIRTH_YEAR),
                    format!(
                        "birth year is after the diagnosis year {}",
                        diagnosis.year()
                    ),
                );
                return None;
            }
            Some(age)
        }
        _ => None,
    };
    match (age_written, age_from_birth_year) {
        (Some(age), Some(derived)) => {
            // Someone born in year Y is Y' − Y − 1 or Y' − Y years old during year Y'.
            if !(derived - 1.0 <= age.floor() && age.floor() <= derived) {
                cells.row_warning(
                    Some(AGE_YEARS),
                    format!("age {age} disagrees with birth year {} (diagnosis year − birth year = {derived})", birth_year.unwrap_or_default()),
                );
            }
            Some(age)
        }
        (Some(age), None) => Some(age),
        (None, Some(derived)) => Some(derived),
        (None, None) => {
            let both_empty =
                cells.row.get(AGE_YEARS).is_none() && cells.row.get(BIRTH_YEAR).is_none();
            if both_empty {
                cells.row_error(None, "age_years or birth_year is required".to_string());
            }
            None
        }
    }
}

fn parse_triggers(text: &str) -> Result<Vec<Trigger>, CellProblem> {
    let mut triggers = Vec::new();
    for part in text
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let trigger = Trigger::from_name(part).ok_or_else(|| {
            CellProblem::new(
                format!("unknown trigger {part:?}"),
                format!(
                    "triggers separated by ';' from {}",
                    Trigger::expected_list()
                ),
            )
        })?;
        if !triggers.contains(&trigger) {
            triggers.push(trigger);
        }
    }
    Ok(triggers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_are_a_semicolon_list_of_known_words() {
        assert_eq!(
            parse_triggers("aosd; infection;"),
            Ok(vec![Trigger::Aosd, Trigger::Infection])
        );
        assert_eq!(parse_triggers("AOSD;aosd"), Ok(vec![Trigger::Aosd]));
        let problem = parse_triggers("infection;lymphoma").unwrap_err();
        assert_eq!(problem.message, "unknown trigger \"lymphoma\"");
    }
}
