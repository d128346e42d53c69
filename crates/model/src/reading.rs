//! Reading a sentence the rule-based matcher does not understand ("like a sunny afternoon"):
//! the nearest of a fixed set of plain phrases, one or two per attribute direction and look, by
//! cosine similarity of their all-MiniLM-L6-v2 embeddings. The nearest phrase's attribute goes
//! into the model's attribute vector exactly as the matcher would put that phrase's attribute
//! there (confidence 1, default magnitude), so an unknown wording conditions the model the way
//! a known one does. The similarity only decides *whether* a clause is read: it measures how
//! sure the reading is, not how strong the edit should be (nothing in "autumn vibes" asks for a
//! weak edit), and scaling the attribute by it made read edits timid (the free-text probe:
//! "like a polar expedition" followed on 1 of 8 photos with the similarity as confidence, 8 of
//! 8 without).
//!
//! The phrases are generic descriptions of each attribute, written once; they are not tuned to
//! any evaluation sentence.

use retouch_instruct::attr::{Attr, Dir, Look, Target};
use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;

/// Below this cosine similarity the sentence is left unread (no attribute).
pub const MIN_SIMILARITY: f32 = 0.5;
/// A clause read beside attributes the matcher found elsewhere in the sentence must be at
/// least this similar: the sentence already says something clear, so a loose neighbour of a
/// filler clause ("if you can") must not add an edit.
pub const EXTRA_SIMILARITY: f32 = 0.5;
/// A sentence that asks for a look by likeness ("like an old newspaper print";
/// `Reading::likens`) asks for a change whatever its words, so only which change is open: its
/// nearest phrase is taken from this similarity ("like an old newspaper print" is 0.47 from
/// "an old vintage photograph").
pub const LIKENESS_SIMILARITY: f32 = 0.35;

/// The clauses of an instruction: the typed reading's splitter, one for the whole project.
pub use retouch_instruct::reading::clauses;

/// The phrases and what each means.
pub fn phrases() -> Vec<(String, Target)> {
    use Attr::*;
    use Dir::*;
    let atomic: [(&str, Attr, Dir); 41] = [
        ("make it brighter", Brightness, Up),
        ("a lighter, brighter photo", Brightness, Up),
        ("make it darker", Brightness, Down),
        ("a darker, dimmer photo", Brightness, Down),
        ("increase the contrast", Contrast, Up),
        ("strong contrast between light and dark", Contrast, Up),
        ("reduce the contrast", Contrast, Down),
        ("a flat, low-contrast photo", Contrast, Down),
        ("lift the shadows", Shadows, Up),
        ("show more detail in the dark areas", Shadows, Up),
        ("deepen the shadows", Shadows, Down),
        ("darker, deeper shadows", Shadows, Down),
        ("brighten the highlights", Highlights, Up),
        ("make the bright areas brighter", Highlights, Up),
        ("recover the highlights", Highlights, Down),
        ("tone down the bright areas", Highlights, Down),
        ("faded, lifted blacks", Blacks, Up),
        ("crush the blacks", Blacks, Down),
        ("deeper, richer blacks", Blacks, Down),
        ("make it warmer", Temperature, Up),
        ("warm orange sunlight", Temperature, Up),
        ("make it cooler", Temperature, Down),
        ("cold blue light", Temperature, Down),
        ("add a magenta tint", Tint, Up),
        ("a pinkish purple cast", Tint, Up),
        ("add a green tint", Tint, Down),
        ("a greenish cast", Tint, Down),
        ("more saturated colours", Saturation, Up),
        ("vivid, colourful", Saturation, Up),
        ("less saturated colours", Saturation, Down),
        ("muted, desaturated colours", Saturation, Down),
        ("more vibrance", Vibrance, Up),
        ("richer colours in the dull areas", Vibrance, Up),
        ("less vibrance", Vibrance, Down),
        ("calmer, subdued colours", Vibrance, Down),
        ("black and white", Monochrome, Up),
        ("a monochrome photo", Monochrome, Up),
        // Moods and times of day that imply one attribute.
        ("warm autumn colours", Temperature, Up),
        ("a bright summer day", Brightness, Up),
        ("a grey, overcast day", Saturation, Down),
        ("at night, in the dark", Brightness, Down),
    ];
    let mut out: Vec<(String, Target)> = atomic
        .iter()
        .map(|(p, a, d)| (p.to_string(), Target::new(*a, *d)))
        .collect();
    for look in Look::ALL {
        let description = match look {
            Look::Cinematic => "a cinematic movie look",
            Look::Vintage => "an old vintage photograph",
            Look::Matte => "a matte film look",
            Look::HighKey => "a bright, airy high-key photo",
            Look::LowKey => "a dark, moody low-key photo",
            Look::GoldenHour => "golden hour sunset light",
            Look::Winter => "a cold wintry feel",
            Look::Pastel => "soft pastel colours",
            Look::Punchy => "a punchy, vivid look",
            Look::Dreamy => "a soft, dreamy haze",
            Look::BleachBypass => "a gritty bleach bypass look",
            Look::Sepia => "a sepia-toned antique photo",
            Look::Noir => "a film noir look",
        };
        let t = Target::new(Attr::Style(look), Dir::Up);
        out.push((format!("a {} look", look.name().replace('-', " ")), t));
        if !description.is_empty() {
            out.push((description.to_string(), t));
        }
    }
    out
}

/// Phrase embeddings, made once from the loaded text encoder.
pub struct Reader {
    phrases: Vec<(String, Target, Vec<f32>)>,
}

/// What the reader made of a sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub target: Target,
    /// The nearest phrase and its cosine similarity to the sentence.
    pub phrase: String,
    pub similarity: f32,
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Reader {
    /// `embed` maps a phrase to its L2-normalised sentence embedding.
    pub fn new<E>(mut embed: impl FnMut(&str) -> Result<Vec<f32>, E>) -> Result<Self, E> {
        let phrases = phrases()
            .into_iter()
            .map(|(p, t)| {
                let e = embed(&p)?;
                Ok((p, t, e))
            })
            .collect::<Result<_, E>>()?;
        Ok(Self { phrases })
    }

    /// The phrase embeddings as a safetensors file (`embeddings` `[phrases, dim]` f32, the
    /// phrases as JSON in the metadata), so a checkout need not encode them on first use.
    pub fn to_bytes(&self) -> Vec<u8> {
        let dim = self.phrases.first().map_or(0, |p| p.2.len());
        let data: Vec<u8> = self
            .phrases
            .iter()
            .flat_map(|p| p.2.iter().flat_map(|v| v.to_le_bytes()))
            .collect();
        let names: Vec<&str> = self.phrases.iter().map(|p| p.0.as_str()).collect();
        let meta = HashMap::from([(
            "phrases".to_string(),
            serde_json::to_string(&names).unwrap_or_default(),
        )]);
        TensorView::new(Dtype::F32, vec![self.phrases.len(), dim], &data)
            .and_then(|view| safetensors::serialize([("embeddings", view)], &Some(meta)))
            .unwrap_or_default()
    }

    /// Read [`Self::to_bytes`]'s file; `None` if it is malformed or was made for another
    /// phrase list (then the phrases are encoded afresh).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (_, meta) = safetensors::SafeTensors::read_metadata(bytes).ok()?;
        let names: Vec<String> =
            serde_json::from_str(meta.metadata().as_ref()?.get("phrases")?).ok()?;
        let want = phrases();
        if names.len() != want.len() || names.iter().zip(&want).any(|(a, b)| *a != b.0) {
            return None;
        }
        let st = safetensors::SafeTensors::deserialize(bytes).ok()?;
        let view = st.tensor("embeddings").ok()?;
        let shape = view.shape();
        if view.dtype() != Dtype::F32 || shape.len() != 2 || shape[0] != want.len() || shape[1] == 0
        {
            return None;
        }
        let values = retouch_engine::file::f32_le(view.data());
        let phrases = want
            .into_iter()
            .zip(values.chunks_exact(shape[1]))
            .map(|((p, t), e)| (p, t, e.to_vec()))
            .collect();
        Some(Self { phrases })
    }

    /// The nearest phrase's attribute for a sentence embedding (L2-normalised), if it is at
    /// least [`MIN_SIMILARITY`] similar.
    pub fn read(&self, sentence: &[f32]) -> Option<Reading> {
        self.read_at_least(sentence, MIN_SIMILARITY)
    }

    /// [`Self::read`] with another similarity threshold.
    pub fn read_at_least(&self, sentence: &[f32], min_similarity: f32) -> Option<Reading> {
        let (phrase, target, similarity) = self
            .phrases
            .iter()
            .map(|(p, t, e)| (p, t, dot(e, sentence)))
            .max_by(|a, b| a.2.total_cmp(&b.2))?;
        (similarity >= min_similarity).then(|| Reading {
            target: *target,
            phrase: phrase.clone(),
            similarity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_direction_and_look_has_a_phrase() {
        let p = phrases();
        for a in retouch_instruct::attr::ATOMIC {
            for d in [Dir::Up, Dir::Down] {
                if a.one_way() && d == Dir::Down {
                    continue;
                }
                assert!(
                    p.iter().any(|(_, t)| t.attr == a && t.dir == d),
                    "{a:?} {d:?}"
                );
            }
        }
        for look in Look::ALL {
            assert!(p.iter().any(|(_, t)| t.attr == Attr::Style(look)));
        }
    }

    #[test]
    fn clauses_split_at_punctuation_and_joining_words() {
        assert_eq!(
            clauses("Warmer, like a travel magazine and a bit dreamy!"),
            ["Warmer", "like a travel magazine", "a bit dreamy"]
        );
        assert_eq!(clauses("black and white"), ["black and white"]);
        assert_eq!(
            clauses("lift the shadows but keep it natural"),
            ["lift the shadows", "keep it natural"]
        );
        assert_eq!(clauses("  ...  , and "), Vec::<String>::new());
        assert_eq!(clauses("sandy beach"), ["sandy beach"]);
    }

    #[test]
    fn file_round_trips_and_refuses_another_phrase_list() {
        let n = phrases().len();
        let mut i = 0;
        let r = Reader::new(|_| {
            i += 1;
            Ok::<_, ()>(vec![i as f32, -(i as f32), 0.5])
        })
        .unwrap();
        let bytes = r.to_bytes();
        let back = Reader::from_bytes(&bytes).unwrap();
        assert_eq!(back.phrases.len(), n);
        for (a, b) in back.phrases.iter().zip(&r.phrases) {
            assert_eq!(a.0, b.0);
            assert_eq!(a.2, b.2);
        }
        // A file for another phrase list is not used.
        let mut other = Reader::from_bytes(&bytes).unwrap();
        other.phrases[0].0 = "something else".into();
        assert!(Reader::from_bytes(&other.to_bytes()).is_none());
        assert!(Reader::from_bytes(b"not a file").is_none());
    }

    #[test]
    fn reads_the_nearest_phrase_above_the_threshold() {
        // Toy embeddings: one axis per phrase.
        let n = phrases().len();
        let mut i = 0;
        let r = Reader::new(|_| {
            let mut e = vec![0f32; n];
            e[i] = 1.0;
            i += 1;
            Ok::<_, ()>(e)
        })
        .unwrap();
        let mut s = vec![0f32; n];
        s[0] = 0.8;
        s[1] = 0.6;
        let got = r.read(&s).unwrap();
        assert_eq!(got.phrase, "make it brighter");
        assert_eq!(got.similarity, 0.8);
        s[0] = 0.3;
        s[1] = 0.2;
        assert!(r.read(&s).is_none());
    }
}
