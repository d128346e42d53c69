//! Where the people are ("brighten the person", "darken the background"): MediaPipe's selfie
//! segmentation ([`retouch_vision::selfie`]) run on the photo squeezed to its 256 x 256 input,
//! as MediaPipe's own solution feeds it, its person probability resampled to the region masks'
//! view of the photo ([`crate::regions::mask_view`]) and softened a little, so the edit fades
//! over a few pixels of the full-resolution photo at the silhouette instead of stepping.

use crate::{ModelError, Result};
use retouch_vision::selfie::{self, SelfieSegmenter};
use std::sync::OnceLock;

/// The segmentation's input side: the photo is area-resized to `SIDE x SIDE` (aspect not kept).
pub const SIDE: usize = selfie::SIDE;

/// Below this mean person probability the photo is said to have nobody in it (the CLI warns).
pub const MIN_COVERAGE: f32 = 0.01;

/// The network, loaded once per process on first use (237 KB from the models directory).
pub fn segmenter() -> Result<&'static SelfieSegmenter> {
    static NET: OnceLock<std::result::Result<SelfieSegmenter, String>> = OnceLock::new();
    NET.get_or_init(|| SelfieSegmenter::load_default().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ModelError::Invalid(format!("the person segmentation: {e}")))
}

/// The person probability (`w x h`, row-major, in `[0, 1]`) of a photo given as its
/// `SIDE x SIDE` area-resized view (interleaved RGB in `[0, 1]`), resampled bilinearly to
/// `w x h` (half-pixel centres) and blurred by ~0.5 % of that size's diagonal.
pub fn probability(view: &[f32], w: usize, h: usize) -> Result<Vec<f32>> {
    if view.len() != SIDE * SIDE * 3 || w == 0 || h == 0 {
        return Err(ModelError::Invalid(format!(
            "the segmentation view has {} values for {SIDE}x{SIDE} RGB, the mask is {w}x{h}",
            view.len()
        )));
    }
    let input = selfie::input_from_unit_rgb(view, SIDE, SIDE);
    let p = segmenter()?
        .segment(&input)
        .map_err(|e| ModelError::Invalid(format!("the person segmentation: {e}")))?;
    let out = resample(&p.data, p.width, p.height, w, h);
    let r = ((w as f32).hypot(h as f32) * 0.005).round() as usize;
    Ok(if r == 0 {
        out
    } else {
        retouch_finish::blur::box3(&out, w, h, r)
    })
}

/// Bilinear resampling of a single-channel image, half-pixel centres, edges clamped.
fn resample(src: &[f32], sw: usize, sh: usize, w: usize, h: usize) -> Vec<f32> {
    let axis = |n: usize, to: usize| -> Vec<(usize, usize, f32)> {
        (0..to)
            .map(|o| {
                let x = ((o as f32 + 0.5) * n as f32 / to as f32 - 0.5).clamp(0.0, (n - 1) as f32);
                let i = x.floor() as usize;
                (i, (i + 1).min(n - 1), x - i as f32)
            })
            .collect()
    };
    let (xs, ys) = (axis(sw, w), axis(sh, h));
    let mut out = Vec::with_capacity(w * h);
    for &(y0, y1, fy) in &ys {
        for &(x0, x1, fx) in &xs {
            let at = |x: usize, y: usize| src[y * sw + x];
            let top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * fx;
            let bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * fx;
            out.push(top + (bottom - top) * fy);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_constants_and_interpolates_between_samples() {
        let flat = resample(&[0.25; 4], 2, 2, 5, 3);
        assert!(flat.iter().all(|&v| (v - 0.25).abs() < 1e-6));
        // 1 x 2 -> 1 x 4: centres at 0.25 and 0.75 of the way map onto the two samples'
        // half-pixel positions, clamped at the ends.
        let ramp = resample(&[0.0, 1.0], 2, 1, 4, 1);
        assert_eq!(ramp, vec![0.0, 0.25, 0.75, 1.0]);
    }

    #[test]
    fn a_view_of_the_wrong_size_is_an_error() {
        assert!(probability(&[0.5; 12], 4, 4).is_err());
    }
}
