//! Where the people are ("brighten the person", "darken the background"): MediaPipe's selfie
//! segmentation ([`retouch_vision::selfie`]) run on the photo squeezed to its 256 x 256 input,
//! as MediaPipe's own solution feeds it, its person probability resampled to the region masks'
//! view of the photo ([`crate::regions::mask_view`]) and softened a little, so the edit fades
//! over a few pixels of the full-resolution photo at the silhouette instead of stepping.

use crate::{ModelError, Result};
use retouch_engine::Mask;
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
    // The engine's bilinear mask sampling (pixel centres, edges clamped) does the resampling.
    let out = Mask::new(p.width, p.height, p.data)?.resampled(w, h);
    let r = ((w as f32).hypot(h as f32) * 0.005).round() as usize;
    Ok(if r == 0 {
        out
    } else {
        retouch_finish::blur::box3(&out, w, h, r)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_of_the_wrong_size_is_an_error() {
        assert!(probability(&[0.5; 12], 4, 4).is_err());
    }
}
