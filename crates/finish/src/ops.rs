//! The pipeline: `apply(image, params)`. Operations run in a fixed order, each in the space
//! where it belongs:
//!
//! 1. linear light: white balance (Bradford adaptation of the D65 white to a daylight white
//!    shifted by temperature/tint) and exposure (gain 2^EV);
//! 2. sRGB encoding, per channel: contrast, the parametric tone curve, gamma (one combined
//!    monotone curve);
//! 3. local: shadow/highlight recovery, a gain driven by a *smooth* luma (box blur x3, radius
//!    3% of the diagonal) so edges do not halo at grid resolution;
//! 4. colour: saturation/vibrance, HSL bands, split toning, black-and-white mix;
//! 5. fade, vignette; then clamp to [0, 1].
//!
//! An operation whose parameters are at identity is skipped, so `Params::default()` returns
//! the input exactly.

use crate::color::{self, luma};
use crate::curve::MonotoneCurve;
use crate::params::{Params, HSL_BANDS};
use crate::{blur, FinishError, Image};
use rayon::prelude::*;

/// Apply the pipeline (validates the parameters first).
pub fn apply(img: &Image, p: &Params) -> Result<Image, FinishError> {
    p.validate()?;
    let mut out = img.clone();
    white_balance_exposure(&mut out, p);
    tone(&mut out, p);
    local_recovery(&mut out, p);
    colour(&mut out, p);
    finish(&mut out, p);
    if *p != Params::default() {
        out.data.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
    }
    Ok(out)
}

fn for_pixels(img: &mut Image, f: impl Fn([f32; 3]) -> [f32; 3] + Sync) {
    img.data.par_chunks_mut(3).for_each(|px| {
        let o = f([px[0], px[1], px[2]]);
        px.copy_from_slice(&o);
    });
}

/// The white balance matrix (linear sRGB) for temperature/tint.
pub fn white_balance_matrix(temperature: f32, tint: f32) -> color::Mat3 {
    let d65_mired = 1e6 / color::D65_CCT;
    let target = 1e6 / (d65_mired + 60.0 * temperature);
    let (x0, y0) = color::daylight_xy(color::D65_CCT);
    let (x1, y1) = color::daylight_xy(target);
    let (x1, y1) = color::shift_v(x1, y1, -0.02 * tint);
    color::bradford_rgb(color::white_xyz(x0, y0), color::white_xyz(x1, y1))
}

fn white_balance_exposure(img: &mut Image, p: &Params) {
    if p.temperature == 0.0 && p.tint == 0.0 && p.exposure == 0.0 {
        return;
    }
    let m = white_balance_matrix(p.temperature, p.tint);
    let gain = 2f32.powf(p.exposure);
    for_pixels(img, |c| {
        let lin = c.map(color::srgb_to_linear);
        color::apply(&m, lin).map(|v| color::linear_to_srgb(v * gain))
    });
}

/// The combined per-channel tone function (contrast, then tone curve, then gamma).
pub fn tone_function(p: &Params) -> impl Fn(f32) -> f32 + Sync {
    let c = p.contrast;
    let knots = [0.0, 0.25, 0.5, 0.75, 1.0];
    let amounts = [p.blacks, p.shadows, p.midtones, p.highlights, p.whites];
    let ys: Vec<f32> = knots
        .iter()
        .zip(amounts)
        .map(|(x, a)| x + 0.12 * a)
        .collect();
    let curve = MonotoneCurve::new(&knots, &ys);
    let inv_gamma = 1.0 / p.gamma;
    move |v: f32| {
        let v = v.clamp(0.0, 1.0);
        let s = if c >= 0.0 {
            v * v * (3.0 - 2.0 * v)
        } else {
            0.5 - ((1.0 - 2.0 * v).asin() / 3.0).sin()
        };
        let v = v + c.abs() * (s - v);
        curve.eval(v).clamp(0.0, 1.0).powf(inv_gamma)
    }
}

fn tone(img: &mut Image, p: &Params) {
    let id = Params::default();
    if p.contrast == 0.0
        && [p.blacks, p.shadows, p.midtones, p.highlights, p.whites] == [0.0; 5]
        && p.gamma == id.gamma
    {
        return;
    }
    let f = tone_function(p);
    img.data.par_iter_mut().for_each(|v| *v = f(*v));
}

fn local_recovery(img: &mut Image, p: &Params) {
    if p.shadow_recovery == 0.0 && p.highlight_recovery == 0.0 {
        return;
    }
    let l: Vec<f32> = img
        .data
        .chunks(3)
        .map(|c| luma([c[0], c[1], c[2]]))
        .collect();
    let radius = ((img.width as f32).hypot(img.height as f32) * 0.03).max(1.0) as usize;
    let ls = blur::box3(&l, img.width, img.height, radius);
    let (s, h) = (p.shadow_recovery, p.highlight_recovery);
    img.data
        .par_chunks_mut(3)
        .zip(ls.par_iter())
        .for_each(|(px, &m)| {
            let ws = (1.0 - m).powi(2);
            let wh = m * m;
            let gain = (1.0 + 0.8 * s * ws) * (1.0 + 0.35 * h * wh);
            for v in px.iter_mut() {
                *v *= gain;
            }
        });
}

/// Smooth weight of hue `h` for a band centred at `c` (raised cosine reaching 0 at the
/// neighbouring band centres, approximately).
fn band_weight(h: f32, c: f32, half_width: f32) -> f32 {
    let d = ((h - c + 540.0).rem_euclid(360.0) - 180.0).abs();
    if d >= half_width {
        0.0
    } else {
        0.5 * (1.0 + (std::f32::consts::PI * d / half_width).cos())
    }
}

fn colour(img: &mut Image, p: &Params) {
    let sat = p.saturation != 0.0 || p.vibrance != 0.0;
    let hsl = p.hsl.iter().any(|b| *b != Default::default());
    let split = p.split.shadow_amount != 0.0 || p.split.highlight_amount != 0.0;
    let bw = p.bw != 0.0;
    if !(sat || hsl || split || bw) {
        return;
    }
    let ts = color::hue_tint(p.split.shadow_hue);
    let th = color::hue_tint(p.split.highlight_hue);
    let pivot = 0.5 - 0.25 * p.split.balance;
    let mix_sum: f32 = p.bw_mix.iter().sum();
    let mix = p.bw_mix.map(|w| w / mix_sum);
    for_pixels(img, |mut c| {
        if sat {
            let l = luma(c);
            let cs = c.iter().copied().fold(f32::MIN, f32::max)
                - c.iter().copied().fold(f32::MAX, f32::min);
            let k = 1.0 + p.saturation + p.vibrance * (1.0 - cs.clamp(0.0, 1.0)).powi(2);
            c = c.map(|v| l + k.max(0.0) * (v - l));
        }
        if hsl {
            let [h, s, l] = color::rgb_to_hsl(c.map(|v| v.clamp(0.0, 1.0)));
            let (mut dh, mut ds, mut dl) = (0.0, 0.0, 0.0);
            for (b, (_, centre)) in p.hsl.iter().zip(HSL_BANDS) {
                let w = band_weight(h, centre, 60.0);
                dh += w * b.hue;
                ds += w * b.saturation;
                dl += w * b.lightness;
            }
            let s2 = (s * (1.0 + ds)).clamp(0.0, 1.0);
            // Lightness moves only coloured pixels.
            let l2 = (l + 0.25 * dl * s).clamp(0.0, 1.0);
            c = color::hsl_to_rgb([h + dh, s2, l2]);
        }
        if bw {
            let g = mix[0] * c[0] + mix[1] * c[1] + mix[2] * c[2];
            c = c.map(|v| v + p.bw * (g - v));
        }
        if split {
            // Overlapping weights around the balance point; pure black and pure white stay
            // untinted.
            let l = luma(c).clamp(0.0, 1.0);
            let t = ((l - pivot + 0.5).clamp(0.0, 1.0)).powi(2)
                * (3.0 - 2.0 * (l - pivot + 0.5).clamp(0.0, 1.0));
            let ends = (l / 0.15).min(1.0) * ((1.0 - l) / 0.15).min(1.0);
            let a = 0.25 * p.split.shadow_amount * (1.0 - t) * ends;
            let b = 0.25 * p.split.highlight_amount * t * ends;
            c = [0, 1, 2].map(|i| c[i] + a * ts[i] + b * th[i]);
        }
        c
    });
}

fn finish(img: &mut Image, p: &Params) {
    if p.fade != 0.0 {
        let (lo, hi) = (0.18 * p.fade, 1.0 - 0.06 * p.fade);
        img.data
            .par_iter_mut()
            .for_each(|v| *v = lo + (hi - lo) * v.clamp(0.0, 1.0));
    }
    if p.vignette != 0.0 {
        let (w, h) = (img.width as f32, img.height as f32);
        let width = img.width;
        let v = p.vignette;
        img.data.par_chunks_mut(3).enumerate().for_each(|(i, px)| {
            let x = ((i % width) as f32 + 0.5) / w * 2.0 - 1.0;
            let y = ((i / width) as f32 + 0.5) / h * 2.0 - 1.0;
            let r = ((x * x + y * y) / 2.0).sqrt(); // 0 centre, 1 corners
            let t = ((r - 0.35) / 0.65).clamp(0.0, 1.0);
            let wgt = t * t * (3.0 - 2.0 * t);
            let gain = 1.0 + 0.6 * v * wgt;
            for c in px.iter_mut() {
                *c = if v < 0.0 {
                    *c * gain
                } else {
                    1.0 - (1.0 - *c) * (2.0 - gain)
                };
            }
        });
    }
}
