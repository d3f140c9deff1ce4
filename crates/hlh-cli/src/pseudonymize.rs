//! `hlh pseudonymize STUDY --key-file KEY --out DIR` and `hlh pseudonymize --new-key KEY`: a study
//! prepared to leave the centre (docs/sharing.md).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use hlh_share::{Key, Reidentification, Settings};

use crate::atomic::{write_atomically, write_files_atomically};
use crate::output::{paint_error, paint_warning, refuse_to_write};
use crate::Outcome;

/// What `hlh pseudonymize` was asked for, besides a new key.
#[derive(Debug)]
pub struct Request<'a> {
    pub study: &'a Path,
    pub key_file: &'a Path,
    pub out: &'a Path,
    pub settings: Settings,
    pub reidentification: Option<&'a Path>,
}

/// Writes a fresh random key, readable by this user only; an existing file is never replaced.
pub fn new_key(path: &Path) -> anyhow::Result<Outcome> {
    let key = Key::random()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| {
        format!(
            "cannot write the key to {} (an existing key is never replaced)",
            path.display()
        )
    })?;
    std::io::Write::write_all(&mut file, key.to_file_text().as_bytes())
        .with_context(|| format!("cannot write the key to {}", path.display()))?;
    println!(
        "A new key was written to {} (readable by you only). Give the same key to every centre of the \
         study, by a channel other than the data, and keep it out of every shared folder.",
        path.display()
    );
    Ok(Outcome::Success)
}

/// Reads a key file, warning when other users of this computer can read it.
pub fn read_key(path: &Path) -> anyhow::Result<Key> {
    #[cfg(unix)]
    if let Ok(metadata) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if metadata.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "{}: {} can be read by other users of this computer (chmod 600 it)",
                paint_warning("warning"),
                path.display()
            );
        }
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    Key::from_file_text(&text).with_context(|| format!("{}", path.display()))
}

pub fn run(request: &Request) -> anyhow::Result<Outcome> {
    let key = read_key(request.key_file)?;
    if let Some(table) = request.reidentification {
        let out = absolute(request.out);
        if absolute(table).starts_with(&out) {
            bail!(
                "the re-identification table must not go into the pseudonymised study ({}), which is made to be shared",
                request.out.display()
            );
        }
    }
    let (sources, ingested) = crate::input::read_study_sources(request.study);
    if refuse_to_write(&ingested) {
        return Ok(Outcome::InvalidInput);
    }
    let pseudonymized = match hlh_share::pseudonymize(&sources, &key, &request.settings) {
        Ok(pseudonymized) => pseudonymized,
        Err(problems) => {
            for problem in problems {
                eprintln!("{}: {problem}", paint_error("error"));
            }
            eprintln!("{}: nothing was written", paint_error("error"));
            return Ok(Outcome::InvalidInput);
        }
    };
    write_files_atomically(
        request.out,
        &pseudonymized.files,
        &hlh_model::Origins::default(),
    )?;
    println!(
        "Pseudonymised study written to {} ({} patients; every date moved by at most {} days; free text {})",
        request.out.display(),
        pseudonymized.reidentification.len(),
        request.settings.max_shift_days,
        if request.settings.keep_free_text {
            "kept"
        } else {
            "left out"
        }
    );
    if let Some(table) = request.reidentification {
        write_private(
            table,
            &Reidentification::csv(&pseudonymized.reidentification),
        )?;
        println!(
            "Re-identification table written to {} (readable by you only): keep it in the centre",
            table.display()
        );
    }
    Ok(Outcome::Success)
}

/// Written whole and readable by this user only.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    write_atomically(path, |file| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.get_ref()
                .set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        std::io::Write::write_all(file, text.as_bytes())
    })
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
