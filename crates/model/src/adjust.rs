//! Corrections the photo sizes, fitted as grids: the image-adaptive fix of a generic request
//! or a named problem ([`retouch_finish::auto`]), and the enforcement of what the sentence asks
//! to keep ([`retouch_finish::keep`]). Both are computed on the network's thumbnail: the
//! corrected thumbnail is the target, a small grid is fitted from the thumbnail to it with the
//! model's guide (bilateral guided upsampling, `retouch_engine::fit_grid`), and the engine
//! applies that grid at full resolution like any other edit. The corrections are global colour
//! functions, so a grid with 2 x 2 cells and 12 guide bins holds them.

use crate::Result;
use retouch_engine::fit::{fit_grid, FitParams};
use retouch_engine::{BilateralGrid, GuideMap};
use retouch_finish::auto::{self, AutoReport, AutoSpec};
use retouch_finish::keep;
use retouch_instruct::{Aspect, Dir, Reading};

/// The fitted grids' size and regularisation.
pub fn fit_params() -> FitParams {
    FitParams {
        grid_h: 2,
        grid_w: 2,
        grid_d: 12,
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
            Aspect::WhiteBalance => spec.white_balance = true,
            Aspect::Colour => {
                spec.white_balance = true;
                spec.saturation = true;
            }
        }
    }
    // A named problem alongside a generic request keeps the generic dead zones for the rest.
    Some(spec)
}

/// The thumbnail as the auto correction would make it.
pub fn auto_target(thumb: &[f32], spec: &AutoSpec) -> (Vec<f32>, AutoReport) {
    auto::correct(thumb, spec)
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
