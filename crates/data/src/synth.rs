//! Triplet synthesis (paper section 3.1), both directions the paper implies, plus local edits:
//!
//! - **restore**: the photo is the target x*; the input x is x* degraded by 1-3 random atomic
//!   edits; the instruction asks for the opposite edits ("it's too dark and too blue");
//! - **stylize**: x is the photo, x* is a named look or 1-3 atomic edits of it, and the
//!   instruction asks for them ("give it a faded vintage look");
//! - **local**: x and x* differ only inside a soft region mask ("darken the sky"), in either
//!   direction (the region of x* edited, or the region of x degraded and x* the photo).
//!
//! Everything is deterministic per (seed, index). Strength words map to measurable magnitudes
//! through [`retouch_instruct::Magnitude::scale`] applied to each attribute's base change.

use retouch_finish::Look;
use retouch_finish::{apply, apply_masked, render_mask, Image, MaskSpec, Params, Region};
use retouch_instruct::attr::{moved_as_asked, stats, Attr, Dir, Magnitude, Target, ATOMIC};

/// A target counts as realised when its statistics moved by at least this much (CIELAB units).
pub const MIN_DELTA: f32 = 0.5;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use retouch_instruct::generate::{Generated, Generator, Register, Split};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Restore,
    Stylize,
    Local,
}

/// One training example.
#[derive(Clone, Debug)]
pub struct Triplet {
    pub input: Image,
    pub target: Image,
    /// Everything else, the instruction included (`meta.instruction`).
    pub meta: TripletMeta,
    /// The soft mask the edit used (one value per pixel), for local triplets.
    pub mask: Option<Vec<f32>>,
}

/// Everything about a triplet except its pixels (what `index.jsonl` stores).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TripletMeta {
    pub index: u64,
    pub photo: String,
    pub mode: Mode,
    pub instruction: String,
    pub register: Register,
    /// What the instruction asks for (matcher ground truth).
    pub attributes: Vec<String>,
    /// The targets with magnitude and region.
    pub targets: Vec<Target>,
    /// Pipeline parameters from input to target (inside the mask for local edits).
    pub params: Params,
    /// For restore: the degradation that made the input.
    pub degradation: Option<Params>,
    pub mask: Option<MaskSpec>,
    pub held_out_wording: bool,
}

impl TripletMeta {
    fn new(
        index: u64,
        photo: &str,
        mode: Mode,
        said: Generated,
        params: Params,
        degradation: Option<Params>,
        mask: Option<MaskSpec>,
    ) -> Self {
        let mut m = Self {
            index,
            photo: photo.to_string(),
            mode,
            instruction: String::new(),
            register: said.register,
            attributes: Vec::new(),
            targets: Vec::new(),
            params,
            degradation,
            mask,
            held_out_wording: false,
        };
        m.set_words(said);
        m
    }

    /// Take the wording (and the targets it expresses) from a generated instruction.
    fn set_words(&mut self, said: Generated) {
        self.instruction = said.text;
        self.register = said.register;
        self.attributes = said.targets.iter().map(Target::label).collect();
        self.targets = said.targets;
        self.held_out_wording = said.holdout;
    }
}

/// The pipeline change that realises one target at its magnitude.
pub fn add_target(p: &mut Params, t: &Target) {
    let s = t.magnitude.scale() * t.dir.sign();
    let c = |v: &mut f32, d: f32, lo: f32, hi: f32| *v = (*v + d).clamp(lo, hi);
    match &t.attr {
        Attr::Brightness => c(&mut p.exposure, 0.5 * s, -3.0, 3.0),
        Attr::Contrast => c(&mut p.contrast, 0.3 * s, -1.0, 1.0),
        Attr::Shadows => {
            c(&mut p.shadows, 0.6 * s, -1.0, 1.0);
            c(&mut p.shadow_recovery, 0.3 * s, -1.0, 1.0);
        }
        Attr::Highlights => {
            c(&mut p.highlights, 0.6 * s, -1.0, 1.0);
            c(&mut p.highlight_recovery, 0.3 * s, -1.0, 1.0);
        }
        Attr::Blacks => {
            if t.dir == Dir::Up {
                c(&mut p.fade, 0.3 * t.magnitude.scale(), 0.0, 1.0);
            } else {
                c(&mut p.blacks, 0.6 * s, -1.0, 1.0);
            }
        }
        Attr::Temperature => c(&mut p.temperature, 0.35 * s, -1.0, 1.0),
        Attr::Tint => c(&mut p.tint, 0.35 * s, -1.0, 1.0),
        Attr::Saturation => c(&mut p.saturation, 0.3 * s, -1.0, 1.0),
        Attr::Vibrance => c(&mut p.vibrance, 0.4 * s, -1.0, 1.0),
        Attr::Monochrome => p.bw = 1.0,
        Attr::Style(name) => {
            let l = name.params().scaled(t.magnitude.scale().min(1.3));
            let id = Params::default();
            c(&mut p.exposure, l.exposure, -3.0, 3.0);
            p.gamma = (p.gamma * l.gamma / id.gamma).clamp(0.4, 2.5);
            for (dst, src) in [
                (&mut p.temperature, l.temperature),
                (&mut p.tint, l.tint),
                (&mut p.contrast, l.contrast),
                (&mut p.blacks, l.blacks),
                (&mut p.shadows, l.shadows),
                (&mut p.midtones, l.midtones),
                (&mut p.highlights, l.highlights),
                (&mut p.whites, l.whites),
                (&mut p.saturation, l.saturation),
                (&mut p.vibrance, l.vibrance),
                (&mut p.vignette, l.vignette),
            ] {
                c(dst, src, -1.0, 1.0);
            }
            c(&mut p.fade, l.fade, 0.0, 1.0);
            p.bw = p.bw.max(l.bw);
            if l.split.shadow_amount > 0.0 || l.split.highlight_amount > 0.0 {
                p.split = l.split;
            }
        }
    }
}

pub fn params_for(targets: &[Target]) -> Params {
    let mut p = Params::default();
    for t in targets {
        add_target(&mut p, t);
    }
    p
}

/// Like [`params_for`], but brightness is realised by gamma instead of exposure when
/// `use_gamma` (both are "brighter" to a viewer; the data should contain both).
pub fn params_for_with(targets: &[Target], use_gamma: bool) -> Params {
    let mut p = Params::default();
    for t in targets {
        if use_gamma && t.attr == Attr::Brightness {
            let s = t.magnitude.scale() * t.dir.sign();
            p.gamma = (p.gamma * (1.0 + 0.3 * s)).clamp(0.4, 2.5);
        } else {
            add_target(&mut p, t);
        }
    }
    p
}

/// HSL bands (indices into `Params::hsl`) that hold a region's colours.
fn hsl_bands(region: Region) -> &'static [usize] {
    match region {
        Region::Greens => &[2, 3],
        Region::Sky => &[4, 5],
        _ => &[],
    }
}

/// Local edits the generator can phrase.
const LOCAL_EDITS: [(Attr, Dir); 6] = [
    (Attr::Brightness, Dir::Down),
    (Attr::Brightness, Dir::Up),
    (Attr::Saturation, Dir::Up),
    (Attr::Saturation, Dir::Down),
    (Attr::Temperature, Dir::Up),
    (Attr::Temperature, Dir::Down),
];

/// The validation split's synthesis seed for a run seeded `seed` (training samples use `seed`
/// itself), shared by training-time validation and `retouch eval`.
pub fn validation_seed(seed: u64) -> u64 {
    seed ^ 0x5eed_0000_0000_7a11
}

/// Deterministic triplet source over a set of photos.
pub struct Synth {
    photos: Vec<(String, Image)>,
    seed: u64,
    split: Split,
}

fn random_magnitude(r: &mut ChaCha8Rng) -> Magnitude {
    *[
        Magnitude::Slight,
        Magnitude::Moderate,
        Magnitude::Moderate,
        Magnitude::Strong,
    ]
    .choose(r)
    .unwrap_or(&Magnitude::Moderate)
}

fn random_atomic(r: &mut ChaCha8Rng, k: usize, allow_mono: bool) -> Vec<Target> {
    let mut attrs: Vec<Attr> = ATOMIC
        .iter()
        .filter(|a| allow_mono || **a != Attr::Monochrome)
        .cloned()
        .collect();
    attrs.shuffle(r);
    let colour = |a: &Attr| {
        matches!(
            a,
            Attr::Temperature | Attr::Tint | Attr::Saturation | Attr::Vibrance
        )
    };
    let mut picked: Vec<Attr> = attrs.into_iter().take(k).collect();
    // Black and white erases any colour edit made with it: not a sensible combination.
    if picked.contains(&Attr::Monochrome) {
        picked.retain(|a| !colour(a));
    }
    picked
        .into_iter()
        .map(|a| {
            let d = if a.one_way() || r.gen_bool(0.5) {
                Dir::Up
            } else {
                Dir::Down
            };
            let mut t = Target::new(a, d);
            t.magnitude = random_magnitude(r);
            t
        })
        .collect()
}

impl Synth {
    /// `photos`: (id, image), already at the working resolution.
    pub fn new(photos: Vec<(String, Image)>, seed: u64, split: Split) -> Self {
        Self {
            photos,
            seed,
            split,
        }
    }

    pub fn len(&self) -> usize {
        self.photos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.photos.is_empty()
    }

    /// The triplet at `index` (deterministic). Every requested attribute is checked on the
    /// pixels (inside the mask for local edits); attributes that did not measurably move in the
    /// stated direction are dropped from the instruction, and a triplet with none left is drawn
    /// again.
    pub fn sample(&self, index: u64) -> Triplet {
        let mut last = None;
        for attempt in 0..8u64 {
            let t = self.draw(index, attempt);
            let weights = t.meta.mask.as_ref().map(|m| render_mask(m, &t.input));
            let (b, a) = (
                stats(&t.input.data, weights.as_deref()),
                stats(&t.target.data, weights.as_deref()),
            );
            let kept: Vec<Target> = t
                .meta
                .targets
                .iter()
                .filter(|tg| moved_as_asked(tg, &b, &a, MIN_DELTA))
                .cloned()
                .collect();
            if kept.len() == t.meta.targets.len() {
                return t;
            }
            if !kept.is_empty() {
                // Re-word with the verified targets only.
                let mut g = Generator::new(self.seed ^ index ^ (attempt << 32), self.split);
                let said = g.describe(&kept, &[t.meta.register]);
                let mut t = t;
                t.meta.set_words(said);
                return t;
            }
            last = Some(t);
        }
        last.expect("at least one attempt")
    }

    fn draw(&self, index: u64, attempt: u64) -> Triplet {
        let mut r = ChaCha8Rng::seed_from_u64(
            self.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ index ^ (attempt << 40),
        );
        let mut g = Generator::new(r.gen(), self.split);
        let (id, photo) = &self.photos[(r.gen::<u64>() % self.photos.len() as u64) as usize];
        let mode = *[
            Mode::Restore,
            Mode::Restore,
            Mode::Stylize,
            Mode::Stylize,
            Mode::Local,
        ]
        .choose(&mut r)
        .unwrap_or(&Mode::Stylize);
        let k = *[1usize, 1, 2, 2, 3].choose(&mut r).unwrap_or(&1);
        let valid = |p: &Params| p.validate().is_ok();
        match mode {
            Mode::Restore => {
                // Degrade by D; ask for the opposite.
                let degr = random_atomic(&mut r, k, false);
                let dparams = params_for_with(&degr, r.gen_bool(0.4));
                let input = apply(photo, &dparams).unwrap_or_else(|_| photo.clone());
                let fix: Vec<Target> = degr.iter().map(Target::flipped).collect();
                let said = g.describe(
                    &fix,
                    &[
                        Register::Problem,
                        Register::Casual,
                        Register::Professional,
                        Register::Terse,
                    ],
                );
                let meta =
                    TripletMeta::new(index, id, mode, said, params_for(&fix), Some(dparams), None);
                Triplet {
                    mask: None,
                    input,
                    target: photo.clone(),
                    meta,
                }
            }
            Mode::Stylize | Mode::Local => {
                let mut targets = if r.gen_bool(0.45) {
                    let mut t = Target::new(
                        Attr::Style(*Look::ALL.choose(&mut r).unwrap_or(&Look::Vintage)),
                        Dir::Up,
                    );
                    t.magnitude = Magnitude::Moderate;
                    vec![t]
                } else {
                    random_atomic(&mut r, k, true)
                };
                let mut mask = None;
                let mut mode = mode;
                if mode == Mode::Local {
                    let region = *[Region::Sky, Region::Greens, Region::Skin, Region::Top]
                        .choose(&mut r)
                        .unwrap_or(&Region::Top);
                    let spec = region.prior().unwrap_or(MaskSpec::Sky);
                    let m = render_mask(&spec, photo);
                    let coverage = m.iter().sum::<f32>() / m.len().max(1) as f32;
                    if coverage > 0.05 {
                        let (a, d) = LOCAL_EDITS
                            .choose(&mut r)
                            .cloned()
                            .unwrap_or((Attr::Brightness, Dir::Down));
                        let mut t = Target::new(a, d);
                        t.magnitude = random_magnitude(&mut r);
                        t.region = Some(region);
                        targets = vec![t];
                        mask = Some((spec, m));
                    } else {
                        mode = Mode::Stylize;
                    }
                }
                let said = g.describe(
                    &targets,
                    &[Register::Professional, Register::Casual, Register::Terse],
                );
                let params = params_for(&targets);
                // Local edits go both ways: half the time the region of the *input* is degraded
                // (the opposite edit) and the target is the photo itself.
                let local_restore = mask.is_some() && r.gen_bool(0.5);
                let hsl_restore = local_restore
                    && targets.len() == 1
                    && targets[0].attr == Attr::Saturation
                    && targets[0].region.is_some_and(|r| !hsl_bands(r).is_empty())
                    && r.gen_bool(0.5);
                let (input, target, degradation) = match &mask {
                    Some(_) if hsl_restore => {
                        // The region's hue bands were pushed the wrong way in the input.
                        let t = &targets[0];
                        let mut d = Params::default();
                        for &b in t.region.map_or(&[][..], hsl_bands) {
                            d.hsl[b].saturation =
                                (-0.5 * t.magnitude.scale() * t.dir.sign()).clamp(-1.0, 1.0);
                        }
                        let x = apply(photo, &d).unwrap_or_else(|_| photo.clone());
                        (x, photo.clone(), Some(d))
                    }
                    Some((_, m)) if local_restore => {
                        let inverse: Vec<Target> = targets.iter().map(Target::flipped).collect();
                        let d = params_for(&inverse);
                        let x = apply_masked(photo, &d, &Params::default(), m)
                            .unwrap_or_else(|_| photo.clone());
                        (x, photo.clone(), Some(d))
                    }
                    Some((_, m)) => (
                        photo.clone(),
                        apply_masked(photo, &params, &Params::default(), m)
                            .unwrap_or_else(|_| photo.clone()),
                        None,
                    ),
                    None => (
                        photo.clone(),
                        apply(photo, &params).unwrap_or_else(|_| photo.clone()),
                        None,
                    ),
                };
                debug_assert!(valid(&params));
                let spec = mask.as_ref().map(|(s, _)| s.clone());
                let meta = TripletMeta::new(index, id, mode, said, params, degradation, spec);
                Triplet {
                    mask: mask.map(|(_, m)| m),
                    input,
                    target,
                    meta,
                }
            }
        }
    }
}

/// Load the photos of one split from a manifest, resized to `size` on the long side.
pub fn load_photos(
    dir: &std::path::Path,
    split: &str,
    size: u32,
) -> Result<Vec<(String, Image)>, crate::DataError> {
    use rayon::prelude::*;
    let records = crate::prepare::read_manifest(&dir.join("manifest.jsonl"))?;
    records
        .par_iter()
        .filter(|r| r.split == split)
        .map(|r| {
            let img = image::open(dir.join(&r.file))
                .map_err(|e| crate::DataError::Other(format!("{}: {e}", r.file)))?
                .resize(size, size, image::imageops::FilterType::Triangle)
                .to_rgb8();
            let im = Image::from_rgb8(img.width() as usize, img.height() as usize, img.as_raw())
                .map_err(|e| crate::DataError::Other(e.to_string()))?;
            Ok((r.id.clone(), im))
        })
        .collect()
}

fn png_bytes(img: &Image) -> Result<Vec<u8>, crate::DataError> {
    let buf = image::RgbImage::from_raw(img.width as u32, img.height as u32, img.to_rgb8())
        .ok_or_else(|| crate::DataError::Other("image buffer".into()))?;
    let mut out = Vec::new();
    buf.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .map_err(|e| crate::DataError::Other(e.to_string()))?;
    Ok(out)
}

/// Write `count` triplets as shards of `shard_size`: `out/shard-NNNNN/{index.jsonl, *_in.png,
/// *_out.png}`. `progress` is called once per triplet written.
pub fn write_shards(
    synth: &Synth,
    count: u64,
    out: &std::path::Path,
    shard_size: u64,
    progress: &(dyn Fn() + Sync),
) -> Result<(), crate::DataError> {
    use rayon::prelude::*;
    let err = |e: std::io::Error| crate::DataError::Other(e.to_string());
    let shards = count.div_ceil(shard_size.max(1));
    for s in 0..shards {
        let dir = out.join(format!("shard-{s:05}"));
        std::fs::create_dir_all(&dir).map_err(err)?;
        let range = (s * shard_size)..((s + 1) * shard_size).min(count);
        let lines: Vec<String> = range
            .into_par_iter()
            .map(|i| {
                let t = synth.sample(i);
                let (fin, fout) = (format!("{i:08}_in.png"), format!("{i:08}_out.png"));
                let fmask = t
                    .meta
                    .mask
                    .as_ref()
                    .map(|spec| (format!("{i:08}_mask.png"), render_mask(spec, &t.input)));
                if let Some((name, m)) = &fmask {
                    let gray = image::GrayImage::from_raw(
                        t.input.width as u32,
                        t.input.height as u32,
                        m.iter().map(|v| (v * 255.0).round() as u8).collect(),
                    )
                    .ok_or_else(|| crate::DataError::Other("mask buffer".into()))?;
                    let mut bytes = Vec::new();
                    gray.write_to(
                        &mut std::io::Cursor::new(&mut bytes),
                        image::ImageFormat::Png,
                    )
                    .map_err(|e| crate::DataError::Other(e.to_string()))?;
                    retouch_io::write_atomic(&dir.join(name), &bytes, true)
                        .map_err(|e| crate::DataError::Other(e.to_string()))?;
                }
                retouch_io::write_atomic(&dir.join(&fin), &png_bytes(&t.input)?, true)
                    .map_err(|e| crate::DataError::Other(e.to_string()))?;
                retouch_io::write_atomic(&dir.join(&fout), &png_bytes(&t.target)?, true)
                    .map_err(|e| crate::DataError::Other(e.to_string()))?;
                progress();
                let mut v = serde_json::to_value(&t.meta)
                    .map_err(|e| crate::DataError::Other(e.to_string()))?;
                v["input_file"] = fin.into();
                v["target_file"] = fout.into();
                if let Some((name, _)) = fmask {
                    v["mask_file"] = name.into();
                }
                Ok(v.to_string())
            })
            .collect::<Result<_, crate::DataError>>()?;
        retouch_io::write_atomic(
            &dir.join("index.jsonl"),
            (lines.join("\n") + "\n").as_bytes(),
            true,
        )
        .map_err(|e| crate::DataError::Other(e.to_string()))?;
    }
    Ok(())
}
