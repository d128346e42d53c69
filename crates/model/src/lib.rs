//! The instruction-conditioned bilateral generator (paper section 3.3).
//!
//! - [`net`]: the network (thumbnail + instruction -> grid of affine transforms);
//! - [`slice_op`]: the engine's slice-and-apply as a differentiable candle op;
//! - [`lowres`]: the thumbnail the network sees, identical in training and inference;
//! - [`file`]: model files (safetensors: weights, learned guide, config, provenance);
//! - [`regions`]: instructions that name a region, localised by the data pipeline's mask priors;
//! - [`edit_file`]: the edit file (`.retouch`), an edit made once and applied to any photo;
//! - [`Retoucher`]: inference — load once, then instruction + photo -> grid + guide, which the
//!   engine applies at full resolution.
//!
//! Training (losses, optimiser, data) lives in `retouch-train`; this crate knows nothing of it
//! nor of the command line.

pub mod adjust;
pub mod edit_file;
pub mod estimate;
pub mod faces;
pub mod file;
pub mod im2col;
pub mod lowres;
pub mod net;
pub mod people;
pub mod reader;
pub mod reading;
pub mod regions;
pub mod slice_op;

use candle_core::{Device, Tensor};
use rayon::prelude::*;
use retouch_engine::{
    slice_apply_chain_with, ApplyParams, BilateralGrid, GuideMap, ImageMut, ImageRef, Kernel, Mask,
    Sample, Stage,
};
use retouch_instruct::attr::Target;
use retouch_instruct::matcher::Match;
use retouch_text::{Encoded, TextEncoder};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use file::ModelFile;
pub use net::{Generator, NetConfig, TextBatch};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model file {path}: {msg}")]
    File { path: PathBuf, msg: String },
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
    #[error(transparent)]
    Text(#[from] retouch_text::TextError),
    #[error(transparent)]
    Engine(#[from] retouch_engine::EngineError),
    #[error(transparent)]
    Io(#[from] retouch_io::IoError),
    #[error("{0}")]
    Invalid(String),
}

/// Where an edit's grid came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The network, for one [`regions::Pass`].
    Network,
    /// The image-adaptive correction of a generic request or named problem ([`adjust`]).
    Auto,
    /// The correction that puts kept aspects back ([`adjust::keep_target`]).
    Keep,
}

/// One grid to apply, and where.
#[derive(Clone, Debug)]
pub struct Edit {
    pub grid: BilateralGrid,
    /// `None`: the whole photo; else the region and its mask.
    pub region: Option<(retouch_finish::Region, Mask)>,
    pub source: Source,
}

pub type Result<T> = std::result::Result<T, ModelError>;

/// Where the shipped default model is ([`retouch_locate`]'s search order).
pub fn default_model_path() -> PathBuf {
    retouch_locate::model_path("retouch/model.safetensors")
}

/// An encoded instruction.
pub struct Instruction {
    /// The typed reading ([`retouch_instruct::Reading`]): what everything below is made from.
    pub reading: retouch_instruct::Reading,
    /// What the sentence encoder was given ([`encoder_text`]: the reading in training words).
    pub text: String,
    /// The sentence encoder's view of `text`.
    pub encoded: Encoded,
    /// What the instruction asks for: the rule-based matcher's reading, plus what the
    /// fallback read in the clauses it found nothing in ([`Fallback`]).
    pub matched: Match,
    /// The sentence-similarity readings that were used ([`Fallback::Similarity`]): (clause,
    /// reading). The learned reader's are in `reading.learned`.
    pub readings: Vec<(String, reading::Reading)>,
    /// `matched` as the network's attribute vector (models with `attr_dim > 0`).
    pub attributes: Option<Vec<f32>>,
    /// When the instruction runs as several passes ([`regions::passes`] of `matched`), each
    /// pass's own text ([`pass_text`]) and its embedding, in pass order; `None` where the
    /// pass uses the whole sentence's. Empty for a one-pass instruction.
    pub pass_texts: Vec<Option<(String, Encoded)>>,
}

impl Instruction {
    /// Whether the instruction asks for nothing this tool does (the typed reading is empty and
    /// no similarity reading stands in): `retouch edit` refuses it and the photo stays as it is.
    pub fn asks_nothing(&self) -> bool {
        self.readings.is_empty() && self.reading.is_empty()
    }
}

/// An interleaved image of `len` values must be `width x height x channels`, with 3 or 4
/// channels and no side 0.
pub(crate) fn check_image(len: usize, width: usize, height: usize, channels: usize) -> Result<()> {
    if width == 0 || height == 0 || !(3..=4).contains(&channels) || len != width * height * channels
    {
        return Err(ModelError::Invalid(format!(
            "{len} values do not make a {width}x{height}x{channels} image"
        )));
    }
    Ok(())
}

/// What reads the clauses the rules found nothing in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fallback {
    /// The learned reader on multilingual-e5-small ([`reader`]); it may read nothing.
    Learned,
    /// The nearest of the known phrases by MiniLM similarity ([`reading`]), above a
    /// threshold (the reading before the learned reader; kept for comparison).
    Similarity,
    /// Nothing: the rules alone.
    None,
}

/// The text the network's sentence encoder sees for a reading: what it asks for in the
/// generator's training words ([`training_words`]), whatever words the sentence used. The
/// network was trained on those words alone, and an embedding of others moves its edit beside
/// what the attribute vector says: on the validation split's held-out wordings the looks came
/// out at 0.11-0.98 of the reference strength ("could it look more low-key": 0.11) and at
/// 0.96-1.24 given in training words (`cargo run --release -p retouch-eval --example
/// wording_gap`); a word-for-word rewrite of another language ("warmer make") moved b* by
/// +1.2 on coffee.png where "make it warmer" moved it by +2.9; and "sepia" in "no sepia, just
/// warmer" desaturated the photo whatever the reading said. A reading those words cannot say
/// (a generic request, a problem without a direction) is given by [`reading_words`].
pub fn encoder_text(reading: &retouch_instruct::Reading) -> String {
    text_for(reading, &reading.matched)
}

/// [`encoder_text`] for `matched`: the reading's own, or it with the similarity readings
/// added.
fn text_for(reading: &retouch_instruct::Reading, matched: &Match) -> String {
    training_words(reading, matched, true).unwrap_or_else(|| reading_words(reading))
}

/// The text one pass of a multi-pass instruction ([`regions::passes`]) is encoded from: its
/// targets in training words, with the reading's named problems for the whole-photo pass;
/// `None` where it cannot be said so (the pass then uses the whole sentence's embedding).
pub fn pass_text(reading: &retouch_instruct::Reading, pass: &regions::Pass) -> Option<String> {
    training_words(reading, &pass.matched, pass.region.is_none())
}

/// The targets of `matched`, and with `problems` the reading's named problems ("too dark"),
/// in the generator's training words (requests as a professional asks, problems as named);
/// `None` when there is nothing to say, or with `problems` when the reading holds what those
/// words cannot say: a generic request, or a problem without a direction ("fix the white
/// balance").
fn training_words(
    reading: &retouch_instruct::Reading,
    matched: &Match,
    problems: bool,
) -> Option<String> {
    use retouch_instruct::generate::{self, Register};
    let targets: Vec<Target> = matched.targets.iter().map(|(t, _)| *t).collect();
    let named: Vec<Target> = if problems {
        if reading.generic {
            return None;
        }
        reading
            .fixes
            .iter()
            .map(|f| Some(Target::new(f.attr?, f.hint?)))
            .collect::<Option<_>>()?
    } else {
        Vec::new()
    };
    let parts: Vec<String> = [
        generate::training_words(&targets, Register::Professional),
        generate::training_words(&named, Register::Problem),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The encoder text of a reading [`training_words`] cannot say: the sentence (its English
/// rewrite for another language), except that requests read from words MiniLM cannot read
/// well (a clause the learned reader read, a sentence in another language) are given as the
/// known phrase of each, and a sentence that rules something out is given as its requests and
/// kept aspects alone.
fn reading_words(reading: &retouch_instruct::Reading) -> String {
    let foreign = reading.language.is_some();
    let refusing = !reading.matched.refused.is_empty();
    let phrased: Vec<&retouch_instruct::Request> = if foreign || refusing {
        reading.requests.iter().collect()
    } else {
        reading
            .learned
            .iter()
            .flat_map(|l| &l.requests)
            .filter(|q| reading.requests.iter().any(|r| r.target == q.target))
            .collect()
    };
    if phrased.is_empty() {
        return reading.encoder_text().to_string();
    }
    let known = reading::phrases();
    let mut parts: Vec<String> = Vec::new();
    // What else was read (kept aspects, fixes, generic intent, the rules' own requests), in
    // the words it was read in.
    let rest = reading.requests.len() > phrased.len()
        || !reading.keep.is_empty()
        || (foreign && (!reading.fixes.is_empty() || reading.generic));
    if refusing {
        parts.extend(
            reading
                .keep
                .iter()
                .map(|k| format!("keep the {}", k.name().replace('-', " "))),
        );
    } else if rest {
        parts.push(reading.encoder_text().to_string());
    }
    for q in phrased {
        let t = &q.target;
        let phrase = known
            .iter()
            .find(|(_, k)| t.region.is_none() && k.attr == t.attr && k.dir == t.dir)
            .map(|(p, _)| p.clone());
        parts.push(phrase.unwrap_or_else(|| t.words()));
    }
    parts.join(", ")
}

/// How a pass's looks are asked for: a pass that asks only for looks, all at one strength
/// other than moderate ("a subtle vintage look", "a very strong cinematic look"), is predicted
/// with its looks at moderate strength and its grid taken at the strength word's scale
/// ([`Magnitude::scale`](retouch_instruct::attr::Magnitude::scale): 0.45, 1.8), as the
/// atomic edits' strength words scale them. The network saw looks at moderate strength only,
/// and barely followed the attribute vector's scale for them (coffee.png, mean change:
/// "a subtle vintage look" 0.9 of "a vintage look", "a very strong cinematic look" 1.2 of
/// "a cinematic look"). Any other pass: as it is, at strength 1.
fn look_strength(m: &Match) -> (Cow<'_, Match>, f32) {
    use retouch_instruct::attr::{Attr, Magnitude};
    let targets = || m.targets.iter().map(|(t, _)| t);
    let Some(first) = targets().next() else {
        return (Cow::Borrowed(m), 1.0);
    };
    let one_strength = targets().all(|t| {
        matches!(t.attr, Attr::Style(_)) && t.region.is_none() && t.magnitude == first.magnitude
    });
    if !one_strength || first.magnitude == Magnitude::Moderate {
        return (Cow::Borrowed(m), 1.0);
    }
    let mut moderate = m.clone();
    for (t, _) in &mut moderate.targets {
        t.magnitude = Magnitude::Moderate;
    }
    (Cow::Owned(moderate), first.magnitude.scale())
}

/// A loaded model and text encoder, ready to edit photos.
pub struct Retoucher {
    net: Generator,
    guide: GuideMap,
    text: TextEncoder,
    /// Phrase embeddings for sentences the matcher cannot read, made on first use.
    reader: OnceLock<reading::Reader>,
    /// Precomputed phrase embeddings (`phrases.safetensors` beside the model file); encoded
    /// afresh when missing or made for another phrase list.
    phrases_path: PathBuf,
    device: Device,
    pub file: ModelFile,
    /// How generic requests and named problems are sized.
    pub corrector: adjust::Corrector,
    /// What reads what the rules cannot.
    pub fallback: Fallback,
    /// The learned reader, loaded on first use (only sentences the rules leave unread
    /// need it).
    learned: OnceLock<reader::LearnedReader>,
}

impl Retoucher {
    pub fn load(model: &Path, text_dir: &Path) -> Result<Self> {
        let device = Device::Cpu;
        let file = ModelFile::read(model)?;
        let net = file.generator(&device)?;
        let guide = file.guide.clone();
        let text = TextEncoder::load(text_dir)?;
        Ok(Self {
            net,
            guide,
            text,
            reader: OnceLock::new(),
            phrases_path: model.with_file_name("phrases.safetensors"),
            device,
            file,
            corrector: adjust::Corrector::Learned(Box::new(estimate::Estimator::shipped()?)),
            fallback: Fallback::Learned,
            learned: OnceLock::new(),
        })
    }

    pub fn config(&self) -> &NetConfig {
        self.net.config()
    }

    /// Encode an instruction (the text stage): the typed reading (the rules), completed
    /// where the rules read nothing by [`Self::fallback`] (for models conditioned on
    /// attributes): by default the learned reader on each such clause
    /// ([`retouch_instruct::Reading::unread_clauses`]), which may also read nothing; then the
    /// sentence encoder.
    pub fn encode(&self, instruction: &str) -> Result<Instruction> {
        self.encode_with(instruction, true)
    }

    /// [`Self::encode`], with the fallback switched off when `read` is false (what the model
    /// does with only the rules and the sentence embedding; for comparisons).
    pub fn encode_with(&self, instruction: &str, read: bool) -> Result<Instruction> {
        self.encode_full(instruction, read, None)
    }

    /// [`Self::encode`] with every requested change restricted to `region`
    /// ([`retouch_instruct::Reading::restrict_to`]).
    pub fn encode_in(
        &self,
        instruction: &str,
        region: Option<retouch_finish::Region>,
    ) -> Result<Instruction> {
        self.encode_full(instruction, true, region)
    }

    fn encode_full(
        &self,
        instruction: &str,
        read: bool,
        region: Option<retouch_finish::Region>,
    ) -> Result<Instruction> {
        let mut reading = retouch_instruct::Reading::new(instruction);
        let conditioned = self.net.config().attr_dim > 0;
        if read
            && conditioned
            && self.fallback == Fallback::Learned
            && !reading.unread_clauses().is_empty()
        {
            self.learned()?.complete(&mut reading)?;
        }
        if let Some(r) = region {
            reading.restrict_to(r);
        }
        let mut matched = reading.matched.clone();
        let mut readings = Vec::new();
        // The sentence's embedding when the similarity reading made it: the encoder's own
        // when nothing is found (the encoder text is then that sentence).
        let mut sentence: Option<(String, Encoded)> = None;
        let unread = |m: &Match| m.targets.is_empty() && m.content_edits.is_empty();
        // The similarity reading only for sentences the typed reading found nothing in (no
        // request, fix, generic intent or kept aspect): every such sentence when it is the
        // fallback, and with the learned reader a sentence that asks for a look by likeness
        // ("like a 1970s snapshot"), which asks for a change whatever its words.
        let nothing = reading.is_empty() && reading.keep.is_empty();
        let similarity = match self.fallback {
            Fallback::Similarity => true,
            Fallback::Learned => reading.likens(),
            Fallback::None => false,
        };
        if read && similarity && conditioned && nothing && !instruction.trim().is_empty() {
            let whole_unread = unread(&matched);
            let clauses = reading::clauses(instruction);
            let min = if self.fallback == Fallback::Learned {
                reading::LIKENESS_SIMILARITY
            } else if whole_unread {
                reading::MIN_SIMILARITY
            } else {
                reading::EXTRA_SIMILARITY
            };
            let mut found = Vec::new();
            if whole_unread && clauses.len() <= 1 {
                // One clause: the sentence's own embedding is the clause's.
                let words = reading.encoder_text().to_string();
                let e = self.text.encode(&words)?;
                found.extend(
                    self.reader()?
                        .read_at_least(&e.pooled, min)
                        .map(|r| (instruction.trim().to_string(), r)),
                );
                sentence = Some((words, e));
            } else {
                for clause in clauses {
                    if !unread(&retouch_instruct::match_instruction(&clause)) {
                        continue;
                    }
                    let e = self.text.encode(&clause)?;
                    if let Some(r) = self.reader()?.read_at_least(&e.pooled, min) {
                        found.push((clause, r));
                    }
                }
            }
            for (clause, r) in found {
                if matched.targets.iter().any(|(t, _)| t.attr == r.target.attr) {
                    continue; // the sentence (or an earlier clause) already sets it
                }
                // Full confidence: the similarity decided that the clause is read, not how
                // strongly (see `reading`).
                let mut target = r.target;
                if let Some(region) = region {
                    target.region.get_or_insert(region);
                }
                matched.targets.push((target, 1.0));
                readings.push((clause, r));
            }
        }
        // The encoder is shown the reading in training words, the similarity's targets with it.
        let text = text_for(&reading, &matched);
        let encoded = match sentence {
            Some((words, e)) if words == text => e,
            _ => self.text.encode(&text)?,
        };
        let attributes = conditioned.then(|| matched.attribute_vector());
        let passes = regions::passes(&matched);
        let pass_texts = if passes.len() > 1 {
            // Encoded side by side: each is a few milliseconds of small, serial tensor ops.
            passes
                .par_iter()
                .map(|p| {
                    pass_text(&reading, p)
                        .map(|c| self.text.encode(&c).map(|e| (c, e)))
                        .transpose()
                })
                .collect::<std::result::Result<_, _>>()?
        } else {
            Vec::new()
        };
        Ok(Instruction {
            reading,
            text,
            encoded,
            matched,
            readings,
            attributes,
            pass_texts,
        })
    }

    /// The learned reader (loaded on first call).
    pub fn learned(&self) -> Result<&reader::LearnedReader> {
        if let Some(r) = self.learned.get() {
            return Ok(r);
        }
        let r = reader::LearnedReader::shipped()?;
        Ok(self.learned.get_or_init(|| r))
    }

    fn reader(&self) -> Result<&reading::Reader> {
        if let Some(r) = self.reader.get() {
            return Ok(r);
        }
        let r = match std::fs::read(&self.phrases_path)
            .ok()
            .and_then(|b| reading::Reader::from_bytes(&b))
        {
            Some(r) => r,
            None => reading::Reader::new(|p| self.text.encode(p).map(|e| e.pooled))?,
        };
        Ok(self.reader.get_or_init(|| r))
    }

    /// The network stage: thumbnail of the photo (`channels` 3 or 4, interleaved) and the
    /// encoded instruction -> the grid. Its cost does not depend on the photo's size beyond one
    /// read for the thumbnail.
    pub fn predict<T: Sample>(
        &self,
        pixels: &[T],
        width: usize,
        height: usize,
        channels: usize,
        text: &Instruction,
    ) -> Result<BilateralGrid> {
        check_image(pixels.len(), width, height, channels)?;
        let l = self.net.config().low_res;
        let thumb = lowres::thumbnail(pixels, width, height, channels, l);
        self.predict_thumb(&thumb, text)
    }

    /// Same as [`Self::predict`] from a ready `L x L x 3` thumbnail.
    pub fn predict_thumb(&self, thumb: &[f32], text: &Instruction) -> Result<BilateralGrid> {
        self.predict_thumb_with(thumb, &text.encoded, text.attributes.as_deref())
    }

    /// [`Self::predict_thumb`] with a given attribute vector (one pass's part of the reading).
    fn predict_thumb_with(
        &self,
        thumb: &[f32],
        e: &Encoded,
        attributes: Option<&[f32]>,
    ) -> Result<BilateralGrid> {
        let l = self.net.config().low_res;
        let x = net::thumbs_to_tensor(&[thumb.to_vec()], l, &self.device)?;
        let mut tb = TextBatch::new(&[(&e.pooled, &e.tokens)], &self.device)?;
        if let Some(a) = attributes {
            tb = tb.with_attributes(&[a.to_vec()])?;
        }
        let grid = self.net.forward(&x, &tb)?;
        let [gh, gw, gd] = self.net.config().grid;
        let data = grid.flatten_all()?.to_vec1::<f32>()?;
        Ok(BilateralGrid::from_data(gh, gw, gd, data)?)
    }

    /// The network stage as `retouch edit` runs it: the edits the reading asks for, in the
    /// order they apply. First, for a generic request or a named problem, the photo's own
    /// correction ([`Source::Auto`], [`adjust`]); then one network edit per [`regions::Pass`]
    /// of the reading's requests ("darken the sky" gives one edit with the sky's mask,
    /// "warmer, and darken the sky" two); last, when the sentence keeps an aspect, the
    /// correction that puts it back ([`Source::Keep`]). Each later edit is decided on the
    /// thumbnail with the earlier ones applied. A sentence with no request at all runs the
    /// network once on the whole sentence (what the model did before there was a reading).
    pub fn predict_edits<T: Sample>(
        &self,
        pixels: &[T],
        width: usize,
        height: usize,
        channels: usize,
        text: &Instruction,
    ) -> Result<Vec<Edit>> {
        check_image(pixels.len(), width, height, channels)?;
        let l = self.net.config().low_res;
        let reading = &text.reading;
        let auto = adjust::auto_spec(reading);
        let network = !text.matched.targets.is_empty() || auto.is_none();
        let passes = if network {
            regions::passes(&text.matched)
        } else {
            Vec::new()
        };
        // The network's thumbnail and, when a pass has a region, the photo at the masks' size,
        // for the people at the segmentation's, for the faces at the detector's: from one read
        // of the photo.
        let any_region = passes.iter().any(|p| p.region.is_some());
        let needs =
            |f: fn(retouch_finish::Region) -> bool| passes.iter().any(|p| p.region.is_some_and(f));
        let (any_people, any_faces) = (needs(regions::needs_people), needs(regions::needs_faces));
        let (mw, mh) = regions::mask_view_size(width, height);
        let (fw, fh) = regions::face_view_size(width, height);
        let mut targets = vec![(l, l)];
        if any_region {
            targets.push((mw, mh));
        }
        if any_people {
            targets.push((people::SIDE, people::SIDE));
        }
        if any_faces {
            targets.push((fw, fh));
        }
        let mut views =
            lowres::resize_area_many(pixels, width, height, channels, &targets).into_iter();
        let mut thumb = views.next().expect("the thumbnail");
        let original = thumb.clone();
        let small = if any_region {
            Some(regions::view_image(
                mw,
                mh,
                views.next().expect("the mask view"),
            )?)
        } else {
            None
        };
        let people = if any_people {
            Some(people::probability(
                &views.next().expect("the segmentation view"),
                mw,
                mh,
            )?)
        } else {
            None
        };
        let faces = if any_faces {
            Some(faces::find(&views.next().expect("the face view"), fw, fh)?)
        } else {
            None
        };
        let mut edits = Vec::with_capacity(passes.len() + 2);
        if let Some(spec) = auto {
            let target = adjust::auto_target(&thumb, l, &spec, &self.corrector)?;
            let grid = adjust::fit(&thumb, &target, l, l, &self.guide)?;
            edits.push(Edit {
                grid,
                region: None,
                source: Source::Auto,
            });
            thumb = self.apply_thumb(edits.last().expect("pushed"), &thumb, l)?;
        }
        for (i, p) in passes.iter().enumerate() {
            let (asked, strength) = look_strength(&p.matched);
            let attributes = text.attributes.as_ref().map(|_| asked.attribute_vector());
            // The pass's own clauses when the instruction was split, else the whole sentence.
            let e = match text.pass_texts.get(i) {
                Some(Some((_, e))) => e,
                _ => &text.encoded,
            };
            let mut grid = self.predict_thumb_with(&thumb, e, attributes.as_deref())?;
            if strength != 1.0 {
                grid = grid.with_strength(strength)?;
            }
            let region = match p.region {
                Some(r) => {
                    let img = small.as_ref().expect("made when a pass has a region");
                    let drawn = regions::resolve(r, faces.as_deref());
                    regions::render_on(drawn, img, people.as_deref(), faces.as_deref())?
                        .map(|m| (drawn, m))
                }
                None => None,
            };
            edits.push(Edit {
                grid,
                region,
                source: Source::Network,
            });
            if i + 1 < passes.len() || !reading.keep.is_empty() {
                // The next pass sees this edit applied.
                thumb = self.apply_thumb(edits.last().expect("pushed"), &thumb, l)?;
            }
        }
        if !reading.keep.is_empty() && !edits.is_empty() {
            let (grid, _) = adjust::keep_grid(&original, &thumb, &reading.keep, l, &self.guide)?;
            edits.push(Edit {
                grid,
                region: None,
                source: Source::Keep,
            });
        }
        Ok(edits)
    }

    /// One edit applied to an `l x l` thumbnail (its region's mask, if any, sampled on it).
    fn apply_thumb(&self, edit: &Edit, thumb: &[f32], l: usize) -> Result<Vec<f32>> {
        let mut next = vec![0f32; thumb.len()];
        apply_edits(
            Kernel::Portable,
            std::slice::from_ref(edit),
            &self.guide,
            ImageRef::new(thumb, l, l, 3)?,
            ImageMut::new(&mut next, l, l, 3)?,
            1.0,
            None,
        )?;
        Ok(next)
    }

    pub fn guide(&self) -> &GuideMap {
        &self.guide
    }
}

/// Convenience for tests and tools: a tensor `[1, H, W, 3]` from interleaved RGB.
pub fn image_tensor(rgb: &[f32], width: usize, height: usize, device: &Device) -> Result<Tensor> {
    Ok(Tensor::from_vec(
        rgb.to_vec(),
        (1, height, width, 3),
        device,
    )?)
}

/// Apply edits (from [`Retoucher::predict_edits`]) one after another at full resolution, from
/// `src` into `dst` (same size and channels; any sample types): each at `strength`, inside its
/// region's mask and the user's `mask` (their product when both are given). The edits run as
/// one chain in one pass over the image (the engine's `slice_apply_chain_with`): between edits
/// a pixel stays in f32, so a chain rounds once.
pub fn apply_edits<S: Sample, D: Sample>(
    kernel: Kernel,
    edits: &[Edit],
    guide: &GuideMap,
    src: ImageRef<S>,
    dst: ImageMut<D>,
    strength: f32,
    mask: Option<&Mask>,
) -> Result<()> {
    // Each edit's mask: borrowed when it is the region's or the user's alone, made only for
    // their product.
    let masks: Vec<Option<Cow<Mask>>> = edits
        .iter()
        .map(|e| match (&e.region, mask) {
            (Some((_, r)), Some(u)) => regions::product(u, r).map(|m| Some(Cow::Owned(m))),
            (Some((_, r)), None) => Ok(Some(Cow::Borrowed(r))),
            (None, u) => Ok(u.map(Cow::Borrowed)),
        })
        .collect::<Result<_>>()?;
    if edits.is_empty() {
        return Err(ModelError::Invalid("no edit to apply".into()));
    }
    let stages: Vec<Stage> = edits
        .iter()
        .zip(&masks)
        .map(|(e, m)| Stage {
            grid: &e.grid,
            params: ApplyParams {
                strength,
                mask: m.as_deref(),
            },
        })
        .collect();
    slice_apply_chain_with(kernel, &stages, guide, src, dst)?;
    Ok(())
}
