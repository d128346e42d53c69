//! Image-adaptive corrections: what "enhance", "fix the white balance" or "it's too dark"
//! should do to *this* photo, and by how much, from its statistics. Used for generic requests
//! and named problems; the result is a corrected thumbnail from which the caller fits a grid.
//!
//! Each correction measures the photo, compares it with what well-exposed, neutral, normally
//! contrasted and coloured photos show, and removes the part of the difference beyond a dead
//! zone: a generic request uses a wide dead zone, so a good photo is left nearly alone; a
//! named problem a narrow one, and its stated direction sets a minimum change.
//!
//! | step | measured | aim | formula |
//! |---|---|---|---|
//! | white balance | mean a*, b* of mid-tone pixels, weighted toward low chroma | a* = 0, b* = +2 | von Kries gains in linear RGB |
//! | exposure | log-average luminance and the 99th percentile (linear) | key 0.18, top 0.9 | gain 2^EV in linear light, soft shoulder |
//! | levels | 1st and 99th percentile of L* | 3 and 96 | linear stretch of encoded values |
//! | saturation | mean chroma of pixels with 10 < L* < 95 | 14 to 36 | chroma scaled around luma |

use crate::color::{linear_to_srgb, srgb_to_linear};
use crate::lab::{from_rgb, image_to_lab};

/// What to correct.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AutoSpec {
    pub white_balance: bool,
    pub exposure: bool,
    pub contrast: bool,
    pub saturation: bool,
    /// A named problem's direction for exposure (+1 brighter, -1 darker, 0 none).
    pub exposure_hint: f32,
    pub contrast_hint: f32,
    pub saturation_hint: f32,
    /// A named cast's repair direction on the blue-yellow axis (+1 warmer, -1 cooler) and
    /// the green-magenta axis (+1 toward magenta, -1 toward green).
    pub temperature_hint: f32,
    pub tint_hint: f32,
    /// A generic request: wide dead zones, small changes to good photos.
    pub generic: bool,
}

impl AutoSpec {
    /// Everything, for a generic request.
    pub fn generic() -> Self {
        Self {
            white_balance: true,
            exposure: true,
            contrast: true,
            saturation: true,
            generic: true,
            ..Self::default()
        }
    }
}

/// What was measured and decided (for reports and tests).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AutoReport {
    /// Cast removed (a*, b*).
    pub cast: [f32; 2],
    /// Exposure change in EV.
    pub ev: f32,
    /// L* levels mapped to 3 and 96 (both 0 when unchanged).
    pub levels: [f32; 2],
    /// Chroma factor.
    pub chroma: f32,
}

/// `x` beyond a dead zone of half-width `dz`, shrunk toward 0 by `dz`.
fn beyond(x: f32, dz: f32) -> f32 {
    x.signum() * (x.abs() - dz).max(0.0)
}

fn quantile(v: &mut [f32], q: f32) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[((v.len() - 1) as f32 * q).round() as usize]
}

fn lin_luma(p: [f32; 3]) -> f32 {
    0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]
}

/// Correct an interleaved RGB image (`[0, 1]`, sRGB-encoded) as `spec` says.
pub fn correct(rgb: &[f32], spec: &AutoSpec) -> (Vec<f32>, AutoReport) {
    let mut px: Vec<[f32; 3]> = rgb.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    let mut report = AutoReport {
        chroma: 1.0,
        ..AutoReport::default()
    };
    if px.is_empty() {
        return (rgb.to_vec(), report);
    }
    let g = spec.generic;
    // 1. White balance.
    if spec.white_balance {
        // The least chromatic tenth of the pixels with 20 < L* < 97: in a photo with a cast
        // they are its neutrals, tinted; a scene's own colour leaves some of them grey.
        let lab = image_to_lab(&flatten(&px));
        let mut cand: Vec<[f32; 3]> = lab
            .iter()
            .filter(|v| v[0] > 20.0 && v[0] < 97.0)
            .copied()
            .collect();
        cand.sort_by(|x, y| x[1].hypot(x[2]).total_cmp(&y[1].hypot(y[2])));
        cand.truncate((cand.len() / 10).max(1));
        let (mut sa, mut sb, mut sw) = (0.0f32, 0.0f32, 0.0f32);
        for v in &cand {
            sa += v[1];
            sb += v[2];
            sw += 1.0;
        }
        if sw > 0.0 {
            let (ma, mb) = (sa / sw, sb / sw - 1.0);
            let c = ma.hypot(mb);
            let dz = if g { 4.0 } else { 1.0 };
            // Never more than 20 units: beyond that the "cast" is the scene.
            let k = if c > dz {
                ((c - dz).min(20.0)) / c
            } else {
                0.0
            };
            let (ta, tb) = (ma * k, mb * k);
            if k > 0.0 {
                // Gains that move a grey with the measured cast to neutral, at equal luminance.
                let cast =
                    crate::lab::to_rgb([70.0, ta, tb]).map(|v| srgb_to_linear(v.clamp(0.02, 1.0)));
                let grey = crate::lab::to_rgb([70.0, 0.0, 0.0]).map(srgb_to_linear);
                let mut gains = [0, 1, 2].map(|i| (grey[i] / cast[i]).clamp(0.6, 1.6));
                let norm = lin_luma(gains);
                gains.iter_mut().for_each(|x| *x /= norm);
                for p in px.iter_mut() {
                    for i in 0..3 {
                        p[i] = linear_to_srgb((srgb_to_linear(p[i]) * gains[i]).clamp(0.0, 1.0));
                    }
                }
                report.cast = [ta, tb];
            }
        }
    }
    // 2. Exposure.
    if spec.exposure {
        let lum: Vec<f32> = px.iter().map(|p| lin_luma(p.map(srgb_to_linear))).collect();
        let key = (lum.iter().map(|y| (y + 1e-3).ln()).sum::<f32>() / lum.len() as f32).exp();
        let mut sorted = lum.clone();
        let top = quantile(&mut sorted, 0.99).max(1e-4);
        let ev_key = (0.18 / key).log2();
        let ev_top = (0.9 / top).log2();
        // Under-exposed: as far as the key asks, but not past what the brightest pixels allow
        // (+0.7 EV of shoulder); over-exposed: the key alone (clipped tops say nothing).
        let clipped = lum.iter().filter(|y| **y > 0.95).count() as f32 / lum.len() as f32;
        let raw = if ev_key > 0.0 {
            // A dark photo whose brightest parts are bright is dark by intent.
            ev_key.min(ev_top.max(0.0))
        } else if g && clipped < 0.02 && ev_top > -0.1 {
            // Bright but not clipped: high-key by intent.
            ev_key * 0.5
        } else {
            ev_key
        };
        let dz = match (g, raw > 0.0) {
            (true, true) => 0.45,
            (true, false) => 0.7,
            _ => 0.15,
        };
        let mut ev = beyond(raw, dz).clamp(-2.5, 2.5);
        if spec.exposure_hint > 0.0 {
            ev = ev.max(0.4);
        } else if spec.exposure_hint < 0.0 {
            ev = ev.min(-0.4);
        }
        if ev != 0.0 {
            let gain = 2f32.powf(ev);
            for p in px.iter_mut() {
                for c in p.iter_mut() {
                    let y = srgb_to_linear(*c) * gain;
                    // Soft shoulder above 0.8 so a brightened sky does not clip flat.
                    let y = if y > 0.8 {
                        0.8 + 0.2 * (1.0 - (-(y - 0.8) / 0.2).exp())
                    } else {
                        y
                    };
                    *c = linear_to_srgb(y);
                }
            }
            report.ev = ev;
        }
    }
    // 3. Levels.
    if spec.contrast {
        let mut l: Vec<f32> = px.iter().map(|p| from_rgb(*p)[0]).collect();
        let lo = quantile(&mut l, 0.01);
        let hi = quantile(&mut l, 0.99);
        // Real photos rarely reach black or white; only a clearly flat one is stretched
        // (generic: to a spread of 60 L* units at least; named: by a third, to 70 at least),
        // around its own middle.
        let spread = hi - lo;
        let want = if spec.contrast_hint < 0.0 {
            spread * 0.8
        } else if g {
            spread.max(60.0)
        } else {
            (spread * 1.33).clamp(70.0, 95.0).max(spread)
        };
        let mid = 0.5 * (lo + hi);
        let new_lo = (mid - want / 2.0).max(0.0);
        let new_hi = (mid + want / 2.0).min(100.0);
        if (new_lo - lo).abs() > 0.5 || (new_hi - hi).abs() > 0.5 {
            // Map L* lo -> new_lo and hi -> new_hi with one linear map of encoded values.
            let enc = |l: f32| crate::lab::to_rgb([l, 0.0, 0.0])[1];
            let (e_lo, e_hi) = (enc(lo), enc(hi));
            let (t_lo, t_hi) = (enc(new_lo), enc(new_hi));
            if e_hi - e_lo > 0.05 {
                let s = (t_hi - t_lo) / (e_hi - e_lo);
                for p in px.iter_mut() {
                    for c in p.iter_mut() {
                        *c = (t_lo + (*c - e_lo) * s).clamp(0.0, 1.0);
                    }
                }
                report.levels = [lo, hi];
            }
        }
    }
    // 4. Saturation.
    if spec.saturation {
        let lab = image_to_lab(&flatten(&px));
        let cs: Vec<f32> = lab
            .iter()
            .filter(|v| v[0] > 10.0 && v[0] < 95.0)
            .map(|v| v[1].hypot(v[2]))
            .collect();
        if !cs.is_empty() {
            let c = cs.iter().sum::<f32>() / cs.len() as f32;
            let (lo, hi) = if g { (10.0, 45.0) } else { (18.0, 30.0) };
            let mut target = c.clamp(lo, hi);
            if spec.saturation_hint > 0.0 {
                target = target.max(c * 1.25);
            } else if spec.saturation_hint < 0.0 {
                target = target.min(c * 0.8);
            }
            let k = if c > 0.5 {
                (target / c).clamp(0.5, 2.2)
            } else {
                1.0
            };
            if (k - 1.0).abs() > 0.02 {
                for p in px.iter_mut() {
                    let y = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
                    for v in p.iter_mut() {
                        *v = (y + (*v - y) * k).clamp(0.0, 1.0);
                    }
                }
                report.chroma = k;
            }
        }
    }
    (flatten(&px), report)
}

fn flatten(px: &[[f32; 3]]) -> Vec<f32> {
    px.iter().flat_map(|p| p.iter().copied()).collect()
}
