//! Deterministic synthetic inputs for speed measurements (`retouch bench`, criterion).

use crate::grid::BilateralGrid;

/// The benchmark sizes: name, width, height.
pub const SIZES: [(&str, usize, usize); 4] = [
    ("720p", 1280, 720),
    ("1080p", 1920, 1080),
    ("1440p", 2560, 1440),
    ("2160p", 3840, 2160),
];

/// A deterministic photo-like test image: smooth gradients plus texture.
pub fn test_image(w: usize, h: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(w * h * 3);
    let mut s = 0x9e37_79b9u32;
    for y in 0..h {
        for x in 0..w {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let n = (s >> 27) as usize;
            v.push(((x * 255 / w + n) % 256) as u8);
            v.push(((y * 255 / h + n) % 256) as u8);
            v.push((((x + y) * 255 / (w + h)) ^ n) as u8);
        }
    }
    v
}

/// A non-trivial grid: identity plus smooth spatial and depth variation.
pub fn test_grid() -> BilateralGrid {
    let mut g = BilateralGrid::identity(16, 16, 8).expect("16x16x8 is a valid grid size");
    let (gh, gw, gd) = g.dims();
    for y in 0..gh {
        for x in 0..gw {
            for z in 0..gd {
                let o = g.offset(y, x, z);
                let t = (y as f32 * 0.3 + x as f32 * 0.2 + z as f32 * 0.5).sin() * 0.05;
                for c in 0..12 {
                    g.data_mut()[o + c] += t * (c as f32 * 0.37).cos();
                }
            }
        }
    }
    g
}
