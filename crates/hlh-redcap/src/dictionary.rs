//! The REDCap data dictionary of an sHLH treatment study: one instrument for the patient and three
//! repeating ones (observation, treatment, event), each field a column of the study format, with the
//! field types, validations and choices REDCap accepts, ready to upload as it is.

use hlh_model::{Analyte, Drug, EventKind, RecordedResponse, StopReason, Trigger};

/// The dictionary header as REDCap's web interface writes it (the API writes `field_name,…`).
pub const WEB_HEADER: [&str; 18] = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
];

/// The instruments: the patient's, then the repeating ones, each the table of the study format it fills.
pub const PATIENT_FORM: &str = "patient";
pub const OBSERVATION_FORM: &str = "observation";
pub const TREATMENT_FORM: &str = "treatment";
pub const EVENT_FORM: &str = "event";

/// A field of the template.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub form: &'static str,
    pub kind: &'static str,
    pub label: &'static str,
    /// `code, label | …` for radio, dropdown and checkbox fields.
    pub choices: String,
    pub validation: &'static str,
    pub min: &'static str,
    pub max: &'static str,
    pub note: &'static str,
}

fn field(name: &'static str, form: &'static str, kind: &'static str, label: &'static str) -> Field {
    Field {
        name,
        form,
        kind,
        label,
        choices: String::new(),
        validation: "",
        min: "",
        max: "",
        note: "",
    }
}

fn text(
    name: &'static str,
    form: &'static str,
    label: &'static str,
    validation: &'static str,
) -> Field {
    Field {
        validation,
        ..field(name, form, "text", label)
    }
}

fn choose(
    name: &'static str,
    form: &'static str,
    kind: &'static str,
    label: &'static str,
    choices: String,
) -> Field {
    Field {
        choices,
        ..field(name, form, kind, label)
    }
}

/// `word, word | …`: REDCap codes are the study format's own words (letters, digits and `_`).
fn words(names: impl IntoIterator<Item = &'static str>) -> String {
    names
        .into_iter()
        .map(|name| format!("{}, {name}", code_of(name)))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The REDCap code of a word of the study format: REDCap codes hold letters, digits and `_` only, so
/// `mg/kg` is `mg_kg` and `twice weekly` is `twice_weekly`.
pub fn code_of(word: &str) -> String {
    word.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

const YES_NO: &str = "1, Yes | 0, No";

/// The template's fields, in instrument order; the record ID first, as REDCap requires.
pub fn fields() -> Vec<Field> {
    let mut fields = vec![
        text(
            "record_id",
            PATIENT_FORM,
            "Patient (pseudonymous identifier)",
            "",
        ),
        choose(
            "sex",
            PATIENT_FORM,
            "radio",
            "Sex",
            "M, Male | F, Female | U, Unknown".into(),
        ),
        Field {
            min: "0",
            max: "119",
            ..text(
                "age_years",
                PATIENT_FORM,
                "Age at diagnosis (years)",
                "number",
            )
        },
        Field {
            min: "1880",
            max: "2100",
            ..text(
                "birth_year",
                PATIENT_FORM,
                "Year of birth (if the age is not given)",
                "integer",
            )
        },
        Field {
            min: "0.3",
            max: "400",
            ..text("weight_kg", PATIENT_FORM, "Body weight (kg)", "number")
        },
        text(
            "diagnosis_date",
            PATIENT_FORM,
            "Date of the HLH diagnosis",
            "date_ymd",
        ),
        choose(
            "triggers",
            PATIENT_FORM,
            "checkbox",
            "Triggers (tick every one that applies; none ticked is unknown)",
            words(Trigger::ALL.iter().map(|t| t.name())),
        ),
        text("trigger_detail", PATIENT_FORM, "Trigger, in words", ""),
    ];
    for (name, label) in [
        ("immunosuppression", "Known immunosuppression"),
        ("hepatomegaly", "Hepatomegaly"),
        ("splenomegaly", "Splenomegaly"),
        (
            "bm_hemophagocytosis",
            "Haemophagocytosis in the bone marrow (empty if not done)",
        ),
        ("nk_activity_low", "Low or absent NK-cell activity"),
        ("molecular_hlh", "Molecular diagnosis consistent with HLH"),
    ] {
        fields.push(choose(name, PATIENT_FORM, "radio", label, YES_NO.into()));
    }
    fields.push(text(
        "last_followup_date",
        PATIENT_FORM,
        "Date of the last follow-up",
        "date_ymd",
    ));

    fields.extend([
        text(
            "obs_date",
            OBSERVATION_FORM,
            "Date of the result",
            "date_ymd",
        ),
        text(
            "obs_clock",
            OBSERVATION_FORM,
            "Time of day (optional)",
            "time",
        ),
        choose(
            "analyte",
            OBSERVATION_FORM,
            "dropdown",
            "Analyte",
            words(Analyte::ALL.iter().map(|a| a.name())),
        ),
        Field {
            note: "as printed, with its sign if censored: 12.5, <5, >100000",
            ..text("obs_value", OBSERVATION_FORM, "Value", "")
        },
        Field {
            note: "as the laboratory printed it: mg/L, ug/L, Cel, 10*9/L",
            ..text("obs_unit", OBSERVATION_FORM, "Unit", "")
        },
        choose(
            "drug",
            TREATMENT_FORM,
            "dropdown",
            "Drug",
            words(Drug::ALL.iter().map(|d| d.name())),
        ),
        text(
            "start_date",
            TREATMENT_FORM,
            "First administration",
            "date_ymd",
        ),
        text(
            "start_clock",
            TREATMENT_FORM,
            "Time of the first administration (optional)",
            "time",
        ),
        text(
            "end_date",
            TREATMENT_FORM,
            "Last administration (empty if ongoing)",
            "date_ymd",
        ),
        text(
            "end_clock",
            TREATMENT_FORM,
            "Time of the last administration (optional)",
            "time",
        ),
        Field {
            min: "0",
            ..text("dose", TREATMENT_FORM, "Dose", "number")
        },
        choose(
            "dose_unit",
            TREATMENT_FORM,
            "dropdown",
            "Dose unit",
            words(hlh_model::DoseUnit::ALL.iter().map(|u| u.name())),
        ),
        choose(
            "frequency",
            TREATMENT_FORM,
            "dropdown",
            "Frequency",
            words(hlh_model::Frequency::ALL.iter().map(|f| f.name())),
        ),
        choose(
            "route",
            TREATMENT_FORM,
            "radio",
            "Route",
            words(hlh_model::Route::ALL.iter().map(|r| r.name())),
        ),
        choose(
            "stop_reason",
            TREATMENT_FORM,
            "dropdown",
            "Why it was stopped",
            words(StopReason::ALL.iter().map(|r| r.name())),
        ),
        choose(
            "line",
            TREATMENT_FORM,
            "radio",
            "Line of HLH therapy (empty: derived from the dates)",
            "first, First line | later, A later line".into(),
        ),
        text("event_date", EVENT_FORM, "Date of the event", "date_ymd"),
        text("event_clock", EVENT_FORM, "Time of day (optional)", "time"),
        choose(
            "event_kind",
            EVENT_FORM,
            "dropdown",
            "Event",
            words(EventKind::ALL.iter().map(|e| e.name())),
        ),
        text(
            "event_detail",
            EVENT_FORM,
            "Detail (adverse event type, infection, …)",
            "",
        ),
        choose(
            "grade",
            EVENT_FORM,
            "radio",
            "CTCAE grade",
            "1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5".into(),
        ),
        choose(
            "event_drug",
            EVENT_FORM,
            "dropdown",
            "Drug it is attributed to",
            words(Drug::ALL.iter().map(|d| d.name())),
        ),
        choose(
            "led_to_discontinuation",
            EVENT_FORM,
            "radio",
            "Led to stopping that drug",
            YES_NO.into(),
        ),
        choose(
            "recorded_response",
            EVENT_FORM,
            "dropdown",
            "Recorded response (for a response assessment)",
            words(RecordedResponse::ALL.iter().map(|r| r.name())),
        ),
    ]);
    fields
}

/// The dictionary as REDCap's web interface exports it and accepts for upload.
pub fn template_csv() -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(WEB_HEADER);
    for field in fields() {
        let _ = writer.write_record([
            field.name,
            field.form,
            "",
            field.kind,
            field.label,
            &field.choices,
            field.note,
            field.validation,
            field.min,
            field.max,
            "",
            "",
            if field.name == "record_id" { "y" } else { "" },
            "",
            "",
            "",
            "",
            "",
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}
