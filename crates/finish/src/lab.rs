//! CIELAB (D65) from sRGB-encoded values and back, for the image-adaptive corrections
//! ([`crate::auto`]) and the kept aspects ([`crate::keep`]).

use crate::color::{linear_to_srgb, srgb_to_linear};

const WHITE: [f32; 3] = [0.95047, 1.0, 1.08883];
const TO_XYZ: [[f32; 3]; 3] = [
    [0.412_456_4, 0.357_576_1, 0.180_437_5],
    [0.212_672_9, 0.715_152_2, 0.072_175],
    [0.019_333_9, 0.119_192, 0.950_304_1],
];
const TO_RGB: [[f32; 3]; 3] = [
    [3.240_454_2, -1.537_138_5, -0.498_531_4],
    [-0.969_266, 1.876_010_8, 0.041_556],
    [0.055_643_4, -0.204_025_9, 1.057_225_2],
];

fn f(t: f32) -> f32 {
    if t > 216.0 / 24389.0 {
        t.cbrt()
    } else {
        (24389.0 / 27.0 * t + 16.0) / 116.0
    }
}

fn finv(t: f32) -> f32 {
    let t3 = t * t * t;
    if t3 > 216.0 / 24389.0 {
        t3
    } else {
        (116.0 * t - 16.0) * 27.0 / 24389.0
    }
}

/// sRGB-encoded `[0, 1]` -> (L*, a*, b*).
pub fn from_rgb(c: [f32; 3]) -> [f32; 3] {
    let l = [
        srgb_to_linear(c[0]),
        srgb_to_linear(c[1]),
        srgb_to_linear(c[2]),
    ];
    let xyz: Vec<f32> = (0..3)
        .map(|i| (0..3).map(|j| TO_XYZ[i][j] * l[j]).sum::<f32>() / WHITE[i])
        .collect();
    let (fx, fy, fz) = (f(xyz[0]), f(xyz[1]), f(xyz[2]));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// (L*, a*, b*) -> sRGB-encoded, not clamped.
pub fn to_rgb(lab: [f32; 3]) -> [f32; 3] {
    let fy = (lab[0] + 16.0) / 116.0;
    let fx = fy + lab[1] / 500.0;
    let fz = fy - lab[2] / 200.0;
    let xyz = [
        finv(fx) * WHITE[0],
        finv(fy) * WHITE[1],
        finv(fz) * WHITE[2],
    ];
    let mut out = [0.0; 3];
    for i in 0..3 {
        let lin: f32 = (0..3).map(|j| TO_RGB[i][j] * xyz[j]).sum();
        out[i] = if lin < 0.0 {
            -linear_to_srgb(-lin)
        } else {
            linear_to_srgb(lin)
        };
    }
    out
}

/// An interleaved RGB image as L*a*b* triples.
pub fn image_to_lab(rgb: &[f32]) -> Vec<[f32; 3]> {
    rgb.chunks_exact(3)
        .map(|p| from_rgb([p[0], p[1], p[2]]))
        .collect()
}

/// L*a*b* triples back to interleaved RGB, clamped to `[0, 1]`.
pub fn lab_to_image(lab: &[[f32; 3]]) -> Vec<f32> {
    lab.iter()
        .flat_map(|v| to_rgb(*v).map(|c| c.clamp(0.0, 1.0)))
        .collect()
}
