//! What an edit must not change ("warmer, but keep the brightness"): given a photo `before`
//! and the edit's result `after` (interleaved RGB, same size), the image the edit should have
//! made instead: `after` with the kept aspect put back as it was in `before`. A correction
//! fitted from `after` to that image, applied after the edit, enforces the constraint.
//!
//! | aspect | what is put back |
//! |---|---|
//! | brightness | mean L* (every pixel's L* shifted by the same amount) |
//! | contrast | standard deviation of L* around its mean |
//! | saturation | mean chroma (a*, b* scaled by one factor) |
//! | white balance | mean a* and b* (every pixel shifted by the same amount) |
//! | colour | every pixel's a* and b* |

use crate::lab::{image_to_lab, lab_to_image};

fn mean(v: impl Iterator<Item = f32>) -> f32 {
    let (s, n) = v.fold((0.0f64, 0usize), |(s, n), x| (s + x as f64, n + 1));
    if n == 0 {
        0.0
    } else {
        (s / n as f64) as f32
    }
}

fn std(v: &[f32], m: f32) -> f32 {
    mean(v.iter().map(|x| (x - m) * (x - m))).sqrt()
}

/// `after` with the mean L* of `before`.
pub fn brightness(before: &[f32], after: &[f32]) -> Vec<f32> {
    let (b, mut a) = (image_to_lab(before), image_to_lab(after));
    let d = mean(b.iter().map(|v| v[0])) - mean(a.iter().map(|v| v[0]));
    a.iter_mut().for_each(|v| v[0] += d);
    lab_to_image(&a)
}

/// `after` with the L* spread of `before` (around `after`'s own mean).
pub fn contrast(before: &[f32], after: &[f32]) -> Vec<f32> {
    let (b, mut a) = (image_to_lab(before), image_to_lab(after));
    let lb: Vec<f32> = b.iter().map(|v| v[0]).collect();
    let la: Vec<f32> = a.iter().map(|v| v[0]).collect();
    let (mb, ma) = (mean(lb.iter().copied()), mean(la.iter().copied()));
    let (sb, sa) = (std(&lb, mb), std(&la, ma));
    let k = if sa > 1e-3 { sb / sa } else { 1.0 };
    a.iter_mut().for_each(|v| v[0] = ma + (v[0] - ma) * k);
    lab_to_image(&a)
}

/// `after` with the mean chroma of `before`.
pub fn saturation(before: &[f32], after: &[f32]) -> Vec<f32> {
    let (b, mut a) = (image_to_lab(before), image_to_lab(after));
    let c = |v: &[f32; 3]| v[1].hypot(v[2]);
    let (cb, ca) = (mean(b.iter().map(c)), mean(a.iter().map(c)));
    let k = if ca > 1e-3 { cb / ca } else { 1.0 };
    a.iter_mut().for_each(|v| {
        v[1] *= k;
        v[2] *= k;
    });
    lab_to_image(&a)
}

/// `after` with the mean a* and b* of `before`.
pub fn white_balance(before: &[f32], after: &[f32]) -> Vec<f32> {
    let (b, mut a) = (image_to_lab(before), image_to_lab(after));
    let da = mean(b.iter().map(|v| v[1])) - mean(a.iter().map(|v| v[1]));
    let db = mean(b.iter().map(|v| v[2])) - mean(a.iter().map(|v| v[2]));
    a.iter_mut().for_each(|v| {
        v[1] += da;
        v[2] += db;
    });
    lab_to_image(&a)
}

/// `after`'s lightness with `before`'s colour, pixel by pixel.
pub fn colour(before: &[f32], after: &[f32]) -> Vec<f32> {
    let (b, mut a) = (image_to_lab(before), image_to_lab(after));
    for (v, o) in a.iter_mut().zip(&b) {
        v[1] = o[1];
        v[2] = o[2];
    }
    lab_to_image(&a)
}

/// Mean L*, L* standard deviation, mean chroma, mean a*, mean b*: the statistics the kept
/// aspects hold fixed.
pub fn statistics(rgb: &[f32]) -> [f32; 5] {
    let lab = image_to_lab(rgb);
    let l: Vec<f32> = lab.iter().map(|v| v[0]).collect();
    let ml = mean(l.iter().copied());
    [
        ml,
        std(&l, ml),
        mean(lab.iter().map(|v| v[1].hypot(v[2]))),
        mean(lab.iter().map(|v| v[1])),
        mean(lab.iter().map(|v| v[2])),
    ]
}
