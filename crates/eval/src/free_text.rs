//! Free text outside the matcher's vocabulary: sentences a person might type that contain no
//! word the rule-based matcher knows (a test keeps it so), each with the attribute changes that
//! would count as doing what it says. Applied to photos of the split as they are; a sentence
//! is followed on a photo when at least one of its acceptable changes is measurable in the
//! output (the attribute bank's statistics, 0.5 CIELAB units).
//!
//! Written once for this probe and never used in training; the similarity reader's phrases
//! (`retouch_model::reading`) were written independently of them.

use crate::methods::{self, apply_instruction, Method};
use crate::{Count, Result};
use rayon::prelude::*;
use retouch_data::synth::MIN_DELTA;
use retouch_finish::Image;
use retouch_instruct::attr::{moved_as_asked, stats, Attr, Dir, Look, Stats, Target};
use retouch_model::Retoucher;
use serde::Serialize;

fn t(attr: Attr, dir: Dir) -> Target {
    Target::new(attr, dir)
}

fn look(look: Look) -> Target {
    Target::new(Attr::Style(look), Dir::Up)
}

/// The sentences and the changes that would follow each.
pub fn cases() -> Vec<(&'static str, Vec<Target>)> {
    use Attr::*;
    use Dir::*;
    vec![
        (
            "like a sunny afternoon",
            vec![
                t(Brightness, Up),
                t(Temperature, Up),
                look(Look::GoldenHour),
            ],
        ),
        (
            "make it look like an old photograph",
            vec![look(Look::Vintage), look(Look::Sepia), t(Saturation, Down)],
        ),
        (
            "autumn vibes",
            vec![t(Temperature, Up), look(Look::GoldenHour)],
        ),
        (
            "a bleak overcast day",
            vec![
                t(Saturation, Down),
                t(Temperature, Down),
                t(Brightness, Down),
            ],
        ),
        ("icy", vec![t(Temperature, Down), look(Look::Winter)]),
        (
            "like a scene from a horror movie",
            vec![
                t(Brightness, Down),
                t(Saturation, Down),
                look(Look::LowKey),
                look(Look::Noir),
            ],
        ),
        (
            "make it feel like midnight",
            vec![t(Brightness, Down), look(Look::LowKey)],
        ),
        ("as if lit by a campfire", vec![t(Temperature, Up)]),
        (
            "like the arctic",
            vec![t(Temperature, Down), look(Look::Winter)],
        ),
        (
            "like an old newspaper print",
            vec![t(Monochrome, Up), look(Look::Noir), t(Saturation, Down)],
        ),
        (
            "tropical paradise",
            vec![t(Saturation, Up), t(Vibrance, Up), look(Look::Punchy)],
        ),
        (
            "rainy day in London",
            vec![
                t(Saturation, Down),
                t(Temperature, Down),
                t(Brightness, Down),
            ],
        ),
        (
            "under the midday sun",
            vec![t(Brightness, Up), t(Temperature, Up)],
        ),
        (
            "like grandma's photo album",
            vec![
                t(Blacks, Up),
                t(Saturation, Down),
                t(Contrast, Down),
                look(Look::Vintage),
                look(Look::Matte),
            ],
        ),
        (
            "deep in the forest at dusk",
            vec![t(Brightness, Down), t(Temperature, Up)],
        ),
        (
            "like a 1970s snapshot",
            vec![look(Look::Vintage), t(Temperature, Up), t(Blacks, Up)],
        ),
        (
            "heavenly glow",
            vec![t(Brightness, Up), look(Look::Dreamy), look(Look::HighKey)],
        ),
        ("ghostly", vec![t(Saturation, Down), t(Temperature, Down)]),
        (
            "like a polar expedition",
            vec![t(Temperature, Down), look(Look::Winter)],
        ),
        (
            "a carnival in Rio",
            vec![t(Saturation, Up), t(Vibrance, Up), look(Look::Punchy)],
        ),
    ]
}

/// Followed-sentence counts of three readers of the same sentences.
#[derive(Clone, Debug, Serialize)]
pub struct FreeTextSummary {
    pub sentences: usize,
    pub photos: usize,
    /// The shipped model as `retouch edit` runs it (the rules, plus the model's fallback
    /// reader, by default the learned reader, on the clauses they cannot read).
    pub model: Count,
    /// The shipped model with the rules' reading alone (no fallback reader).
    pub model_without_reading: Count,
    /// The rule-based pipeline (reads nothing here, so leaves the photo unchanged).
    pub rule_based: Count,
    /// Per sentence: on how many photos the shipped model followed it, with and without the
    /// similarity reading.
    pub per_sentence: Vec<SentenceCount>,
}

/// One sentence's result over the photos.
#[derive(Clone, Debug, Serialize)]
pub struct SentenceCount {
    pub sentence: String,
    pub with_reading: usize,
    pub without_reading: usize,
}

fn followed(before: &Stats, out: &[f32], ok: &[Target]) -> bool {
    let after = stats(out, None);
    ok.iter()
        .any(|t| moved_as_asked(t, before, &after, MIN_DELTA))
}

/// Every sentence on every photo.
pub fn run(r: &Retoucher, photos: &[Image], tick: &mut dyn FnMut()) -> Result<FreeTextSummary> {
    let cases = cases();
    // A sentence's encodings (with and without the reading) do not depend on the photo.
    let encoded = cases
        .iter()
        .map(|(sentence, _)| {
            Ok((
                r.encode_with(sentence, true)?,
                r.encode_with(sentence, false)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let (mut m, mut m0, mut rb) = (Vec::new(), Vec::new(), Vec::new());
    let mut per_sentence: Vec<SentenceCount> = cases
        .iter()
        .map(|(sentence, _)| SentenceCount {
            sentence: sentence.to_string(),
            with_reading: 0,
            without_reading: 0,
        })
        .collect();
    for img in photos {
        let before = stats(&img.data, None);
        for (((sentence, ok), (with, without)), count) in
            cases.iter().zip(&encoded).zip(&mut per_sentence)
        {
            let with = apply_instruction(r, img, with)?;
            let without = apply_instruction(r, img, without)?;
            let rules = methods::run(Method::RuleBased, r, img, sentence)?;
            let v: Vec<bool> = [&with, &without, &rules]
                .par_iter()
                .map(|o| followed(&before, o, ok))
                .collect();
            count.with_reading += v[0] as usize;
            count.without_reading += v[1] as usize;
            m.push(v[0]);
            m0.push(v[1]);
            rb.push(v[2]);
            tick();
        }
    }
    Ok(FreeTextSummary {
        sentences: cases.len(),
        photos: photos.len(),
        model: Count::of(m.into_iter()),
        model_without_reading: Count::of(m0.into_iter()),
        rule_based: Count::of(rb.into_iter()),
        per_sentence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Until session 6 no sentence here had a word the matcher knew; the concept lexicon of
    /// session 7 reads most of them (its author had seen some of these sentences, so this
    /// probe no longer measures generalisation: `scripts/probes/` does). Each sentence still
    /// names the changes that would follow it.
    #[test]
    fn every_sentence_names_changes_that_follow_it() {
        for (s, ok) in cases() {
            assert!(!ok.is_empty(), "{s}");
            assert!(ok.iter().all(|t| t.region.is_none()), "{s}");
        }
    }
}
