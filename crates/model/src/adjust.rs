//! Corrections the photo sizes, fitted as grids: the image-adaptive fix of a generic request
//! or a named problem ([`retouch_finish::auto`]), and the enforcement of what the sentence asks
//! to keep ([`retouch_finish::keep`]). Both are computed on the network's thumbnail: the
//! corrected thumbnail is the target, a small grid is fitted from the thumbnail to it with the
//! model's guide (bilateral guided upsampling, `retouch_engine::fit_grid`), and the engine
//! applies that grid at full resolution like any other edit. The corrections are global colour
//! functions, so a grid with 2 x 2 cells and 9 guide bins holds them. 9 is the deepest grid the
//! engine's AVX2 kernel slices (12 bins sent every generic request and kept aspect to the
//! portable kernel on CPUs without AVX-512: 4K "enhance" sliced in 198 ms instead of 32 ms,
//! `retouch bench --edit`; the enhance benchmark is unchanged at 9).

use crate::estimate::{Estimator, Problem, Repair};
use crate::Result;
use retouch_engine::fit::{fit_grid, FitParams};
use retouch_engine::{
    slice_apply_with, ApplyParams, BilateralGrid, GuideMap, ImageMut, ImageRef, Kernel,
};
use retouch_finish::auto::{self, AutoSpec};
use retouch_finish::correction::Correction;
use retouch_finish::keep;
use retouch_instruct::{Aspect, Attr, Dir, Reading};

/// The fitted grids' size and regularisation.
pub fn fit_params() -> FitParams {
    FitParams {
        grid_h: 2,
        grid_w: 2,
        grid_d: 9,
        lambda_spatial: 1.0,
        lambda_depth: 0.02,
        lambda_identity: 1e-4,
        ..FitParams::default()
    }
}

/// Fit a grid that maps `before` to `target` (interleaved RGB thumbnails, `w x h`).
pub fn fit(
    before: &[f32],
    target: &[f32],
    w: usize,
    h: usize,
    guide: &GuideMap,
) -> Result<BilateralGrid> {
    let (grid, _) = fit_grid(before, target, w, h, guide, &fit_params())?;
    Ok(grid)
}

/// What the reading asks the photo to decide: `None` when it asks for no fix and is not
/// generic.
pub fn auto_spec(reading: &Reading) -> Option<AutoSpec> {
    if !reading.generic && reading.fixes.is_empty() {
        return None;
    }
    let mut spec = if reading.generic {
        AutoSpec::generic()
    } else {
        AutoSpec::default()
    };
    let hint = |d: Option<Dir>| d.map_or(0.0, Dir::sign);
    for f in &reading.fixes {
        match f.aspect {
            Aspect::Brightness => {
                spec.exposure = true;
                spec.exposure_hint = hint(f.hint);
            }
            Aspect::Contrast => {
                spec.contrast = true;
                spec.contrast_hint = hint(f.hint);
            }
            Aspect::Saturation => {
                spec.saturation = true;
                spec.saturation_hint = hint(f.hint);
            }
            Aspect::WhiteBalance => {
                spec.white_balance = true;
                match f.attr {
                    Some(Attr::Temperature) => spec.temperature_hint = hint(f.hint),
                    Some(Attr::Tint) => spec.tint_hint = hint(f.hint),
                    _ => {}
                }
            }
            Aspect::Colour => {
                spec.white_balance = true;
                spec.saturation = true;
            }
        }
    }
    // A named problem alongside a generic request keeps the generic dead zones for the rest.
    Some(spec)
}

/// How a photo's correction is decided.
#[derive(Clone, Debug)]
pub enum Corrector {
    /// Hand-set rules on the photo's statistics ([`retouch_finish::auto::correct`]).
    Rules,
    /// The learned estimator ([`crate::estimate`]).
    Learned(Box<Estimator>),
}

/// Dead zones of a generic request, per parameter ([`Correction::to_vec`] order): a good
/// photo's estimated needs inside them are left alone. Chosen with [`GENERIC_PASSES`] on the
/// enhance benchmark's validation thumbnails (`cargo run --release -p retouch-eval --example
/// generic_shape`), removed / photos closer / undegraded photos changed: two passes at these
/// 28.3 % / 87 % / 1.85 ΔE00; one pass at four fifths of them (the zones shipped before)
/// 25.2 % / 88 % / 1.85; two passes at 1.2 times these 25.9 % / 87 % / 1.47.
pub const GENERIC_DEAD_ZONE: [f32; 6] = [0.075, 0.075, 0.375, 0.0375, 0.0375, 0.15];

/// How many times a generic request asks the estimator: after the first correction it reads
/// the corrected thumbnail again and corrects what it still sees past the dead zones (the
/// first estimate is shrunk towards "nothing needed", so a second look finds more of a strong
/// fault and little on a good photo).
pub const GENERIC_PASSES: usize = 2;

/// What the estimator's correction becomes for `spec`: only the asked aspects, generic
/// requests past their dead zones, named problems at least a step in their stated direction.
pub fn shape(c: Correction, spec: &AutoSpec) -> Correction {
    let mut v = c.to_vec();
    let keep = [
        spec.white_balance,
        spec.white_balance,
        spec.exposure,
        spec.contrast,
        spec.contrast,
        spec.saturation,
    ];
    for k in 0..6 {
        if !keep[k] {
            v[k] = 0.0;
        } else if spec.generic {
            let dz = GENERIC_DEAD_ZONE[k];
            v[k] = v[k].signum() * (v[k].abs() - dz).max(0.0);
        }
    }
    if spec.exposure_hint > 0.0 {
        v[2] = v[2].max(0.4);
    } else if spec.exposure_hint < 0.0 {
        v[2] = v[2].min(-0.4);
    }
    if spec.contrast_hint > 0.0 {
        // More contrast: levels stretched by at least 6 % at each end.
        v[3] = v[3].max(0.03);
        v[4] = v[4].min(-0.03);
    } else if spec.contrast_hint < 0.0 {
        v[3] = v[3].min(-0.03);
        v[4] = v[4].max(0.03);
    }
    // A cast named on one axis ("too yellow") is corrected on that axis only: the
    // estimator's reading of the other axis ("greener") is not what was asked (measured:
    // "too yellow" on astronaut.png moved a* by -3.8 and b* by 0). The axes are CIELAB's:
    // the gains split into a part that moves b* alone and one that moves a* alone
    // ([`lab_axes`]); a named cast moves its axis at least `NAMED_CAST_STEP` the stated way.
    let (mut a_part, mut b_part) = lab_axes(v[0], v[1]);
    // Measured on the enhance benchmark's named casts (removed, blue / yellow / green /
    // magenta): 42 / 40 / 27 / 33 % this way, 35 / 46 / 34 / 38 % keeping the other axis, whose
    // cost on photos without that cast is the drift above (chelsea.png "too yellow": a*
    // -7.8 with it, -1.0 without).
    if spec.temperature_hint != 0.0 && spec.tint_hint == 0.0 {
        a_part = (0.0, 0.0);
    } else if spec.tint_hint != 0.0 && spec.temperature_hint == 0.0 {
        b_part = (0.0, 0.0);
    }
    let (ua, ub) = axes();
    b_part = at_least(b_part, spec.temperature_hint, LAB_B, ub);
    a_part = at_least(a_part, spec.tint_hint, LAB_A, ua);
    v[0] = a_part.0 + b_part.0;
    v[1] = a_part.1 + b_part.1;
    if spec.saturation_hint > 0.0 {
        v[5] = v[5].max(0.2);
    } else if spec.saturation_hint < 0.0 {
        v[5] = v[5].min(-0.2);
    }
    Correction::from_vec(v)
}

/// a* per unit of log gain of red and of blue, at a neutral grey.
const LAB_A: (f32, f32) = (20.8, 11.1);
/// b* per unit of log gain of red and of blue, at a neutral grey.
const LAB_B: (f32, f32) = (7.3, -30.1);
/// How far a named cast moves its CIELAB axis at least (units of a* or b* at a mid grey; the
/// step the former rule, 0.12 in log red over blue, gave b*).
const NAMED_CAST_STEP: f32 = 2.2;

/// `part` (log gains of red and blue) moved along `axis` until it shifts the CIELAB axis whose
/// derivatives are `per_unit` by at least [`NAMED_CAST_STEP`] in the direction of `hint`.
fn at_least(part: (f32, f32), hint: f32, per_unit: (f32, f32), axis: (f32, f32)) -> (f32, f32) {
    if hint == 0.0 {
        return part;
    }
    let hint = hint.signum();
    let moved = hint * (per_unit.0 * part.0 + per_unit.1 * part.1);
    let along = per_unit.0 * axis.0 + per_unit.1 * axis.1;
    if moved >= NAMED_CAST_STEP || along == 0.0 {
        return part;
    }
    let k = hint * (NAMED_CAST_STEP - moved) / along;
    (part.0 + k * axis.0, part.1 + k * axis.1)
}

/// CIELAB a* and b* that log gains of red and blue (over green) move a neutral grey by (the
/// same at every grey level).
pub fn lab_shift(log_r: f32, log_b: f32) -> (f32, f32) {
    (
        LAB_A.0 * log_r + LAB_A.1 * log_b,
        LAB_B.0 * log_r + LAB_B.1 * log_b,
    )
}

/// The directions in (log red, log blue) that move a* alone (Δb* = 0: blue = red x
/// 7.3/30.1) and b* alone (Δa* = 0: red = -blue x 11.1/20.8).
fn axes() -> ((f32, f32), (f32, f32)) {
    ((1.0, -LAB_B.0 / LAB_B.1), (-LAB_A.1 / LAB_A.0, 1.0))
}

/// Log gains of red and blue (over green) split into the part that moves a* alone and the
/// part that moves b* alone ([`axes`]), by the derivatives of CIELAB at a neutral grey (the
/// same at every grey level): per unit of log gain, red moves a* by 20.8 and b* by 7.3, blue
/// moves a* by 11.1 and b* by -30.1.
pub fn lab_axes(log_r: f32, log_b: f32) -> ((f32, f32), (f32, f32)) {
    let (ua, ub) = axes();
    // (log_r, log_b) = p ua + q ub.
    let det = ua.0 * ub.1 - ub.0 * ua.1;
    let p = (log_r * ub.1 - ub.0 * log_b) / det;
    let q = (ua.0 * log_b - ua.1 * log_r) / det;
    ((p * ua.0, p * ua.1), (q * ub.0, q * ub.1))
}

/// The problems a spec names: every asked aspect of a named-problem request; of a generic one,
/// those a named problem beside it gave a direction.
fn named(spec: &AutoSpec) -> Vec<Problem> {
    let mut v = Vec::new();
    let g = spec.generic;
    if spec.white_balance && !g {
        v.push(Problem::WhiteBalance);
    }
    if spec.exposure && (!g || spec.exposure_hint != 0.0) {
        v.push(Problem::Exposure);
    }
    if spec.contrast && (!g || spec.contrast_hint != 0.0) {
        v.push(Problem::Contrast);
    }
    if spec.saturation && (!g || spec.saturation_hint != 0.0) {
        v.push(Problem::Saturation);
    }
    v
}

/// The repairs a spec's named problems ask for: each stated direction of exposure, saturation
/// and the two white-balance axes.
fn repairs(spec: &AutoSpec) -> Vec<Repair> {
    [
        (spec.exposure, Problem::Exposure, spec.exposure_hint, false),
        (
            spec.white_balance,
            Problem::WhiteBalance,
            spec.temperature_hint,
            false,
        ),
        (
            spec.white_balance,
            Problem::WhiteBalance,
            spec.tint_hint,
            true,
        ),
        (
            spec.saturation,
            Problem::Saturation,
            spec.saturation_hint,
            false,
        ),
    ]
    .into_iter()
    .filter(|(asked, ..)| *asked)
    .filter_map(|(_, p, sign, tint)| Repair::of(p, sign, tint))
    .collect()
}

/// The thumbnail (`side x side`) as the photo's correction would make it.
pub fn auto_target(
    thumb: &[f32],
    side: usize,
    spec: &AutoSpec,
    corrector: &Corrector,
) -> crate::Result<Vec<f32>> {
    Ok(match corrector {
        Corrector::Rules => auto::correct(thumb, spec).0,
        Corrector::Learned(e) => {
            let (problems, repairs) = (named(spec), repairs(spec));
            let c = e.predict_given(thumb, side, side, &problems, &repairs)?;
            let mut out = shape(c, spec).apply(thumb);
            // Named problems take one pass: their shaping steps at least once the stated way.
            if spec.generic && problems.is_empty() && repairs.is_empty() {
                for _ in 1..GENERIC_PASSES {
                    out = shape(e.predict(&out, side, side)?, spec).apply(&out);
                }
            }
            out
        }
    })
}

/// How far (CIELAB units) a kept statistic may stay off on the thumbnail before the keep
/// grid is refitted ([`keep_grid`]).
pub const KEEP_RESIDUAL: f32 = 0.15;

/// Refits of the keep grid at most ([`keep_grid`]).
const KEEP_REFITS: usize = 3;

/// The statistics of `keep::statistics` that `kept` holds fixed.
fn kept_indices(kept: &[Aspect]) -> Vec<usize> {
    let mut v: Vec<usize> = kept
        .iter()
        .flat_map(|a| a.statistics().iter().copied())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The largest distance between `before`'s and `after`'s kept statistics.
pub fn kept_residual(before: &[f32], after: &[f32], kept: &[Aspect]) -> f32 {
    let (b, a) = (keep::statistics(before), keep::statistics(after));
    kept_indices(kept)
        .into_iter()
        .map(|i| (a[i] - b[i]).abs())
        .fold(0.0, f32::max)
}

/// The grid that puts the kept aspects of `original` back on `edited` (both `l x l`
/// thumbnails; `edited` is what the edits so far make of `original`). A fitted grid is a
/// smoothed version of the correction, and the photo is clipped to [0, 1] when it is written,
/// so the fit's own result is measured, clipped, and what is still off is added to the target
/// and fitted again, up to [`KEEP_REFITS`] times, until every kept statistic is within
/// [`KEEP_RESIDUAL`]. Returns the grid and the residual it leaves on the thumbnail.
pub fn keep_grid(
    original: &[f32],
    edited: &[f32],
    kept: &[Aspect],
    l: usize,
    guide: &GuideMap,
) -> Result<(BilateralGrid, f32)> {
    let mut target = keep_target(original, edited, kept);
    let mut grid = fit(edited, &target, l, l, guide)?;
    let mut got = apply_clipped(&grid, guide, edited, l)?;
    let mut residual = kept_residual(original, &got, kept);
    for _ in 0..KEEP_REFITS {
        if residual <= KEEP_RESIDUAL {
            break;
        }
        // What the fitted result should have been, and the step toward it.
        let again = keep_target(original, &got, kept);
        let next: Vec<f32> = target
            .iter()
            .zip(again.iter().zip(&got))
            .map(|(t, (w, g))| t + (w - g))
            .collect();
        let g2 = fit(edited, &next, l, l, guide)?;
        let got2 = apply_clipped(&g2, guide, edited, l)?;
        let r2 = kept_residual(original, &got2, kept);
        if r2 >= residual {
            break;
        }
        (target, grid, got, residual) = (next, g2, got2, r2);
    }
    Ok((grid, residual))
}

/// `grid` applied to an `l x l` thumbnail, clipped to [0, 1] as a written photo is.
fn apply_clipped(
    grid: &BilateralGrid,
    guide: &GuideMap,
    thumb: &[f32],
    l: usize,
) -> Result<Vec<f32>> {
    let mut out = vec![0f32; thumb.len()];
    slice_apply_with(
        Kernel::Portable,
        grid,
        guide,
        ImageRef::new(thumb, l, l, 3)?,
        ImageMut::new(&mut out, l, l, 3)?,
        &ApplyParams::default(),
    )?;
    out.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
    Ok(out)
}

/// `after` with each kept aspect of `before` put back, in the order colour, white balance,
/// saturation, contrast, brightness (colour already holds the next two).
pub fn keep_target(before: &[f32], after: &[f32], kept: &[Aspect]) -> Vec<f32> {
    let mut t = after.to_vec();
    let has = |a: Aspect| kept.contains(&a);
    if has(Aspect::Colour) {
        t = keep::colour(before, &t);
    } else {
        if has(Aspect::WhiteBalance) {
            t = keep::white_balance(before, &t);
        }
        if has(Aspect::Saturation) {
            t = keep::saturation(before, &t);
        }
    }
    if has(Aspect::Contrast) {
        t = keep::contrast(before, &t);
    }
    if has(Aspect::Brightness) {
        t = keep::brightness(before, &t);
    }
    t
}
