//! No workbook makes the reader panic: mangled archives, cells of any content, a sheet whose last cell is
//! a million rows down, a file that expands without bound. Bounded: a few dozen cases per property.

use std::io::Write;

use hlh_workbook::{read_workbook, template};
use proptest::prelude::*;
use rust_xlsxwriter::{Format, Workbook};

fn read_bytes(bytes: &[u8]) -> hlh_ingest::Ingested {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.xlsx");
    std::fs::write(&path, bytes).unwrap();
    read_workbook(&path)
}

/// A cell of any kind: text of any characters (line breaks, quotes, commas, comparators), numbers of
/// any size, booleans, empty.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Flag(bool),
    Empty,
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        "[ -~\\n\\r\"éµ°≤]{0,12}".prop_map(Cell::Text),
        any::<f64>().prop_map(Cell::Number),
        any::<bool>().prop_map(Cell::Flag),
        Just(Cell::Empty),
        prop::sample::select(vec![
            "P1",
            "2020-01-10",
            "crp",
            "12",
            "mg/L",
            "M",
            "<5",
            "3,5"
        ])
        .prop_map(|s| Cell::Text(s.to_string())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_mangled_template_is_an_error_not_a_panic(
        cuts in prop::collection::vec((0usize..40_000, any::<u8>()), 1..20),
        keep in 100usize..40_000,
    ) {
        let mut bytes = template().unwrap();
        for (at, value) in cuts {
            let at = at % bytes.len();
            bytes[at] = value;
        }
        bytes.truncate(keep.min(bytes.len()));
        let _ = read_bytes(&bytes);
    }

    #[test]
    fn cells_of_any_content_are_read_or_reported(rows in prop::collection::vec(prop::collection::vec(cell(), 0..7), 0..12)) {
        let mut workbook = Workbook::new();
        for name in ["patients", "observations"] {
            let sheet = workbook.add_worksheet().set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, value) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match value {
                        Cell::Text(text) => { sheet.write_string(r, c, text).unwrap(); }
                        Cell::Number(number) if number.is_finite() => { sheet.write_number(r, c, *number).unwrap(); }
                        Cell::Flag(flag) => { sheet.write_boolean(r, c, *flag).unwrap(); }
                        Cell::Number(_) | Cell::Empty => {}
                    }
                }
            }
        }
        let ingested = read_bytes(&workbook.save_to_buffer().unwrap());
        for diagnostic in &ingested.diagnostics {
            // Every problem is placed: on a sheet, or on the workbook as a whole.
            prop_assert!(diagnostic.file == "study.xlsx");
            let _ = diagnostic.to_string();
        }
    }
}

/// Found by the property above: a sheet whose dimension names a column of ten letters made calamine
/// overflow (a panic in a build with overflow checks). The sheet is reported, nothing panics.
#[test]
fn a_sheet_dimension_beyond_any_column_is_a_problem_not_a_panic() {
    use std::io::Read;
    let template = template().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(template)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut mangled = 0;
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).unwrap();
        let name = part.name().to_string();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        if name.starts_with("xl/worksheets/sheet") {
            let text = String::from_utf8(bytes).unwrap();
            let start = text.find("<dimension ref=\"").unwrap() + "<dimension ref=\"".len();
            let end = start + text[start..].find('"').unwrap();
            bytes = format!("{}ZZZZZZZZZZ1:A1{}", &text[..start], &text[end..]).into_bytes();
            mangled += 1;
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    assert!(mangled > 0);
    let bytes = out.finish().unwrap().into_inner();
    let ingested = read_bytes(&bytes);
    assert!(
        ingested
            .diagnostics
            .iter()
            .any(|d| d.to_string().contains("the sheet cannot be read")),
        "{:?}",
        ingested.diagnostics
    );
}

#[test]
fn a_sheet_whose_last_cell_is_a_million_rows_down_reads_as_its_few_rows() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("patients").unwrap();
    for (col, name) in ["patient_id", "sex", "age_years", "diagnosis_date"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    for (col, value) in ["P1", "M", "45", "2020-01-10"].iter().enumerate() {
        sheet.write_string(1, col as u16, *value).unwrap();
    }
    // Excel re-saves often leave formatted, empty rows down to the end of the sheet.
    sheet
        .write_blank(1_048_575, 3, &Format::new().set_bold())
        .unwrap();
    sheet.write_string(1_048_575, 0, "").unwrap();
    let ingested = read_bytes(&workbook.save_to_buffer().unwrap());
    assert!(!ingested.has_errors(), "{:?}", ingested.diagnostics);
    assert_eq!(ingested.study.patients.len(), 1);
}

#[test]
fn a_workbook_that_would_expand_without_bound_is_refused_unread() {
    // Two small parts whose central directory entries declare 3 GiB each, as a zip bomb's do: the
    // declared sizes are added up before anything is expanded.
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for name in ["xl/workbook.xml", "xl/worksheets/sheet1.xml"] {
        archive
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        archive.write_all(b"<x/>").unwrap();
    }
    let mut bytes = archive.finish().unwrap().into_inner();
    let signature = [0x50, 0x4B, 0x01, 0x02];
    let headers: Vec<usize> = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, window)| *window == signature)
        .map(|(at, _)| at)
        .collect();
    assert_eq!(headers.len(), 2);
    for at in headers {
        // The uncompressed size sits 24 bytes into a central directory header.
        bytes[at + 24..at + 28].copy_from_slice(&0xC000_0000u32.to_le_bytes());
    }
    let ingested = read_bytes(&bytes);
    let first = ingested.diagnostics[0].to_string();
    assert!(first.contains("expands to"), "{first}");
}

#[test]
fn an_encrypted_workbook_is_an_error_that_says_it_cannot_be_read() {
    // A password-protected .xlsx is an OLE compound file, not a zip archive: its signature, then junk.
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend(std::iter::repeat_n(0u8, 4096));
    let ingested = read_bytes(&bytes);
    assert!(ingested.has_errors());
    assert!(ingested.diagnostics[0]
        .to_string()
        .contains("cannot be read as a workbook"));
}
