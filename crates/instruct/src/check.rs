//! The instruction checker (paper section 3.1): keeps a generated instruction only if it asks
//! for photometric edits (no content-edit verbs acting on objects), is not a duplicate, and does
//! not contradict itself.

use crate::matcher::match_instruction;
use std::collections::HashSet;

/// Why an instruction was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    ContentEdit(String),
    Duplicate,
    Contradiction(String),
    NoEdit,
}

/// Stateful checker (remembers what it accepted, to refuse duplicates).
#[derive(Default)]
pub struct Checker {
    seen: HashSet<String>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, text: &str) -> Result<(), Refusal> {
        let m = match_instruction(text);
        if let Some(c) = m.content_edits.first() {
            return Err(Refusal::ContentEdit(c.clone()));
        }
        if let Some(a) = m.contradictions.first() {
            return Err(Refusal::Contradiction(a.key()));
        }
        if m.targets.is_empty() {
            return Err(Refusal::NoEdit);
        }
        let key = crate::matcher::normalise(text);
        if !self.seen.insert(key) {
            return Err(Refusal::Duplicate);
        }
        Ok(())
    }
}
