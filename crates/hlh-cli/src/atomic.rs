//! Every file and folder the command line writes is written beside its target and renamed into place, so
//! that a reader never sees half an output and a failure leaves nothing half-written.

use std::fs;
use std::path::Path;

use anyhow::Context;

/// A hidden name beside `target` for writing it before it is renamed into place; the process id keeps
/// two runs apart.
fn partial_path(target: &Path) -> std::path::PathBuf {
    let directory = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    directory.join(format!(".{name}.partial-{}", std::process::id()))
}

/// Writes beside the target and renames into place: a reader never sees half a file, and a failed
/// write leaves no partial file behind.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<fs::File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let partial = partial_path(path);
    let result = fs::File::create(&partial).and_then(|file| {
        let mut out = std::io::BufWriter::new(file);
        write(&mut out)?;
        std::io::Write::flush(&mut out)
    });
    if let Err(error) = result {
        let _ = fs::remove_file(&partial);
        return Err(error).with_context(|| format!("cannot write {}", path.display()));
    }
    fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a whole folder beside the target and swaps it into place (replacing an earlier one): a reader
/// never sees half a folder, and a failed write leaves the earlier folder, if any, as it was.
pub fn write_folder_atomically(
    folder: &Path,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let partial = partial_path(folder);
    let written = fs::create_dir_all(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))
        .and_then(|()| write(&partial));
    if let Err(error) = written {
        let _ = fs::remove_dir_all(&partial);
        return Err(error);
    }
    if folder.exists() {
        fs::remove_dir_all(folder)
            .with_context(|| format!("cannot replace {}", folder.display()))?;
    }
    fs::rename(&partial, folder).with_context(|| format!("cannot write {}", folder.display()))
}

/// A study folder of named text files (a workbook or an export converted), written whole, with the
/// origins of their lines when they were built from another layout (`origins.csv`).
pub fn write_files_atomically(
    folder: &Path,
    files: &[(&str, String)],
    origins: &hlh_model::Origins,
) -> anyhow::Result<()> {
    let origins = hlh_ingest::origins_csv(origins).map(|text| (hlh_ingest::ORIGINS_CSV, text));
    write_folder_atomically(folder, |partial| {
        for (name, text) in files.iter().chain(origins.as_ref()) {
            fs::write(partial.join(name), text).with_context(|| format!("cannot write {name}"))?;
        }
        Ok(())
    })
}
