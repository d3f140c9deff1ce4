//! Printing diagnostics for a person: colour only on a terminal and never when NO_COLOR is set.

use std::io::{IsTerminal, Write};

use hlh_ingest::{Diagnostic, Severity};

/// The exit status of a process whose output pipe was closed: 128 + SIGPIPE, as a shell reports a tool
/// that the closed pipe ended.
const CLOSED_PIPE_STATUS: i32 = 141;

/// Writes to standard output (the crate's `print!` and `println!`). When the reader has gone, there is
/// no one to tell: the process ends at once, quietly, with the status a shell gives a closed pipe.
pub fn print(text: std::fmt::Arguments) {
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_fmt(text).and_then(|()| out.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(CLOSED_PIPE_STATUS);
        }
        eprintln!("error: cannot write to standard output: {error}");
        std::process::exit(1);
    }
}

fn colour_enabled(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

fn paint(text: &str, ansi_colour: &str, is_terminal: bool) -> String {
    if colour_enabled(is_terminal) {
        format!("\x1b[1;{ansi_colour}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// "warning" in yellow, for messages on stderr.
pub fn paint_warning(text: &str) -> String {
    paint(text, "33", std::io::stderr().is_terminal())
}

/// "error" in red, for messages on stderr.
pub fn paint_error(text: &str) -> String {
    paint(text, "31", std::io::stderr().is_terminal())
}

/// A diagnostic for stdout, its severity word coloured on a terminal.
pub fn diagnostic_line(diagnostic: &Diagnostic) -> String {
    let text = diagnostic.to_string();
    let (word, colour) = match diagnostic.severity {
        Severity::Error => ("error", "31"),
        Severity::Warning => ("warning", "33"),
    };
    let painted = paint(word, colour, std::io::stdout().is_terminal());
    text.replacen(word, &painted, 1)
}

/// Prints every problem of what was read (to stderr); with an error, says that nothing was written and
/// returns true, so that a command that converts a study writes nothing half-checked.
pub fn refuse_to_write(ingested: &hlh_ingest::Ingested) -> bool {
    for diagnostic in &ingested.diagnostics {
        eprintln!("{}", diagnostic_line(diagnostic));
    }
    if !ingested.has_errors() {
        return false;
    }
    eprintln!(
        "{}: {}; nothing was written",
        paint_error("error"),
        hlh_ingest::count_line(
            ingested.count(Severity::Error),
            ingested.count(Severity::Warning)
        )
    );
    true
}
