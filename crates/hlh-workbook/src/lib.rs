//! Excel workbooks as studies (docs/workbooks.md): a workbook read with the study format's rules, each
//! problem named by sheet and cell; the template an investigator fills; a study folder written as a
//! workbook and back.

mod cells;
mod draft;
mod read;
mod wide;
mod write;

pub use draft::draft_mapping;
pub use read::{read_workbook, read_workbook_files, sheet_cells, STUDY_SHEETS, STUDY_TOML_SHEET};
pub use wide::{read_wide_workbook, read_wide_workbook_files};
pub use write::{study_workbook, template, EXAMPLE_PATIENT};

use std::path::Path;

use hlh_ingest::{is_workbook_path, read_study_folder, Ingested};

/// Reads a study path: a workbook by its extension (`hlh_ingest::WORKBOOK_EXTENSIONS`), else a folder.
pub fn read_workbook_or_folder(path: &Path) -> Ingested {
    if is_workbook_path(path) {
        read_workbook(path)
    } else {
        read_study_folder(path)
    }
}
