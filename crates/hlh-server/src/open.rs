//! Opening a study: a folder or workbook on this machine, named by its path, or an upload (a workbook, a
//! zip of the CSV folder, a REDCap dictionary and records) saved in the server's private folder. What
//! was opened is kept with its sources, so that each problem can show the row it came from.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use hlh_ingest::{is_workbook_path, Diagnostic, Ingested, WORKBOOK_EXTENSIONS};

/// The most an upload may weigh (the body of its request).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// The most the study files of an uploaded archive may unpack to, all together.
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;

/// The most entries an uploaded archive may list.
pub const MAX_ARCHIVE_ENTRIES: usize = 10_000;

/// The files of a study folder, as an archive may hold them (in any case).
const STUDY_FILES: [&str; 5] = [
    "patients.csv",
    "observations.csv",
    "treatments.csv",
    "events.csv",
    "study.toml",
];

/// Where the rows of a study's problems can be read again.
#[derive(Debug)]
pub enum Sources {
    /// A study folder (opened by path, or unpacked from an archive): its CSV files by name.
    Folder(PathBuf),
    /// A workbook: its sheets.
    Workbook(PathBuf),
    /// A REDCap export: the dictionary's and the records' names and texts.
    Texts(Vec<(String, String)>),
}

/// A study as read, and where it came from.
#[derive(Debug)]
pub struct Opened {
    /// How pages name it: the folder's or file's name (never its full path, which may name a patient).
    pub name: String,
    pub ingested: Ingested,
    pub sources: Sources,
}

/// Why a study could not be opened (shown on the page; the study is not opened).
#[derive(Debug)]
pub struct OpenError {
    pub too_large: bool,
    pub message: String,
}

impl OpenError {
    fn refused(message: String) -> OpenError {
        OpenError {
            too_large: false,
            message,
        }
    }
}

fn shown_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Opens the folder or workbook at `path` on this machine; it is only read.
pub fn open_path(path: &Path) -> Result<Opened, OpenError> {
    let path = path.canonicalize().map_err(|error| {
        OpenError::refused(format!("{} cannot be opened: {error}", path.display()))
    })?;
    let sources = if path.is_dir() {
        Sources::Folder(path.clone())
    } else if path.is_file() && is_workbook_path(&path) {
        Sources::Workbook(path.clone())
    } else {
        return Err(OpenError::refused(format!(
            "{} is neither a study folder nor a workbook ({})",
            path.display(),
            WORKBOOK_EXTENSIONS.join(", ")
        )));
    };
    Ok(Opened {
        name: shown_name(&path),
        ingested: hlh_workbook::read_workbook_or_folder(&path),
        sources,
    })
}

/// Saves an uploaded workbook into `folder` (made for this upload) and reads it. The name it had on
/// the uploader's machine gives only its extension and the name pages show.
pub fn open_uploaded_workbook(
    folder: &Path,
    uploaded_name: &str,
    bytes: &[u8],
) -> Result<Opened, OpenError> {
    let extension = Path::new(uploaded_name)
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|extension| WORKBOOK_EXTENSIONS.contains(&extension.as_str()))
        .ok_or_else(|| {
            OpenError::refused(format!(
                "a workbook must end in one of {}",
                WORKBOOK_EXTENSIONS.join(", ")
            ))
        })?;
    let path = folder.join(format!("study.{extension}"));
    write_private(&path, bytes)?;
    Ok(Opened {
        name: uploaded_name.to_string(),
        ingested: hlh_workbook::read_workbook(&path),
        sources: Sources::Workbook(path),
    })
}

/// Unpacks the study files of an uploaded zip of a study folder into `folder` and reads them. The
/// files may be at the top of the archive or in one folder; other entries are not unpacked. Refused:
/// an archive that is not a zip, lists too many entries, has an entry with `..` or an absolute path, or
/// whose study files unpack (as counted while unpacking, not as the archive declares) beyond the limit.
pub fn open_uploaded_archive(
    folder: &Path,
    uploaded_name: &str,
    bytes: &[u8],
) -> Result<Opened, OpenError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|error| {
        OpenError::refused(format!("{uploaded_name} is not a zip archive: {error}"))
    })?;
    if archive.len() > MAX_ARCHIVE_ENTRIES {
        return Err(OpenError::refused(format!(
            "{uploaded_name} lists {} entries, more than a study folder's archive may ({MAX_ARCHIVE_ENTRIES})",
            archive.len()
        )));
    }
    // First every name, so that nothing is unpacked from an archive that will be refused.
    let mut wanted: Vec<(usize, String, String)> = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|error| {
            OpenError::refused(format!("{uploaded_name}: entry {index}: {error}"))
        })?;
        let name = entry.name().to_string();
        let unsafe_path = name.starts_with('/')
            || name.starts_with('\\')
            || name.contains(':')
            || name.split(['/', '\\']).any(|part| part == "..");
        if unsafe_path || entry.enclosed_name().is_none() {
            return Err(OpenError::refused(format!(
                "{uploaded_name}: the entry {:?} points outside the archive's folder; the archive is refused",
                hlh_model::shown_value(&name)
            )));
        }
        if entry.is_dir() {
            continue;
        }
        let (parent, file) = match name.rsplit_once('/') {
            Some((parent, file)) => (parent.to_string(), file),
            None => (String::new(), name.as_str()),
        };
        if let Some(study_file) = STUDY_FILES.iter().find(|f| f.eq_ignore_ascii_case(file)) {
            wanted.push((index, parent, study_file.to_string()));
        }
    }
    // The study is the folder that holds patients.csv (the top, or one folder inside).
    let mut folders: Vec<&String> = wanted
        .iter()
        .filter(|(_, _, file)| file == "patients.csv")
        .map(|(_, parent, _)| parent)
        .collect();
    folders.dedup();
    let study_folder = match folders.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Err(OpenError::refused(format!(
                "{uploaded_name} holds no patients.csv; zip the study folder (patients.csv, observations.csv, \
                 treatments.csv, events.csv, study.toml)"
            )))
        }
        _ => {
            return Err(OpenError::refused(format!(
                "{uploaded_name} holds several study folders (patients.csv in each); upload one study at a time"
            )))
        }
    };
    let unpacked = folder.join("study");
    std::fs::create_dir(&unpacked).map_err(|error| {
        OpenError::refused(format!("the private folder cannot be written: {error}"))
    })?;
    let mut budget = MAX_UNPACKED_BYTES;
    for (index, _, file) in wanted
        .iter()
        .filter(|(_, parent, _)| *parent == study_folder)
    {
        let entry = archive
            .by_index(*index)
            .map_err(|error| OpenError::refused(format!("{uploaded_name}: {file}: {error}")))?;
        let mut contents = Vec::new();
        entry
            .take(budget + 1)
            .read_to_end(&mut contents)
            .map_err(|error| {
                OpenError::refused(format!(
                    "{uploaded_name}: {file} cannot be unpacked: {error}"
                ))
            })?;
        if contents.len() as u64 > budget {
            return Err(OpenError {
                too_large: true,
                message: format!(
                    "{uploaded_name} unpacks to more than {} MiB of study files; it is refused",
                    MAX_UNPACKED_BYTES / (1024 * 1024)
                ),
            });
        }
        budget -= contents.len() as u64;
        write_private(&unpacked.join(file), &contents)?;
    }
    Ok(Opened {
        name: uploaded_name.to_string(),
        ingested: hlh_ingest::read_study_folder(&unpacked),
        sources: Sources::Folder(unpacked),
    })
}

/// The files of a REDCap export, as uploaded.
#[derive(Debug)]
pub struct RedcapUpload {
    pub dictionary: (String, Vec<u8>),
    pub records: (String, Vec<u8>),
    pub mapping: Option<(String, Vec<u8>)>,
    pub missing_codes: Vec<String>,
}

/// Saves a REDCap export into `folder` and reads it as `hlh redcap import` does.
pub fn open_uploaded_redcap(folder: &Path, upload: RedcapUpload) -> Result<Opened, OpenError> {
    let text = |(name, bytes): &(String, Vec<u8>),
                saved_as: &str|
     -> Result<(String, String), OpenError> {
        write_private(&folder.join(saved_as), bytes)?;
        String::from_utf8(bytes.clone())
            .map(|text| (name.clone(), text))
            .map_err(|_| {
                OpenError::refused(format!(
                    "{name} is not UTF-8 text (export it as CSV from REDCap)"
                ))
            })
    };
    let dictionary = text(&upload.dictionary, "dictionary.csv")?;
    let records = text(&upload.records, "records.csv")?;
    let mapping = upload
        .mapping
        .as_ref()
        .map(|mapping| text(mapping, "mapping.toml"))
        .transpose()?;
    let (ingested, _files) = hlh_redcap::import(&hlh_redcap::Export {
        dictionary_name: &dictionary.0,
        dictionary: &dictionary.1,
        records_name: &records.0,
        records: &records.1,
        missing_codes: &upload.missing_codes,
        mapping: mapping
            .as_ref()
            .map(|(name, text)| (name.as_str(), text.as_str())),
    });
    Ok(Opened {
        name: format!("{} (REDCap)", records.0),
        ingested,
        sources: Sources::Texts(vec![dictionary, records]),
    })
}

/// Writes a file readable by this user only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), OpenError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, bytes))
        .map_err(|error| {
            OpenError::refused(format!("the private folder cannot be written: {error}"))
        })
}

/// A row of a source, as cells, with its header; read again for the problems page.
#[derive(Debug, Clone)]
pub struct SourceRow {
    pub header: Vec<String>,
    pub cells: Vec<String>,
}

/// The cells of every row of a file or sheet, the header first.
type Rows = Vec<Vec<String>>;

/// The rows of the sources, read once per file (or workbook sheet) for one page.
#[derive(Debug, Default)]
pub struct RowReader {
    files: HashMap<(String, Option<String>), Option<Rows>>,
}

impl RowReader {
    /// The row a problem is on, with the header of its file or sheet; `None` for a problem of a whole
    /// file, or a file that cannot be read again.
    pub fn row(&mut self, sources: &Sources, diagnostic: &Diagnostic) -> Option<SourceRow> {
        let line = usize::try_from(diagnostic.line?).ok()?;
        let key = (diagnostic.file.clone(), diagnostic.sheet.clone());
        let rows = self
            .files
            .entry(key)
            .or_insert_with(|| rows_of(sources, diagnostic))
            .as_ref()?;
        let header = rows.first()?.clone();
        let cells = rows.get(line.checked_sub(1)?)?.clone();
        Some(SourceRow { header, cells })
    }
}

/// Every row of the file or sheet a problem names, each line of a CSV file as its cells (a quoted
/// field across lines shows its first line only).
fn rows_of(sources: &Sources, diagnostic: &Diagnostic) -> Option<Rows> {
    let csv_lines = |text: &str| -> Rows {
        text.trim_start_matches('\u{feff}')
            .split('\n')
            .map(|line| {
                let line = line.strip_suffix('\r').unwrap_or(line);
                csv_cells(line)
            })
            .collect()
    };
    match sources {
        Sources::Folder(folder) => {
            // Only a file listed in the folder, matched by name: never a path made from the request.
            let listed = std::fs::read_dir(folder)
                .ok()?
                .filter_map(Result::ok)
                .find(|entry| {
                    entry
                        .file_name()
                        .to_str()
                        .is_some_and(|name| name.eq_ignore_ascii_case(&diagnostic.file))
                })?;
            let text = std::fs::read(listed.path()).ok()?;
            Some(csv_lines(&String::from_utf8_lossy(&text)))
        }
        Sources::Texts(texts) => texts
            .iter()
            .find(|(name, _)| *name == diagnostic.file)
            .map(|(_, text)| csv_lines(text)),
        Sources::Workbook(path) => hlh_workbook::sheet_cells(path, diagnostic.sheet.as_deref()?),
    }
}

fn csv_cells(line: &str) -> Vec<String> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|record| record.iter().map(str::to_string).collect())
        .unwrap_or_default()
}
