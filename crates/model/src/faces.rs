//! Where the faces are ("brighten her face", "warm up the faces"): MediaPipe's BlazeFace
//! ([`retouch_vision::face`]) run on the photo at [`VIEW`] px on its long side, in all its
//! views (the whole photo and overlapping halves, for small faces), and a soft ellipse drawn
//! over each face it is sure enough of, turned with the line of the eyes, covering forehead to
//! chin. Where it finds none, the face region falls back to the skin-tone prior
//! ([`retouch_finish::Region::fallback_prior`]) and the CLI and server say so.

use crate::{ModelError, Result};
use retouch_vision::face::{Face, FaceDetector};
use std::sync::OnceLock;

/// Long side of the view faces are looked for in.
pub const VIEW: usize = 512;
/// Faces scored below this are not used...
pub const MIN_SCORE: f32 = 0.75;
/// ...unless none passes it: then the best face, if it reaches this.
pub const MIN_SCORE_ALONE: f32 = 0.6;

/// The detector, loaded once per process on first use (220 KB from the models directory).
pub fn detector() -> Result<&'static FaceDetector> {
    static NET: OnceLock<std::result::Result<FaceDetector, String>> = OnceLock::new();
    NET.get_or_init(|| FaceDetector::load_default().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ModelError::Invalid(format!("the face detector: {e}")))
}

/// The faces in a photo given as its view (interleaved RGB in `[0, 1]`, `w x h`), in
/// coordinates relative to the photo: those scored at least [`MIN_SCORE`], else the best one
/// if it reaches [`MIN_SCORE_ALONE`], else none.
pub fn find(view: &[f32], w: usize, h: usize) -> Result<Vec<Face>> {
    let all = detector()?
        .find(view, w, h)
        .map_err(|e| ModelError::Invalid(format!("the face detector: {e}")))?;
    let sure: Vec<Face> = all
        .iter()
        .filter(|f| f.score >= MIN_SCORE)
        .cloned()
        .collect();
    Ok(if sure.is_empty() {
        all.into_iter()
            .take(1)
            .filter(|f| f.score >= MIN_SCORE_ALONE)
            .collect()
    } else {
        sure
    })
}

/// The faces' mask at `w x h` (row-major, in `[0, 1]`): per face an ellipse centred a tenth of
/// the box above its centre (BlazeFace's box runs from the brows to the chin), 0.6 of the
/// box wide and 0.75 high as semi-axes, turned with the eyes, 1 inside 85 % of its radius and
/// fading to 0 at 115 %; where faces overlap, the larger value.
pub fn mask(faces: &[Face], w: usize, h: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; w * h];
    for f in faces {
        let [bx, by, bw, bh] = f.bbox;
        // In pixels of the mask.
        let (cx, cy) = (
            (bx + bw / 2.0) * w as f32,
            (by + bh / 2.0 - 0.1 * bh) * h as f32,
        );
        let (ax, ay) = (0.6 * bw * w as f32, 0.75 * bh * h as f32);
        let [[lx, ly], [rx, ry]] = [f.keypoints[0], f.keypoints[1]];
        let angle = ((ry - ly) * h as f32).atan2((rx - lx) * w as f32);
        let (sin, cos) = angle.sin_cos();
        if ax < 0.5 || ay < 0.5 {
            continue;
        }
        let reach = 1.15 * ax.max(ay);
        let (x0, x1) = (
            (cx - reach).floor().max(0.0) as usize,
            ((cx + reach).ceil().max(0.0) as usize).min(w),
        );
        let (y0, y1) = (
            (cy - reach).floor().max(0.0) as usize,
            ((cy + reach).ceil().max(0.0) as usize).min(h),
        );
        for y in y0..y1 {
            for x in x0..x1 {
                let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                // Into the face's frame: along the eyes, and across.
                let (u, v) = (dx * cos + dy * sin, -dx * sin + dy * cos);
                let r = ((u / ax).powi(2) + (v / ay).powi(2)).sqrt();
                let t = ((1.15 - r) / 0.3).clamp(0.0, 1.0);
                let value = t * t * (3.0 - 2.0 * t);
                let o = &mut out[y * w + x];
                *o = o.max(value);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, y: f32, side: f32, eye_drop: f32) -> Face {
        Face {
            score: 0.9,
            bbox: [x, y, side, side],
            keypoints: [
                [x + 0.3 * side, y + 0.4 * side],
                [x + 0.7 * side, y + 0.4 * side + eye_drop],
                [x + 0.5 * side, y + 0.6 * side],
                [x + 0.5 * side, y + 0.8 * side],
                [x, y + 0.5 * side],
                [x + side, y + 0.5 * side],
            ],
        }
    }

    #[test]
    fn the_mask_covers_the_face_and_nothing_far_from_it() {
        let (w, h) = (200, 100);
        // A face 40 px wide at (80..120, 30..70) of a 200x100 mask.
        let m = mask(&[face(0.4, 0.3, 0.2, 0.0)], w, h);
        let at = |x: usize, y: usize| m[y * w + x];
        assert_eq!(at(100, 48), 1.0, "the face's centre");
        assert_eq!(at(100, 30), 1.0, "the forehead");
        assert_eq!(at(10, 50), 0.0, "far left");
        assert_eq!(at(190, 90), 0.0, "far corner");
        // Soft at the rim: somewhere between the centre and far away it is partly in.
        assert!((0..w).any(|x| at(x, 48) > 0.05 && at(x, 48) < 0.95));
        assert!(mask(&[], w, h).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn a_tilted_face_tilts_its_ellipse() {
        let (w, h) = (200, 200);
        // Eyes dropping to the right: the long axis leans; compare a point down-left and
        // down-right of the centre at the same distance.
        let straight = mask(&[face(0.35, 0.35, 0.3, 0.0)], w, h);
        let tilted = mask(&[face(0.35, 0.35, 0.3, 0.15)], w, h);
        // Pixel centres 17.5 px either side of the face's centre column (x = 100), 35 px down.
        let (y, left, right) = (135usize, 82usize, 117usize);
        assert!((straight[y * w + left] - straight[y * w + right]).abs() < 1e-3);
        assert!(straight[y * w + left] > 0.1, "inside the face");
        assert!(tilted[y * w + left] > tilted[y * w + right] + 0.1);
    }
}
