//! `retouch read "SENTENCE" [--json]`: what the sentence is understood to ask, without a photo
//! or the retouching model: requests with amounts and confidences, fixes the photo will size,
//! kept aspects, a generic request, the language, corrections and the words not understood.
//! Clauses the rules read nothing in go to the learned reader, as in `retouch edit`.

use anyhow::{bail, Result};
use retouch_instruct::Reading;

#[derive(clap::Args)]
pub struct Args {
    /// The instruction, in any of the languages the lexicon knows (slider settings such as
    /// "-1 EV" are taken as the sentence, not as options).
    #[arg(allow_hyphen_values = true)]
    pub sentence: String,
    /// Print the whole reading as JSON.
    #[arg(long)]
    pub json: bool,
    /// The rules alone (no learned reader).
    #[arg(long)]
    pub rules_only: bool,
}

/// The reading's messages in plain words: what was rewritten and what was not understood.
pub fn notes(r: &Reading) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(l) = r.language {
        out.push(format!("read as {l:?}: \"{}\"", r.english));
    }
    for c in &r.corrections {
        out.push(format!("read \"{}\" as \"{}\"", c.from, c.to));
    }
    for l in &r.learned {
        out.push(format!("read by the learned reader: \"{}\"", l.text));
    }
    if !r.unread.is_empty() {
        out.push(format!("not understood: {}", r.unread.join(", ")));
    }
    out
}

/// Why nothing can be done with a reading, if nothing can.
pub fn refusal(r: &Reading) -> Option<String> {
    if !r.is_empty() {
        return None;
    }
    let what = if !r.keep.is_empty() {
        "it only says what to keep".to_string()
    } else if !r.content_edits.is_empty() {
        "it asks to change the content, and only colour and tone are edited".to_string()
    } else if r.unread.is_empty() {
        "it names no colour or tone change".to_string()
    } else {
        format!(
            "none of its words ask for a colour or tone change ({})",
            r.unread.join(", ")
        )
    };
    Some(format!(
        "nothing to do for \"{}\": {what}; say what to change, e.g. \"warmer\", \"brighter\", \"more contrast\", \"enhance\"",
        r.text.trim()
    ))
}

pub fn run(a: Args) -> Result<()> {
    if a.sentence.trim().is_empty() {
        bail!("the sentence is empty");
    }
    let mut r = Reading::new(&a.sentence);
    if !a.rules_only && !r.unread_clauses().is_empty() {
        retouch_model::reader::LearnedReader::shipped()?.complete(&mut r)?;
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    outln!("understood: {}", r.summary());
    for n in notes(&r) {
        outln!("{n}");
    }
    if let Some(why) = refusal(&r) {
        outln!("{why}");
    }
    Ok(())
}
