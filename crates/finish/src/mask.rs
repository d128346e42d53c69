//! Soft region masks from simple priors (paper section 3.1: "additional soft masks from simple
//! priors"), and edits that differ inside and outside a mask.
//!
//! Every mask is finished with a blur whose radius is a fraction of the image diagonal, so it
//! has no spatial edge sharper than a 16x16 grid cell can follow; masks driven by lightness use
//! the pixel's own smoothed luma.

use crate::color::{luma, rgb_to_hsl};
use crate::params::Params;
use crate::{blur, ops, FinishError, Image};
use serde::{Deserialize, Serialize};

/// How a mask is made. Coordinates are fractions of the image (0..1), angles in degrees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MaskSpec {
    /// 1 at `start`, 0 at `end`, along direction `angle` (0 = left to right, 90 = top to bottom).
    Linear { angle: f32, start: f32, end: f32 },
    /// 1 inside `radius`, fading to 0 over `feather` (fractions of the diagonal).
    Radial {
        cx: f32,
        cy: f32,
        radius: f32,
        feather: f32,
    },
    /// Pixels whose smoothed luma lies in [lo, hi], with soft ramps of width `soft`.
    Luminance { lo: f32, hi: f32, soft: f32 },
    /// Pixels whose hue is within `width` degrees of `centre` and saturation above `min_sat`.
    Hue {
        centre: f32,
        width: f32,
        min_sat: f32,
    },
    /// Sky-like: blue-ish and not black (dusk skies count), or bright and nearly grey
    /// (overcast), in the upper part of the frame.
    Sky,
    /// Greens (foliage).
    Greens,
    /// Skin tones (orange-ish hues of moderate saturation).
    Skin,
}

fn ramp(x: f32, a: f32, b: f32) -> f32 {
    // 0 at a, 1 at b, smooth in between (works for a > b too).
    if a == b {
        return if x >= b { 1.0 } else { 0.0 };
    }
    let t = ((x - a) / (b - a)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

fn hue_weight(h: f32, centre: f32, width: f32) -> f32 {
    let d = ((h - centre + 540.0).rem_euclid(360.0) - 180.0).abs();
    ramp(d, width, width * 0.5)
}

/// Render a mask for `img`: one value in [0, 1] per pixel.
pub fn render(spec: &MaskSpec, img: &Image) -> Vec<f32> {
    let (w, h) = (img.width, img.height);
    let diag = (w as f32).hypot(h as f32);
    let coords = |i: usize| {
        (
            ((i % w) as f32 + 0.5) / w as f32,
            ((i / w) as f32 + 0.5) / h as f32,
        )
    };
    let n = w * h;
    let smooth_rgb = || {
        let r = (diag * 0.01).max(1.0) as usize;
        let chans: Vec<Vec<f32>> = (0..3)
            .map(|c| {
                blur::box3(
                    &img.data
                        .iter()
                        .skip(c)
                        .step_by(3)
                        .copied()
                        .collect::<Vec<_>>(),
                    w,
                    h,
                    r,
                )
            })
            .collect();
        (0..n)
            .map(move |i| [chans[0][i], chans[1][i], chans[2][i]])
            .collect::<Vec<_>>()
    };
    let raw: Vec<f32> = match *spec {
        MaskSpec::Linear { angle, start, end } => {
            let (s, c) = angle.to_radians().sin_cos();
            (0..n)
                .map(|i| {
                    let (x, y) = coords(i);
                    // Project onto the direction, normalised so 0..1 spans the frame.
                    let t = ((x - 0.5) * c + (y - 0.5) * s) / (c.abs() + s.abs()) + 0.5;
                    ramp(t, end, start)
                })
                .collect()
        }
        MaskSpec::Radial {
            cx,
            cy,
            radius,
            feather,
        } => (0..n)
            .map(|i| {
                let (x, y) = coords(i);
                let d = ((x - cx) * w as f32).hypot((y - cy) * h as f32) / diag;
                ramp(d, radius + feather.max(1e-3), radius)
            })
            .collect(),
        MaskSpec::Luminance { lo, hi, soft } => {
            let l: Vec<f32> = img
                .data
                .chunks(3)
                .map(|c| luma([c[0], c[1], c[2]]))
                .collect();
            let l = blur::box3(&l, w, h, (diag * 0.005).max(1.0) as usize);
            let s = soft.max(1e-3);
            l.iter()
                .map(|&v| ramp(v, lo - s, lo) * ramp(v, hi + s, hi))
                .collect()
        }
        MaskSpec::Hue {
            centre,
            width,
            min_sat,
        } => smooth_rgb()
            .into_iter()
            .map(|c| {
                let [hh, ss, _] = rgb_to_hsl(c);
                hue_weight(hh, centre, width) * ramp(ss, min_sat * 0.5, min_sat)
            })
            .collect(),
        MaskSpec::Sky => smooth_rgb()
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let (_, y) = coords(i);
                let [hh, ss, l] = rgb_to_hsl(c);
                let blue = hue_weight(hh, 215.0, 50.0) * ramp(ss, 0.05, 0.2);
                let bright = ramp(l, 0.08, 0.25);
                // Overcast skies are bright and nearly grey: count them too.
                let grey_bright = ramp(l, 0.6, 0.8) * ramp(ss, 0.25, 0.1);
                (blue * bright).max(grey_bright) * ramp(y, 0.7, 0.3)
            })
            .collect(),
        MaskSpec::Greens => smooth_rgb()
            .into_iter()
            .map(|c| {
                let [hh, ss, _] = rgb_to_hsl(c);
                hue_weight(hh, 100.0, 55.0) * ramp(ss, 0.08, 0.2)
            })
            .collect(),
        MaskSpec::Skin => smooth_rgb()
            .into_iter()
            .map(|c| {
                let [hh, ss, l] = rgb_to_hsl(c);
                hue_weight(hh, 22.0, 25.0)
                    * ramp(ss, 0.1, 0.2)
                    * ramp(ss, 0.85, 0.65)
                    * ramp(l, 0.15, 0.3)
                    * ramp(l, 0.95, 0.85)
            })
            .collect(),
    };
    let r = (diag * 0.02).max(1.0) as usize;
    blur::box3(&raw, w, h, r)
        .into_iter()
        .map(|v| v.clamp(0.0, 1.0))
        .collect()
}

/// `mask * apply(img, inside) + (1 - mask) * apply(img, outside)`.
pub fn apply_masked(
    img: &Image,
    inside: &Params,
    outside: &Params,
    mask: &[f32],
) -> Result<Image, FinishError> {
    if mask.len() != img.width * img.height {
        return Err(FinishError::Invalid(format!(
            "mask has {} values for a {}x{} image",
            mask.len(),
            img.width,
            img.height
        )));
    }
    let a = ops::apply(img, inside)?;
    let b = ops::apply(img, outside)?;
    let data = a
        .data
        .chunks(3)
        .zip(b.data.chunks(3))
        .zip(mask)
        .flat_map(|((pa, pb), &m)| [0, 1, 2].map(|c| pb[c] + m * (pa[c] - pb[c])))
        .collect();
    Ok(Image {
        width: img.width,
        height: img.height,
        data,
    })
}
