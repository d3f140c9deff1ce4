//! Provenance: the patients (and their rows) behind each number of the tables, listed at the end of
//! the report; a number links to its list, and each patient in a list links to the case card that shows
//! the rows of the study files.

use crate::document::{linked, text, Block, Inline};

/// One patient in a source list, with the rows or values that made them count.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub patient: usize,
    pub patient_id: String,
    pub detail: String,
}

#[derive(Debug)]
pub struct Sources {
    /// False when patient-level content is left out (suppression, or a cohort too large to list).
    enabled: bool,
    entries: Vec<(String, String, u64, Vec<Member>)>,
}

impl Sources {
    pub fn new(enabled: bool) -> Sources {
        Sources {
            enabled,
            entries: Vec::new(),
        }
    }

    /// Records the patients behind a number the analysis gives as `count`; returns the anchor to link
    /// to, or `None` when patient lists are left out.
    pub fn add(&mut self, title: String, count: u64, members: Vec<Member>) -> Option<String> {
        if !self.enabled {
            return None;
        }
        let id = format!("source-{}", self.entries.len() + 1);
        self.entries.push((id.clone(), title, count, members));
        Some(id)
    }

    /// The closing section: one list per number. A list whose length differs from the analysis' count
    /// says so (it would be a defect of hlhkit; the tests check that none does).
    pub fn blocks(&self) -> Vec<Block> {
        let mut blocks = Vec::new();
        for (id, title, count, members) in &self.entries {
            let mut heading = format!(
                "{title}: {count} patient{}",
                if *count == 1 { "" } else { "s" }
            );
            if members.len() as u64 != *count {
                heading += &format!(
                    " — SOURCE MISMATCH: {} patients listed; please report this defect of hlhkit",
                    members.len()
                );
            }
            blocks.push(Block::Heading {
                level: 4,
                text: heading,
                id: id.clone(),
            });
            let items: Vec<Vec<Inline>> = members
                .iter()
                .map(|m| {
                    let mut item = vec![linked(
                        m.patient_id.clone(),
                        Some(crate::cards::card_id(m.patient)),
                    )];
                    if !m.detail.is_empty() {
                        item.push(text(format!(": {}", m.detail)));
                    }
                    item
                })
                .collect();
            blocks.push(Block::List {
                id: None,
                items: if items.is_empty() {
                    vec![vec![text("no patient")]]
                } else {
                    items
                },
            });
        }
        blocks
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
