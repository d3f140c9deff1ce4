//! The wide layout clinicians keep: one row per patient, one column per analyte and time point
//! (`crp_d0`, `CRP J7`), or a row per time point, read through a mapping file that says what each
//! column is (docs/workbooks.md, "The wide layout"). The sheet becomes a grid of cell texts for the
//! mapped reader of hlh-ingest, which places each problem back on its cell.

use std::path::Path;

use hlh_ingest::mapped::{read_mapped, Grid, GridRow, Mapping};
use hlh_ingest::{shown_file_name, Ingested};

use crate::read::{sheet_grid, whole_file};

/// Reads a wide workbook through its mapping file.
pub fn read_wide_workbook(workbook: &Path, mapping_path: &Path) -> Ingested {
    read_wide_workbook_files(workbook, mapping_path).0
}

/// Reads a wide workbook through its mapping file and gives, beside what was read, the study folder's
/// files it makes (for `hlh convert`).
pub fn read_wide_workbook_files(
    workbook: &Path,
    mapping_path: &Path,
) -> (Ingested, Vec<(&'static str, String)>) {
    let file = shown_file_name(workbook);
    let mapping_file = mapping_path.display().to_string();
    let failed = |diagnostics| (Ingested::unread(diagnostics), Vec::new());
    let mapping = match std::fs::read_to_string(mapping_path) {
        Ok(text) => match Mapping::read(&text, &mapping_file) {
            Ok(mapping) => mapping,
            Err(problems) => return failed(problems),
        },
        Err(error) => {
            return failed(vec![whole_file(
                &mapping_file,
                format!("cannot be read: {error}"),
            )])
        }
    };
    let mut problems = Vec::new();
    let Some((sheet, cells)) = sheet_grid(workbook, mapping.sheet(), &file, &mut problems) else {
        return failed(problems);
    };
    let mut rows = cells.into_iter().enumerate();
    let header = rows.next().map(|(_, header)| header).unwrap_or_default();
    let grid = Grid {
        file,
        sheet: Some(sheet),
        column_numbers: (1..=header.len()).collect(),
        header,
        rows: rows
            .map(|(index, cells)| GridRow {
                line: index as u64 + 1,
                context: None,
                cells,
            })
            .collect(),
        ..Grid::default()
    };
    let (mut ingested, files) = read_mapped(&grid, &mapping, &mapping_file);
    // The sheet's own problems (error cells) come first, as the sheet is read before the mapping.
    problems.append(&mut ingested.diagnostics);
    ingested.diagnostics = problems;
    (ingested, files)
}
