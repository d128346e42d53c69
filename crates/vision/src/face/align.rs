//! A face's chip for [`crate::face::embed`]: the similarity transform (scale, rotation,
//! shift) that best maps the detector's eyes, nose and mouth onto [`TEMPLATE`], in the least
//! squares sense, and the [`CHIP`] x [`CHIP`] image sampled through it.

use crate::face::detect::{bilinear, Face};
use crate::face::embed::CHIP;

/// Where dlib's own alignment (5-point landmarks, padding 0.25) puts BlazeFace's eye on the
/// image's left, eye on its right, nose tip and mouth centre in a 150 px chip, measured by
/// `scripts/faces/reference.py` on the astronaut portrait and its mirror image (then made
/// symmetric).
pub const TEMPLATE: [[f32; 2]; 4] = [
    [47.928, 54.46],
    [102.072, 54.46],
    [75.0, 81.633],
    [75.0, 106.222],
];

/// The chip of `face` in a photo (interleaved RGB in 0..1, `width` x `height`): interleaved
/// RGB, [`CHIP`] x [`CHIP`], black where it falls outside the photo.
pub fn chip(rgb: &[f32], width: usize, height: usize, face: &Face) -> Vec<f32> {
    let from: Vec<[f32; 2]> = face.keypoints[..4]
        .iter()
        .map(|&[x, y]| [x * width as f32, y * height as f32])
        .collect();
    // Chip -> photo: p = [a -b; b a] q + t, fitted on (template, keypoints).
    let [a, b, tx, ty] = similarity(&TEMPLATE, &from);
    let mut out = Vec::with_capacity(CHIP * CHIP * 3);
    for y in 0..CHIP {
        for x in 0..CHIP {
            let (qx, qy) = (x as f32, y as f32);
            let px = a * qx - b * qy + tx;
            let py = b * qx + a * qy + ty;
            out.extend_from_slice(&bilinear(rgb, width, height, px, py));
        }
    }
    out
}

/// Least-squares `[a, b, tx, ty]` with `to ~ [a -b; b a] from + t`.
fn similarity(from: &[[f32; 2]], to: &[[f32; 2]]) -> [f32; 4] {
    let n = from.len() as f32;
    let mean = |p: &[[f32; 2]]| {
        let s = p.iter().fold([0.0, 0.0], |s, q| [s[0] + q[0], s[1] + q[1]]);
        [s[0] / n, s[1] / n]
    };
    let (mf, mt) = (mean(from), mean(to));
    let (mut dot, mut cross, mut norm) = (0.0, 0.0, 0.0);
    for (f, t) in from.iter().zip(to) {
        let (fx, fy) = (f[0] - mf[0], f[1] - mf[1]);
        let (tx, ty) = (t[0] - mt[0], t[1] - mt[1]);
        dot += fx * tx + fy * ty;
        cross += fx * ty - fy * tx;
        norm += fx * fx + fy * fy;
    }
    let (a, b) = (dot / norm, cross / norm);
    [
        a,
        b,
        mt[0] - (a * mf[0] - b * mf[1]),
        mt[1] - (b * mf[0] + a * mf[1]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_similarity_is_recovered_exactly() {
        // Scale 2, rotate 30 degrees, shift (5, -3).
        let (s, r) = (2.0f32, 30f32.to_radians());
        let (a, b) = (s * r.cos(), s * r.sin());
        let to: Vec<[f32; 2]> = TEMPLATE
            .iter()
            .map(|&[x, y]| [a * x - b * y + 5.0, b * x + a * y - 3.0])
            .collect();
        let got = similarity(&TEMPLATE, &to);
        for (g, w) in got.iter().zip([a, b, 5.0, -3.0]) {
            assert!((g - w).abs() < 1e-3, "{got:?}");
        }
    }

    #[test]
    fn the_chip_puts_the_keypoints_on_the_template() {
        // A 300x200 photo, black with a white dot at each of the face's four keypoints.
        let (w, h) = (300usize, 200usize);
        let pts = [
            [100.0f32, 80.0],
            [160.0, 84.0],
            [128.0, 115.0],
            [126.0, 140.0],
        ];
        let mut rgb = vec![0.0; w * h * 3];
        for p in pts {
            let i = (p[1] as usize * w + p[0] as usize) * 3;
            rgb[i..i + 3].fill(1.0);
        }
        let mut keypoints = [[0.0; 2]; 6];
        for (k, p) in keypoints.iter_mut().zip(pts) {
            *k = [p[0] / w as f32, p[1] / h as f32];
        }
        let face = Face {
            score: 1.0,
            bbox: [0.0; 4],
            keypoints,
        };
        let c = chip(&rgb, w, h, &face);
        // Each dot lands within a few pixels of its template point (four points do not fit
        // a similarity exactly).
        for t in TEMPLATE {
            let mut best = 0.0f32;
            for dy in -4i32..=4 {
                for dx in -4i32..=4 {
                    let (x, y) = (
                        (t[0].round() as i32 + dx) as usize,
                        (t[1].round() as i32 + dy) as usize,
                    );
                    best = best.max(c[(y * CHIP + x) * 3]);
                }
            }
            assert!(best > 0.05, "nothing near {t:?}");
        }
    }
}
