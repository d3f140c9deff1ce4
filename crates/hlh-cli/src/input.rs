//! Where a study is read from: a study folder, or (with the `workbook` feature) a workbook file.

use std::path::Path;

use hlh_ingest::{read_study_folder, Ingested};

/// Reads the study at `path`: a workbook (by its extension) or a study folder.
pub fn read_study(path: &Path) -> Ingested {
    if is_workbook(path) {
        read_workbook(path)
    } else {
        read_study_folder(path)
    }
}

pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            WORKBOOK_EXTENSIONS
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
        })
}

/// The extensions read as workbooks.
pub const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

#[cfg(feature = "workbook")]
fn read_workbook(path: &Path) -> Ingested {
    hlh_workbook::read_workbook(path)
}

#[cfg(not(feature = "workbook"))]
fn read_workbook(path: &Path) -> Ingested {
    use hlh_ingest::{Diagnostic, Severity};
    Ingested {
        study: Default::default(),
        settings: Default::default(),
        diagnostics: vec![Diagnostic {
            severity: Severity::Error,
            file: path.display().to_string(),
            sheet: None,
            line: None,
            column: None,
            value: None,
            message: "this hlh was built without workbook support (the `workbook` feature)".into(),
            expected: Some("a study folder".into()),
            hint: None,
        }],
    }
}
