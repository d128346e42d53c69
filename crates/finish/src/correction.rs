//! A global photographic correction with six parameters, the output of the photo's estimator
//! (`retouch_model::estimate`) and the unit its training degradations are drawn in.
//!
//! Applied in this order, each step invertible:
//!
//! | step | parameter | operation |
//! |---|---|---|
//! | white balance | `log_r`, `log_b` | linear-light gains `e^log_r`, 1, `e^log_b` on R, G, B |
//! | exposure | `ev` | linear-light gain `2^ev` |
//! | levels | `black`, `white` | encoded `v -> (v - black) / (white - black)` |
//! | saturation | `log_chroma` | encoded `luma + e^log_chroma (v - luma)` (Rec. 709 weights) |
//!
//! [`Correction::degrade`] applies the inverse steps in the reverse order, so
//! `c.apply(&c.degrade(x)) == x` wherever nothing clipped.

use crate::color::{linear_to_srgb, srgb_to_linear};
use serde::{Deserialize, Serialize};

/// The parameters; [`Correction::default`] is the identity.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub log_r: f32,
    pub log_b: f32,
    pub ev: f32,
    pub black: f32,
    pub white: f32,
    pub log_chroma: f32,
}

impl Default for Correction {
    fn default() -> Self {
        Self {
            log_r: 0.0,
            log_b: 0.0,
            ev: 0.0,
            black: 0.0,
            white: 1.0,
            log_chroma: 0.0,
        }
    }
}

/// The parameters as a vector, identity at 0: `[log_r, log_b, ev, black, white - 1, log_chroma]`.
pub const PARAMS: usize = 6;

impl Correction {
    pub fn to_vec(&self) -> [f32; PARAMS] {
        [
            self.log_r,
            self.log_b,
            self.ev,
            self.black,
            self.white - 1.0,
            self.log_chroma,
        ]
    }

    pub fn from_vec(v: [f32; PARAMS]) -> Self {
        Self {
            log_r: v[0],
            log_b: v[1],
            ev: v[2],
            black: v[3],
            white: v[4] + 1.0,
            log_chroma: v[5],
        }
    }

    /// The same correction with the levels kept usable (`white - black >= 0.3`) and every
    /// parameter within what a photo can need.
    pub fn clamped(&self) -> Self {
        let mut c = *self;
        c.log_r = c.log_r.clamp(-0.7, 0.7);
        c.log_b = c.log_b.clamp(-0.7, 0.7);
        c.ev = c.ev.clamp(-3.0, 3.0);
        c.black = c.black.clamp(-0.4, 0.45);
        c.white = c.white.clamp(0.55, 1.5);
        if c.white - c.black < 0.3 {
            let mid = 0.5 * (c.white + c.black);
            c.black = mid - 0.15;
            c.white = mid + 0.15;
        }
        c.log_chroma = c.log_chroma.clamp(-1.2, 1.2);
        c
    }

    /// Apply to interleaved sRGB-encoded RGB in `[0, 1]`; the output is clamped to `[0, 1]`.
    pub fn apply(&self, rgb: &[f32]) -> Vec<f32> {
        let c = self.clamped();
        let gain = [
            c.log_r.exp() * 2f32.powf(c.ev),
            2f32.powf(c.ev),
            c.log_b.exp() * 2f32.powf(c.ev),
        ];
        let k = c.log_chroma.exp();
        let span = c.white - c.black;
        rgb.chunks_exact(3)
            .flat_map(|p| {
                let v = [0, 1, 2].map(|i| {
                    let e = linear_to_srgb((srgb_to_linear(p[i]) * gain[i]).clamp(0.0, 1.0));
                    ((e - c.black) / span).clamp(0.0, 1.0)
                });
                let y = 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
                v.map(|x| (y + k * (x - y)).clamp(0.0, 1.0))
            })
            .collect()
    }

    /// The photo this correction would repair: the inverse steps in the reverse order.
    pub fn degrade(&self, rgb: &[f32]) -> Vec<f32> {
        let c = self.clamped();
        let gain = [
            (-c.log_r).exp() * 2f32.powf(-c.ev),
            2f32.powf(-c.ev),
            (-c.log_b).exp() * 2f32.powf(-c.ev),
        ];
        let k = (-c.log_chroma).exp();
        let span = c.white - c.black;
        rgb.chunks_exact(3)
            .flat_map(|p| {
                let y = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
                let v = [0, 1, 2].map(|i| (y + k * (p[i] - y)).clamp(0.0, 1.0));
                v.map(|e| e * span + c.black)
                    .map(|e| e.clamp(0.0, 1.0))
                    .iter()
                    .enumerate()
                    .map(|(i, e)| linear_to_srgb((srgb_to_linear(*e) * gain[i]).clamp(0.0, 1.0)))
                    .collect::<Vec<f32>>()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo() -> Vec<f32> {
        (0..300)
            .map(|i| 0.15 + 0.7 * ((i * 53 % 97) as f32 / 96.0))
            .collect()
    }

    #[test]
    fn default_is_the_identity() {
        let x = photo();
        let y = Correction::default().apply(&x);
        for (a, b) in x.iter().zip(&y) {
            assert!((a - b).abs() < 1e-5);
        }
    }

    #[test]
    fn apply_undoes_degrade_where_nothing_clips() {
        let x = photo();
        let c = Correction {
            log_r: 0.15,
            log_b: -0.2,
            ev: 0.5,
            black: 0.08,
            white: 0.95,
            log_chroma: 0.3,
        };
        let d = c.degrade(&x);
        let max_diff = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .map(|(p, q)| (p - q).abs())
                .fold(0.0f32, f32::max)
        };
        assert!(max_diff(&x, &d) > 0.05, "the degradation does something");
        assert!(max_diff(&x, &c.apply(&d)) < 2e-3);
    }

    #[test]
    fn vector_round_trip_and_clamp() {
        let c = Correction {
            log_r: 0.1,
            log_b: 0.2,
            ev: -1.0,
            black: 0.05,
            white: 0.9,
            log_chroma: -0.1,
        };
        assert_eq!(Correction::from_vec(c.to_vec()), c);
        let bad = Correction {
            black: 0.6,
            white: 0.6,
            ev: 9.0,
            ..Correction::default()
        }
        .clamped();
        assert!(bad.white - bad.black >= 0.3 - 1e-6 && bad.ev <= 3.0);
    }
}
