//! `retouch read "SENTENCE" [--json]`: what the sentence is understood to ask, without a photo
//! or the retouching model: requests with amounts and confidences, fixes the photo will size,
//! kept aspects, a generic request, the language, corrections and the words not understood.
//! Clauses the rules read nothing in go to the learned reader, as in `retouch edit`.

use anyhow::{bail, Result};
use retouch_instruct::Reading;
use retouch_service::understand::{notes, refusal};

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
    outln!("understood: {}", r.plain());
    outln!("as targets: {}", r.summary());
    for n in notes(&r) {
        outln!("{n}");
    }
    if let Some(why) = refusal(&r) {
        if r.likens() {
            // Read by the retouching model's nearest-phrase similarity, not loaded here.
            outln!(
                "a look asked for by likeness: `retouch edit` reads it by the nearest known phrase"
            );
        } else {
            outln!("{why}");
        }
    }
    Ok(())
}
