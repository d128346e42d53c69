//! Runtime rows at 720p, 1080p, 1440p and 2160p: medians of timed runs after one warm-up,
//! decode and encode excluded (they are the same for every method).

use crate::methods::rule_based;
use crate::Result;
use retouch_engine::benchdata::{test_image, SIZES};
use retouch_engine::{ImageMut, ImageRef, Kernel};
use retouch_finish::Image;
use retouch_model::apply_edits;
use retouch_model::Retoucher;
use serde::Serialize;
use std::time::Instant;

/// The sentence every whole-photo runtime row edits with.
pub const INSTRUCTION: &str = "make it warmer, lift the shadows and give it a travel-magazine look";

/// A sentence with a whole-photo part and a region part: two network passes and a two-grid
/// chain in the slice (the region's stage is skipped where its mask is 0, so the rows also
/// report how much of the photo the mask covers).
pub const REGION_INSTRUCTION: &str = "make it warmer and darken the sky";

/// A generic request: the network stage is the photo's estimator (statistics and the
/// pretrained backbone on the thumbnail) and a grid fitted to its correction.
pub const GENERIC_INSTRUCTION: &str = "enhance this photo";

/// One size's `retouch edit` stage timings (medians, ms).
#[derive(Clone, Debug, Serialize)]
pub struct EditRow {
    pub name: &'static str,
    pub width: usize,
    pub height: usize,
    pub text_ms: f64,
    pub network_ms: f64,
    pub slice_ms: f64,
    pub total_ms: f64,
    /// Network passes (grids chained in the slice).
    pub passes: usize,
    /// Fraction of the photo inside some region's mask (mask > 0); `None` without regions.
    pub region_fraction: Option<f64>,
}

/// Sentences of about 20 tokens for the text stage's rows: one the rules read whole, one in
/// a language without a lexicon (Thai, two clauses), which the learned reader reads (multilingual-e5
/// and its head on top of MiniLM).
pub const TEXT_SENTENCES: [&str; 2] = [
    "could you please make this photo a little warmer, lift the shadows and bring down the highlights",
    "ช่วยทำให้ภาพอุ่นขึ้นและมืดลงหน่อย, แล้วเพิ่มคอนทราสต์ในเงาด้วย ขอบคุณ",
];

/// The text stage of one sentence (medians, ms): reading, learned reader, sentence encoder.
#[derive(Clone, Debug, Serialize)]
pub struct TextRow {
    pub sentence: &'static str,
    /// Tokens the network's sentence encoder saw (with `[CLS]` and `[SEP]`).
    pub tokens: usize,
    /// Clauses the learned reader read.
    pub learned_clauses: usize,
    pub text_ms: f64,
    pub min_ms: f64,
}

/// Load times (ms) of the model and the learned reader, and the text stage of each
/// [`TEXT_SENTENCES`] entry: `runs` timed runs after a warm-up. The learned reader is loaded
/// once here (`Retoucher::learned`), as `retouch edit` does on the first sentence that needs
/// it.
pub fn text_stage(r: &Retoucher, runs: u32) -> Result<(f64, Vec<TextRow>)> {
    let t = Instant::now();
    r.learned()?;
    let reader_load_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut rows = Vec::new();
    for sentence in TEXT_SENTENCES {
        let mut times = Vec::new();
        let (mut tokens, mut learned_clauses) = (0, 0);
        for i in 0..=runs {
            let t = Instant::now();
            let enc = r.encode(sentence)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            tokens = enc.encoded.tokens.dims().first().copied().unwrap_or(0);
            learned_clauses = enc.reading.learned.len();
            if i > 0 {
                times.push(ms);
            }
        }
        let min_ms = times.iter().copied().fold(f64::INFINITY, f64::min);
        rows.push(TextRow {
            sentence,
            tokens,
            learned_clauses,
            text_ms: median(&mut times),
            min_ms,
        });
    }
    Ok((reader_load_ms, rows))
}

/// One size's rule-based timings (medians, ms): matcher + pipeline at full resolution.
#[derive(Clone, Debug, Serialize)]
pub struct PipelineRow {
    pub name: &'static str,
    pub width: usize,
    pub height: usize,
    pub total_ms: f64,
}

pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(a: Instant, b: Instant) -> f64 {
    (b - a).as_secs_f64() * 1e3
}

/// Text + network + slice of `instruction` on u8 RGB at every size, `runs` timed runs each.
pub fn edit_stages(
    r: &Retoucher,
    kernel: Kernel,
    runs: u32,
    instruction: &str,
) -> Result<Vec<EditRow>> {
    let mut rows = Vec::new();
    for (name, w, h) in SIZES {
        let src = test_image(w, h);
        let mut dst = vec![0u8; src.len()];
        let (mut tt, mut tn, mut ts, mut tot) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut passes, mut region_fraction) = (0, None);
        for i in 0..=runs {
            let t0 = Instant::now();
            let enc = r.encode(instruction)?;
            let t1 = Instant::now();
            let edits = r.predict_edits(&src, w, h, 3, &enc)?;
            let t2 = Instant::now();
            apply_edits(
                kernel,
                &edits,
                r.guide(),
                ImageRef::new(&src, w, h, 3)?,
                ImageMut::new(&mut dst, w, h, 3)?,
                1.0,
                None,
            )?;
            let t3 = Instant::now();
            std::hint::black_box(&dst);
            passes = edits.len();
            region_fraction = region_coverage(&edits);
            if i > 0 {
                tt.push(ms(t0, t1));
                tn.push(ms(t1, t2));
                ts.push(ms(t2, t3));
                tot.push(ms(t0, t3));
            }
        }
        rows.push(EditRow {
            name,
            width: w,
            height: h,
            text_ms: median(&mut tt),
            network_ms: median(&mut tn),
            slice_ms: median(&mut ts),
            total_ms: median(&mut tot),
            passes,
            region_fraction,
        });
    }
    Ok(rows)
}

/// Fraction of mask samples above 0 in any edit's region mask (the masks share one size).
fn region_coverage(edits: &[retouch_model::Edit]) -> Option<f64> {
    let masks: Vec<_> = edits.iter().filter_map(|e| e.region.as_ref()).collect();
    let n = masks.first()?.1.data.len();
    let inside = (0..n)
        .filter(|&i| {
            masks
                .iter()
                .any(|(_, m)| m.data.get(i).is_some_and(|&v| v > 0.0))
        })
        .count();
    Some(inside as f64 / n as f64)
}

/// The rule-based path (matcher + pipeline on f32 RGB) at every size.
pub fn rule_based_stages(runs: u32) -> Result<Vec<PipelineRow>> {
    let mut rows = Vec::new();
    for (name, w, h) in SIZES {
        let img = Image::from_rgb8(w, h, &test_image(w, h))?;
        let mut tot = Vec::new();
        for i in 0..=runs {
            let t0 = Instant::now();
            let out = rule_based(&img, INSTRUCTION)?;
            let t1 = Instant::now();
            std::hint::black_box(&out);
            if i > 0 {
                tot.push(ms(t0, t1));
            }
        }
        rows.push(PipelineRow {
            name,
            width: w,
            height: h,
            total_ms: median(&mut tot),
        });
    }
    Ok(rows)
}
