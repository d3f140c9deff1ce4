//! The repository documents itself: every `*.md` path that a source file, script or page cites exists in
//! the repository (a clone has nothing beside it), and every protocol setting is documented.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `.rs`, `.py` and `.md` files of the repository, build output and version control left out.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                sources(&path, found);
            }
        } else if [".rs", ".py", ".md"].iter().any(|ext| name.ends_with(ext))
            // This file's own examples are not citations.
            && !path.ends_with("crates/hlh-cli/tests/docs.rs")
        {
            found.push(path);
        }
    }
}

/// Every `….md` path written in `text`, without an anchor, with the line it is on; web addresses
/// are not paths of the repository.
fn cited_pages(text: &str) -> Vec<(usize, String)> {
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-');
    let mut cited = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(found) = line[from..].find(".md") {
            let end = from + found + 3;
            from = end;
            if line[end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
                continue; // ".mdx", ".md5"
            }
            let start = line[..end]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| is_path_char(c))
                .last()
                .map_or(end, |(i, _)| i);
            let path = &line[start..end];
            let web = line[..start].ends_with(':')
                || line[..start]
                    .rsplit(char::is_whitespace)
                    .next()
                    .is_some_and(|word| word.contains("://") || word.contains("www."));
            // A file the example writes (`--out report.md`) is not a citation.
            let written = line[..start].ends_with("--out ");
            if !web && !written && path.trim_start_matches('.') != "md" {
                cited.push((number + 1, path.to_string()));
            }
        }
    }
    cited
}

#[test]
fn every_cited_page_is_in_the_repository() {
    let root = root();
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 50, "the walk found {} files", files.len());
    let mut missing = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (line, cited) in cited_pages(&text) {
            let beside = file.parent().unwrap().join(&cited);
            let from_root = root.join(&cited);
            let inside = |path: &Path| {
                path.canonicalize()
                    .is_ok_and(|p| p.starts_with(root.canonicalize().unwrap()))
            };
            if !(inside(&beside) || inside(&from_root)) {
                missing.push(format!(
                    "{}:{line}: {cited}",
                    file.strip_prefix(&root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "cited pages that are not in the repository:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_scanner_finds_paths_and_skips_addresses() {
    let text = "see docs/cli.md#json and [a](criteria/README.md), not https://x.org/a.md or x.mdx";
    let cited: Vec<String> = cited_pages(text).into_iter().map(|(_, p)| p).collect();
    assert_eq!(cited, ["docs/cli.md", "criteria/README.md"]);
    assert_eq!(
        cited_pages("(../shared/notes.md)")[0].1,
        "../shared/notes.md"
    );
}

#[test]
fn every_protocol_setting_is_documented() {
    let page = std::fs::read_to_string(root().join("docs/analysis-schema.md")).unwrap();
    for setting in hlh_outcomes::protocol::SETTINGS {
        assert!(
            page.contains(&format!("| `{}` |", setting.name)),
            "docs/analysis-schema.md does not list the setting {}",
            setting.name
        );
    }
}
