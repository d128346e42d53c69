//! The text stage: what an instruction is understood to ask, and the warnings that implies
//! (words rewritten or not understood, content edits refused, regions without a mask).

use crate::{Result, Service, ServiceError};
use retouch_finish::Region;
use retouch_instruct::Reading;
use retouch_model::Instruction;
use std::time::{Duration, Instant};

/// An instruction as the model will use it.
pub struct Understood {
    pub instruction: String,
    /// The encoded instruction: the typed reading, the matcher's targets, the embeddings.
    pub encoded: Instruction,
    /// The matched attributes as `name:direction` labels.
    pub attributes: Vec<String>,
    /// What was not read as asked, in plain words.
    pub warnings: Vec<String>,
    /// The text stage's wall time.
    pub elapsed: Duration,
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
    } else if !r.matched.kept.is_empty() {
        // "no black and white", "not darker".
        "it only says what not to do".to_string()
    } else if !r.content_edits.is_empty() {
        "it asks to change the content, and only colour and tone are edited".to_string()
    } else if !r.described.is_empty() {
        format!(
            "it describes the photo (\"{}\") rather than asking for a change",
            r.described.join("; ")
        )
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

/// The longest instruction read, in characters (the sentence encoder reads 256 tokens of it;
/// the rules read all of it, so a page of text is refused rather than read slowly).
pub const MAX_INSTRUCTION_CHARS: usize = 10_000;

/// An instruction must say something, in at most [`MAX_INSTRUCTION_CHARS`].
pub fn check_instruction(instruction: &str) -> Result<()> {
    if instruction.trim().is_empty() {
        return Err(ServiceError::Request(
            "the instruction is empty; say what to change, e.g. \"warmer, lift the shadows\""
                .into(),
        ));
    }
    let n = instruction.chars().count();
    if n > MAX_INSTRUCTION_CHARS {
        return Err(ServiceError::Value(format!(
            "the instruction is {n} characters long; at most {MAX_INSTRUCTION_CHARS} are read"
        )));
    }
    Ok(())
}

/// The warnings an encoded instruction implies.
fn warnings(enc: &Instruction) -> Vec<String> {
    let m = &enc.matched;
    let mut warnings = notes(&enc.reading);
    for c in &m.content_edits {
        warnings.push(format!(
            "\"{c}\" asks to change the content; only colour and tone are edited"
        ));
    }
    for (clause, r) in &enc.readings {
        warnings.push(format!(
            "no known retouching words in \"{clause}\"; read by sentence similarity as {} (nearest phrase \"{}\", cosine {:.2})",
            r.target.label(),
            r.phrase,
            r.similarity
        ));
    }
    if enc.reading.generic {
        warnings.push("a generic request: the photo's own corrections are applied".into());
    }
    for a in &m.contradictions {
        warnings.push(format!("{} is asked for in both directions", a.key()));
    }
    let mut unlocalised: Vec<retouch_finish::Region> = m
        .targets
        .iter()
        .filter_map(|(t, _)| t.region)
        .filter(|r| r.mask().is_none())
        .collect();
    unlocalised.dedup();
    for r in unlocalised {
        warnings.push(format!(
            "no mask is known for the region \"{r}\"; that edit applies to the whole photo"
        ));
    }
    if enc.encoded.truncated {
        warnings.push(format!(
            "the instruction is longer than {} tokens; the rest was ignored",
            retouch_text::MAX_TOKENS
        ));
    }
    warnings
}

impl Service {
    /// Read and encode an instruction. Refuses an empty one and one that asks for nothing
    /// this tool does ([`refusal`]).
    pub fn understand(&self, instruction: &str) -> Result<Understood> {
        self.understand_in(instruction, None)
    }

    /// [`Self::understand`], every requested change restricted to `region` when one is given
    /// (chosen apart from the sentence).
    pub fn understand_in(&self, instruction: &str, region: Option<Region>) -> Result<Understood> {
        let t = Instant::now();
        check_instruction(instruction)?;
        let encoded = self.retoucher().encode_in(instruction, region)?;
        if encoded.asks_nothing() {
            if let Some(why) = refusal(&encoded.reading) {
                return Err(ServiceError::Request(why));
            }
        }
        Ok(Understood {
            instruction: instruction.to_string(),
            attributes: encoded.matched.labels(),
            warnings: warnings(&encoded),
            encoded,
            elapsed: t.elapsed(),
        })
    }
}
