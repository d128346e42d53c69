//! Colour science used by the pipeline: the sRGB transfer curve, sRGB <-> XYZ (D65), the CIE
//! daylight locus, Bradford chromatic adaptation, HSL, and a luma.

/// sRGB-encoded value to linear light.
#[inline]
pub fn srgb_to_linear(v: f32) -> f32 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear light to sRGB encoding (negative values clamp to 0, values above 1 extend the curve).
#[inline]
pub fn linear_to_srgb(v: f32) -> f32 {
    if v <= 0.003_130_8 {
        v.max(0.0) * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

/// Rec. 709 luma of sRGB-encoded values (what the pipeline calls "lightness" for masks and
/// tone weights).
#[inline]
pub fn luma(c: [f32; 3]) -> f32 {
    0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
}

pub type Mat3 = [[f32; 3]; 3];

/// Linear sRGB to CIE XYZ (D65).
pub const RGB_TO_XYZ: Mat3 = [
    [0.412_456_4, 0.357_576_1, 0.180_437_5],
    [0.212_672_9, 0.715_152_2, 0.072_175],
    [0.019_333_9, 0.119_192, 0.950_304_1],
];

/// CIE XYZ (D65) to linear sRGB.
pub const XYZ_TO_RGB: Mat3 = [
    [3.240_454_2, -1.537_138_5, -0.498_531_4],
    [-0.969_266, 1.876_010_8, 0.041_556],
    [0.055_643_4, -0.204_025_9, 1.057_225_2],
];

/// Bradford cone response matrix.
const BRADFORD: Mat3 = [
    [0.8951, 0.2664, -0.1614],
    [-0.7502, 1.7135, 0.0367],
    [0.0389, -0.0685, 1.0296],
];

pub fn mul(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut m = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            m[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    m
}

#[inline]
pub fn apply(m: &Mat3, v: [f32; 3]) -> [f32; 3] {
    [0, 1, 2].map(|i| m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2])
}

pub fn invert(m: &Mat3) -> Mat3 {
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    let c =
        |r0: usize, c0: usize, r1: usize, c1: usize| m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
    [
        [
            c(1, 1, 2, 2) / det,
            -c(0, 1, 2, 2) / det,
            c(0, 1, 1, 2) / det,
        ],
        [
            -c(1, 0, 2, 2) / det,
            c(0, 0, 2, 2) / det,
            -c(0, 0, 1, 2) / det,
        ],
        [
            c(1, 0, 2, 1) / det,
            -c(0, 0, 2, 1) / det,
            c(0, 0, 1, 1) / det,
        ],
    ]
}

/// Chromaticity (x, y) of the CIE daylight locus at correlated colour temperature `t` kelvin
/// (CIE 15, valid 4000-25000 K; clamped to that range).
pub fn daylight_xy(t: f32) -> (f32, f32) {
    let t = t.clamp(4000.0, 25000.0) as f64;
    let x = if t <= 7000.0 {
        -4.6070e9 / t.powi(3) + 2.9678e6 / t.powi(2) + 0.09911e3 / t + 0.244063
    } else {
        -2.0064e9 / t.powi(3) + 1.9018e6 / t.powi(2) + 0.24748e3 / t + 0.237040
    };
    let y = -3.0 * x * x + 2.870 * x - 0.275;
    (x as f32, y as f32)
}

/// XYZ (Y = 1) of a white with chromaticity (x, y).
pub fn white_xyz(x: f32, y: f32) -> [f32; 3] {
    [x / y, 1.0, (1.0 - x - y) / y]
}

/// The white of D65 as the daylight formula gives it (so that "no change" maps D65 to itself
/// exactly, the pipeline adapts between two points of the same formula).
pub const D65_CCT: f32 = 6504.0;

/// Shift a chromaticity along CIE 1960 v (positive = toward green).
pub fn shift_v(x: f32, y: f32, dv: f32) -> (f32, f32) {
    let d = -2.0 * x + 12.0 * y + 3.0;
    let (u, v) = (4.0 * x / d, 6.0 * y / d + dv);
    let e = 2.0 * u - 8.0 * v + 4.0;
    (3.0 * u / e, 2.0 * v / e)
}

/// Linear-sRGB matrix of the Bradford adaptation from white `src` to white `dst` (XYZ).
pub fn bradford_rgb(src: [f32; 3], dst: [f32; 3]) -> Mat3 {
    let s = apply(&BRADFORD, src);
    let d = apply(&BRADFORD, dst);
    let scale = [
        [d[0] / s[0], 0.0, 0.0],
        [0.0, d[1] / s[1], 0.0],
        [0.0, 0.0, d[2] / s[2]],
    ];
    let cat = mul(&invert(&BRADFORD), &mul(&scale, &BRADFORD));
    mul(&XYZ_TO_RGB, &mul(&cat, &RGB_TO_XYZ))
}

/// RGB (any scale, [0, 1] here) to HSL with hue in degrees [0, 360).
pub fn rgb_to_hsl(c: [f32; 3]) -> [f32; 3] {
    let max = c[0].max(c[1]).max(c[2]);
    let min = c[0].min(c[1]).min(c[2]);
    let l = 0.5 * (max + min);
    let d = max - min;
    if d <= 1e-7 {
        return [0.0, 0.0, l];
    }
    let s = if l < 0.5 {
        d / (max + min)
    } else {
        d / (2.0 - max - min)
    };
    let h = if max == c[0] {
        ((c[1] - c[2]) / d).rem_euclid(6.0)
    } else if max == c[1] {
        (c[2] - c[0]) / d + 2.0
    } else {
        (c[0] - c[1]) / d + 4.0
    };
    [h * 60.0, s, l]
}

pub fn hsl_to_rgb(hsl: [f32; 3]) -> [f32; 3] {
    let [h, s, l] = hsl;
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h.rem_euclid(360.0) / 60.0;
    let x = c * (1.0 - (hp.rem_euclid(2.0) - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - 0.5 * c;
    [r + m, g + m, b + m]
}

/// A fully saturated colour of hue `h` (degrees) with its luma removed: adding it to a pixel
/// tints without (first-order) changing luma.
pub fn hue_tint(h: f32) -> [f32; 3] {
    let c = hsl_to_rgb([h, 1.0, 0.5]);
    let l = luma(c);
    [c[0] - l, c[1] - l, c[2] - l]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_round_trips() {
        for i in 0..=100 {
            let v = i as f32 / 100.0;
            assert!((linear_to_srgb(srgb_to_linear(v)) - v).abs() < 1e-5);
        }
    }

    #[test]
    fn d65_daylight_matches_standard_and_adapting_to_itself_is_identity() {
        let (x, y) = daylight_xy(D65_CCT);
        assert!(
            (x - 0.3127).abs() < 5e-4 && (y - 0.3290).abs() < 5e-4,
            "{x} {y}"
        );
        let w = white_xyz(x, y);
        let m = bradford_rgb(w, w);
        for i in 0..3 {
            for j in 0..3 {
                assert!((m[i][j] - if i == j { 1.0 } else { 0.0 }).abs() < 1e-5);
            }
        }
        let id = mul(&RGB_TO_XYZ, &XYZ_TO_RGB);
        assert!((id[0][0] - 1.0).abs() < 1e-4 && id[0][1].abs() < 1e-4);
    }

    #[test]
    fn hsl_round_trips() {
        for c in [
            [0.2, 0.5, 0.9],
            [0.9, 0.1, 0.3],
            [0.5, 0.5, 0.5],
            [0.0, 1.0, 0.2],
        ] {
            let back = hsl_to_rgb(rgb_to_hsl(c));
            for k in 0..3 {
                assert!((back[k] - c[k]).abs() < 1e-5, "{c:?} -> {back:?}");
            }
        }
        assert!((luma(hue_tint(200.0))).abs() < 1e-6);
    }
}
