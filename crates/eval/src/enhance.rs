//! The enhance benchmark (issue "Look at the photo", section 6): photos of the split degraded
//! by the formulas below, then asked to be fixed, both generically ("enhance", "make it look
//! better", ...) and by naming the problem ("it's too dark"); scored by how much closer to the
//! original photo the edit brings them (mean CIEDE2000), and by what generic requests do to
//! undegraded photos.
//!
//! The degradations are written here, independently of the training synthesis
//! (`retouch_data`) and of any estimator's training degradations, with different formulas and
//! fixed magnitudes:
//!
//! | kind | formula (x: sRGB-encoded, lin(x): linear light) |
//! |---|---|
//! | under -1 EV / -2 EV | enc(lin(x) / 2), enc(lin(x) / 4) |
//! | over +1 EV | enc(min(1, 2 lin(x))) |
//! | blue / yellow / green / magenta cast | enc(lin(x) * gains): (0.75, 0.92, 1.22), (1.15, 1.05, 0.65), (0.85, 1.12, 0.85), (1.12, 0.82, 1.10) |
//! | flat | 0.5 x + 0.5 mean(x) |
//! | harsh | logistic S-curve of slope 7 around 0.5, renormalised to [0, 1] |
//! | dull / garish | luma + k (x - luma), k = 0.35 / 1.8 (Rec. 601 luma), clipped |
//! | lifted blacks / crushed shadows | 0.18 + 0.82 x / max(0, (x - 0.12) / 0.88) |
//! | dark and blue | -1 EV, then the blue cast |
//!
//! The last [`HELD_OUT_GENERIC`] generic phrasings were written for this benchmark after the
//! reading's lexicons, and the lexicons are not to be tuned on them: they measure how the
//! reading copes with wordings nobody prepared it for (some read, some do not).

use crate::methods::apply_instruction;
use crate::{mean, Result};
use retouch_finish::color::{linear_to_srgb, srgb_to_linear};
use retouch_finish::Image;
use retouch_metrics::{mean_ciede2000, srgb_to_lab};
use retouch_model::Retoucher;
use serde::Serialize;

/// The estimator an enhance experiment measures (the examples under `examples/`): the file
/// the `ESTIMATOR` environment variable names, else the shipped one.
pub fn estimator_under_test() -> Result<retouch_model::estimate::Estimator> {
    Ok(match std::env::var("ESTIMATOR") {
        Ok(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| crate::EvalError::Other(format!("ESTIMATOR={path}: {e}")))?;
            retouch_model::estimate::Estimator::from_json(&text)?
        }
        Err(_) => retouch_model::estimate::Estimator::shipped()?,
    })
}

/// How a photo was degraded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Degradation {
    Under1Ev,
    Under2Ev,
    Over1Ev,
    BlueCast,
    YellowCast,
    GreenCast,
    MagentaCast,
    Flat,
    Harsh,
    Dull,
    Garish,
    LiftedBlacks,
    CrushedShadows,
    DarkAndBlue,
}

pub const DEGRADATIONS: [Degradation; 14] = [
    Degradation::Under1Ev,
    Degradation::Under2Ev,
    Degradation::Over1Ev,
    Degradation::BlueCast,
    Degradation::YellowCast,
    Degradation::GreenCast,
    Degradation::MagentaCast,
    Degradation::Flat,
    Degradation::Harsh,
    Degradation::Dull,
    Degradation::Garish,
    Degradation::LiftedBlacks,
    Degradation::CrushedShadows,
    Degradation::DarkAndBlue,
];

/// Generic requests. The last [`HELD_OUT_GENERIC`] are held out from the lexicons: four
/// written for this benchmark in session 8 after the lexicons, then twelve written at the
/// start of session 11 (2026-12-02), before any work on generic reading that session, in
/// eight languages and with a misspelling, then twelve written at the start of session 21
/// (2026-12-06), before any work on the reading that session, in seven languages with a
/// misspelling. Neither the lexicons nor the learned reader's corpus may be written from them
/// (`retouch train-reader` leaves every one of these out).
pub const GENERIC: [&str; 36] = [
    "enhance",
    "make it look better",
    "fix this photo",
    "auto",
    "make it look professional",
    "improve it please",
    "enhance this picture",
    "make it look like a pro edited it",
    "can you make this look good",
    "polish it up",
    "clean this up a little",
    "touch it up a bit",
    "make this pic look nicer",
    "can u enhanse it",
    "give it a pro edit",
    "do your magic",
    "rends-la plus belle",
    "mach das Bild schöner",
    "mejora esta foto",
    "sistemala un po'",
    "сделай фото получше",
    "让照片更好看",
    "写真を綺麗に補正して",
    "maak de foto mooier",
    "spruce it up a bit",
    "make it look less amateur",
    "pls make this look decent",
    "imprve the photo",
    "quick fix please",
    "make it instagram ready",
    "arrange un peu cette photo",
    "kannst du das Foto optimieren?",
    "deixa essa foto mais bonita",
    "popraw to zdjęcie",
    "улучши фотку",
    "사진 보정해줘",
];

pub const HELD_OUT_GENERIC: usize = 28;

/// Generic phrasings asked of each degraded photo (rotating through [`GENERIC`]).
const GENERIC_PER_CASE: usize = 3;

impl Degradation {
    pub fn name(self) -> &'static str {
        match self {
            Self::Under1Ev => "under -1 EV",
            Self::Under2Ev => "under -2 EV",
            Self::Over1Ev => "over +1 EV",
            Self::BlueCast => "blue cast",
            Self::YellowCast => "yellow cast",
            Self::GreenCast => "green cast",
            Self::MagentaCast => "magenta cast",
            Self::Flat => "flat",
            Self::Harsh => "harsh contrast",
            Self::Dull => "dull colour",
            Self::Garish => "garish colour",
            Self::LiftedBlacks => "lifted blacks",
            Self::CrushedShadows => "crushed shadows",
            Self::DarkAndBlue => "dark and blue",
        }
    }

    /// The problem named the way a person would.
    pub fn named(self) -> &'static str {
        match self {
            Self::Under1Ev => "it's too dark",
            Self::Under2Ev => "way too dark, brighten it",
            Self::Over1Ev => "it's overexposed",
            Self::BlueCast => "remove the blue cast",
            Self::YellowCast => "there's a yellow cast",
            Self::GreenCast => "it looks green, fix the colour",
            Self::MagentaCast => "too magenta",
            Self::Flat => "it looks flat",
            Self::Harsh => "the contrast is too harsh",
            Self::Dull => "the colours are dull",
            Self::Garish => "the colours are too strong",
            Self::LiftedBlacks => "the blacks look washed out",
            Self::CrushedShadows => "the shadows are crushed",
            Self::DarkAndBlue => "too dark and too blue",
        }
    }

    /// The degraded copy of interleaved sRGB `x` in `[0, 1]`.
    pub fn apply(self, x: &[f32]) -> Vec<f32> {
        let gains = |x: &[f32], g: [f32; 3]| -> Vec<f32> {
            x.chunks_exact(3)
                .flat_map(|p| {
                    [0, 1, 2].map(|i| linear_to_srgb((srgb_to_linear(p[i]) * g[i]).min(1.0)))
                })
                .collect()
        };
        let per_value = |f: &dyn Fn(f32) -> f32| x.iter().map(|v| f(*v).clamp(0.0, 1.0)).collect();
        let chroma = |k: f32| -> Vec<f32> {
            x.chunks_exact(3)
                .flat_map(|p| {
                    let y = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
                    [0, 1, 2].map(|i| (y + k * (p[i] - y)).clamp(0.0, 1.0))
                })
                .collect()
        };
        match self {
            Self::Under1Ev => gains(x, [0.5; 3]),
            Self::Under2Ev => gains(x, [0.25; 3]),
            Self::Over1Ev => gains(x, [2.0; 3]),
            Self::BlueCast => gains(x, [0.75, 0.92, 1.22]),
            Self::YellowCast => gains(x, [1.15, 1.05, 0.65]),
            Self::GreenCast => gains(x, [0.85, 1.12, 0.85]),
            Self::MagentaCast => gains(x, [1.12, 0.82, 1.10]),
            Self::Flat => {
                let m = x.iter().sum::<f32>() / x.len().max(1) as f32;
                per_value(&|v| 0.5 * v + 0.5 * m)
            }
            Self::Harsh => {
                let s = |v: f32| 1.0 / (1.0 + (-7.0 * (v - 0.5)).exp());
                let (lo, hi) = (s(0.0), s(1.0));
                per_value(&|v| (s(v) - lo) / (hi - lo))
            }
            Self::Dull => chroma(0.35),
            Self::Garish => chroma(1.8),
            Self::LiftedBlacks => per_value(&|v| 0.18 + 0.82 * v),
            Self::CrushedShadows => per_value(&|v| ((v - 0.12) / 0.88).max(0.0)),
            Self::DarkAndBlue => gains(&gains(x, [0.5; 3]), [0.75, 0.92, 1.22]),
        }
    }
}

/// Mean CIELAB chroma.
pub fn mean_chroma(rgb: &[f32]) -> f64 {
    mean(rgb.chunks_exact(3).map(|p| {
        let l = srgb_to_lab([p[0], p[1], p[2]]);
        f64::from(l.a.hypot(l.b))
    }))
}

/// One degraded photo asked one request.
#[derive(Clone, Debug, Serialize)]
pub struct Case {
    pub photo: usize,
    /// `None`: the photo as it is.
    pub degradation: Option<Degradation>,
    pub request: String,
    pub generic: bool,
    /// Mean CIEDE2000 to the original: the degraded input, the edit.
    pub before: f64,
    pub after: f64,
    /// The output lost its colour (mean chroma < 3 from an original above 8).
    pub monochrome: bool,
}

impl Case {
    /// Share of the degradation removed (negative: the edit added to it).
    pub fn removed(&self) -> f64 {
        if self.before > 0.0 {
            1.0 - self.after / self.before
        } else {
            f64::NAN
        }
    }
}

/// Aggregates over a set of cases.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Row {
    pub label: String,
    pub cases: usize,
    /// Share of cases whose edit is closer to the original than the degraded input.
    pub closer: f64,
    /// Mean share of the degradation removed.
    pub removed: f64,
    pub before: f64,
    pub after: f64,
}

impl Row {
    fn of<'a>(label: &str, cases: impl Iterator<Item = &'a Case> + Clone) -> Self {
        let n = cases.clone().count();
        Self {
            label: label.to_string(),
            cases: n,
            closer: if n == 0 {
                f64::NAN
            } else {
                cases.clone().filter(|c| c.after < c.before).count() as f64 / n as f64
            },
            removed: mean(cases.clone().map(Case::removed)),
            before: mean(cases.clone().map(|c| c.before)),
            after: mean(cases.map(|c| c.after)),
        }
    }
}

/// What the undegraded photos got from generic requests.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Undegraded {
    pub cases: usize,
    pub mean_delta_e: f64,
    pub max_delta_e: f64,
    pub monochrome: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct EnhanceSummary {
    pub photos: usize,
    /// Generic requests over every degradation, then per degradation.
    pub generic: Row,
    pub generic_by_kind: Vec<Row>,
    /// The same for the held-out phrasings only.
    pub generic_held_out: Row,
    pub generic_by_phrasing: Vec<Row>,
    pub named: Row,
    pub named_by_kind: Vec<Row>,
    pub undegraded: Undegraded,
    pub cases: Vec<Case>,
}

/// The generic phrasings asked of case `k` (rotating so each is asked equally often).
fn generic_for(k: usize) -> impl Iterator<Item = &'static str> {
    (0..GENERIC_PER_CASE).map(move |j| GENERIC[(k * GENERIC_PER_CASE + j) % GENERIC.len()])
}

/// Run the benchmark on `photos` (as they are, at the eval size).
pub fn run(r: &Retoucher, photos: &[Image], tick: &mut dyn FnMut()) -> Result<EnhanceSummary> {
    // Every request encoded once: the text stage does not depend on the photo.
    let mut requests: Vec<&str> = GENERIC.to_vec();
    requests.extend(DEGRADATIONS.iter().map(|d| d.named()));
    let encoded = requests
        .iter()
        .map(|q| Ok((*q, r.encode(q)?)))
        .collect::<Result<Vec<_>>>()?;
    let encoding = |q: &str| {
        encoded
            .iter()
            .find(|(e, _)| *e == q)
            .map(|(_, enc)| enc)
            .expect("every request is encoded")
    };
    let mut cases = Vec::new();
    let mut k = 0usize;
    for (pi, orig) in photos.iter().enumerate() {
        let chroma0 = mean_chroma(&orig.data);
        let mut kinds: Vec<Option<Degradation>> = vec![None];
        kinds.extend(DEGRADATIONS.iter().copied().map(Some));
        for kind in kinds {
            let input = match kind {
                Some(d) => Image::new(orig.width, orig.height, d.apply(&orig.data))?,
                None => orig.clone(),
            };
            let before = if kind.is_some() {
                mean_ciede2000(&orig.data, &input.data)?
            } else {
                0.0
            };
            let mut asks: Vec<(String, bool)> =
                generic_for(k).map(|g| (g.to_string(), true)).collect();
            k += 1;
            if let Some(d) = kind {
                asks.push((d.named().to_string(), false));
            }
            for (request, generic) in asks {
                let out = apply_instruction(r, &input, encoding(&request))?;
                let (after, chroma) =
                    rayon::join(|| mean_ciede2000(&orig.data, &out), || mean_chroma(&out));
                cases.push(Case {
                    photo: pi,
                    degradation: kind,
                    request,
                    generic,
                    before,
                    after: after?,
                    monochrome: chroma0 > 8.0 && chroma < 3.0,
                });
                tick();
            }
        }
    }
    Ok(summarise(photos.len(), cases))
}

/// Requests asked per photo (for a progress bar).
pub fn requests_per_photo() -> usize {
    (DEGRADATIONS.len() + 1) * GENERIC_PER_CASE + DEGRADATIONS.len()
}

fn summarise(photos: usize, cases: Vec<Case>) -> EnhanceSummary {
    let degraded = |generic: bool| {
        cases
            .iter()
            .filter(move |c| c.degradation.is_some() && c.generic == generic)
    };
    let by_kind = |generic: bool| {
        DEGRADATIONS
            .iter()
            .map(|d| {
                Row::of(
                    d.name(),
                    degraded(generic).filter(move |c| c.degradation == Some(*d)),
                )
            })
            .collect()
    };
    let held: Vec<&str> = GENERIC[GENERIC.len() - HELD_OUT_GENERIC..].to_vec();
    let none: Vec<&Case> = cases.iter().filter(|c| c.degradation.is_none()).collect();
    let undegraded = Undegraded {
        cases: none.len(),
        mean_delta_e: mean(none.iter().map(|c| c.after)),
        max_delta_e: none.iter().map(|c| c.after).fold(0.0, f64::max),
        monochrome: none.iter().filter(|c| c.monochrome).count(),
    };
    let held_ref = &held;
    EnhanceSummary {
        photos,
        generic: Row::of("all degradations", degraded(true)),
        generic_by_kind: by_kind(true),
        generic_held_out: Row::of(
            "held-out phrasings",
            degraded(true).filter(move |c| held_ref.contains(&c.request.as_str())),
        ),
        generic_by_phrasing: GENERIC
            .iter()
            .map(|g| Row::of(g, degraded(true).filter(move |c| c.request == *g)))
            .collect(),
        named: Row::of("all degradations", degraded(false)),
        named_by_kind: by_kind(false),
        undegraded,
        cases,
    }
}

/// The report's Markdown section.
pub fn markdown(s: &EnhanceSummary) -> String {
    let pct = |v: f64| {
        if v.is_finite() {
            format!("{:.0} %", 100.0 * v)
        } else {
            "-".into()
        }
    };
    let row = |r: &Row| {
        format!(
            "| {} | {} | {} | {} | {:.2} -> {:.2} |\n",
            r.label,
            r.cases,
            pct(r.closer),
            pct(r.removed),
            r.before,
            r.after
        )
    };
    let mut o = format!(
        "\nEnhance benchmark ({} photos, {} degradations written apart from the training synthesis, \
         {} generic phrasings of which the last {} were written after the lexicons; `crates/eval/src/enhance.rs`). \
         Generic requests on undegraded photos: mean {:.2} ΔE00 (max {:.2}) over {} cases, {} turned monochrome.\n\n",
        s.photos,
        DEGRADATIONS.len(),
        GENERIC.len(),
        HELD_OUT_GENERIC,
        s.undegraded.mean_delta_e,
        s.undegraded.max_delta_e,
        s.undegraded.cases,
        s.undegraded.monochrome
    );
    o += "| degradation | cases | closer to the original | degradation removed (mean) | ΔE00 to the original: input -> edit |\n|---|---|---|---|---|\n";
    o += &format!("| **generic requests** | | | | |\n{}", row(&s.generic));
    o += &row(&s.generic_held_out);
    for r in &s.generic_by_kind {
        o += &row(r);
    }
    o += &format!("| **named problems** | | | | |\n{}", row(&s.named));
    for r in &s.named_by_kind {
        o += &row(r);
    }
    o += "\nGeneric phrasings (all degradations):\n\n| phrasing | cases | closer | removed |\n|---|---|---|---|\n";
    for r in &s.generic_by_phrasing {
        o += &format!(
            "| {} | {} | {} | {} |\n",
            r.label,
            r.cases,
            pct(r.closer),
            pct(r.removed)
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use retouch_instruct::Reading;

    fn photo() -> Vec<f32> {
        (0..64 * 3)
            .map(|i| 0.1 + 0.8 * ((i * 37 % 101) as f32 / 100.0))
            .collect()
    }

    #[test]
    fn every_degradation_moves_the_photo_the_way_its_name_says() {
        let x = photo();
        let mean_l = |v: &[f32]| {
            mean(
                v.chunks_exact(3)
                    .map(|p| srgb_to_lab([p[0], p[1], p[2]]).l as f64),
            )
        };
        let mean_ab = |v: &[f32]| {
            let (a, b): (Vec<f64>, Vec<f64>) = v
                .chunks_exact(3)
                .map(|p| {
                    let l = srgb_to_lab([p[0], p[1], p[2]]);
                    (l.a as f64, l.b as f64)
                })
                .unzip();
            (mean(a.into_iter()), mean(b.into_iter()))
        };
        let (l0, (a0, b0), c0) = (mean_l(&x), mean_ab(&x), mean_chroma(&x));
        for d in DEGRADATIONS {
            let y = d.apply(&x);
            assert_eq!(y.len(), x.len());
            assert!(y.iter().all(|v| (0.0..=1.0).contains(v)), "{d:?}");
            let (l, (a, b), c) = (mean_l(&y), mean_ab(&y), mean_chroma(&y));
            let de = mean_ciede2000(&x, &y).unwrap();
            assert!(de > 2.0, "{d:?} barely changes the photo ({de})");
            match d {
                Degradation::Under1Ev | Degradation::Under2Ev | Degradation::DarkAndBlue => {
                    assert!(l < l0 - 8.0, "{d:?}")
                }
                Degradation::Over1Ev | Degradation::LiftedBlacks => assert!(l > l0 + 5.0, "{d:?}"),
                Degradation::CrushedShadows => assert!(l < l0 - 3.0, "{d:?}"),
                Degradation::BlueCast => assert!(b < b0 - 5.0, "{d:?}"),
                Degradation::YellowCast => assert!(b > b0 + 5.0, "{d:?}"),
                Degradation::GreenCast => assert!(a < a0 - 5.0, "{d:?}"),
                Degradation::MagentaCast => assert!(a > a0 + 5.0, "{d:?}"),
                Degradation::Dull => assert!(c < 0.6 * c0, "{d:?}"),
                Degradation::Garish => assert!(c > 1.3 * c0, "{d:?}"),
                Degradation::Flat | Degradation::Harsh => {}
            }
        }
        // Contrast: spread of L* shrinks (flat) or grows (harsh).
        let spread = |v: &[f32]| {
            let l: Vec<f64> = v
                .chunks_exact(3)
                .map(|p| srgb_to_lab([p[0], p[1], p[2]]).l as f64)
                .collect();
            let m = mean(l.iter().copied());
            mean(l.iter().map(|x| (x - m).abs()))
        };
        assert!(spread(&Degradation::Flat.apply(&x)) < 0.6 * spread(&x));
        assert!(spread(&Degradation::Harsh.apply(&x)) > 1.2 * spread(&x));
    }

    #[test]
    fn named_problems_are_read_and_held_out_phrasings_are_not_in_the_lexicon_by_name() {
        for d in DEGRADATIONS {
            let r = Reading::new(d.named());
            assert!(!r.is_empty(), "{:?}: `{}` reads as nothing", d, d.named());
        }
        assert!(HELD_OUT_GENERIC < GENERIC.len());
    }

    #[test]
    fn rows_count_closer_and_removed() {
        let c = |before: f64, after: f64| Case {
            photo: 0,
            degradation: Some(Degradation::Flat),
            request: "enhance".into(),
            generic: true,
            before,
            after,
            monochrome: false,
        };
        let cases = [c(10.0, 5.0), c(10.0, 12.0)];
        let r = Row::of("x", cases.iter());
        assert_eq!(r.cases, 2);
        assert!((r.closer - 0.5).abs() < 1e-12);
        assert!((r.removed - 0.15).abs() < 1e-12);
    }
}
