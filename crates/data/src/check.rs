//! Is this a usable photograph? Simple, explainable checks, plus a perceptual hash for
//! near-duplicates.

use image::{imageops::FilterType, DynamicImage, GenericImageView};

/// Why a candidate was rejected (None = accepted).
pub fn reject_reason(img: &DynamicImage, min_side: u32) -> Option<String> {
    let (w, h) = img.dimensions();
    if w.max(h) < min_side {
        return Some(format!("too small ({w}x{h}, long side < {min_side})"));
    }
    if img.color().has_alpha() {
        let a = img.to_rgba8();
        let transparent = a.pixels().filter(|p| p.0[3] < 250).count();
        if transparent as f64 > 0.01 * (w as f64 * h as f64) {
            return Some("transparent pixels (a sprite or cut-out, not a photo)".into());
        }
    }
    let thumb = img.resize(128, 128, FilterType::Triangle).to_rgb8();
    let n = (thumb.width() * thumb.height()) as f64;
    let mut colours: Vec<u32> = thumb
        .pixels()
        .map(|p| ((p.0[0] as u32 >> 2) << 12) | ((p.0[1] as u32 >> 2) << 6) | (p.0[2] as u32 >> 2))
        .collect();
    colours.sort_unstable();
    colours.dedup();
    let gray = image::imageops::grayscale(&thumb);
    let (tw, th) = gray.dimensions();
    let mut flat = 0usize;
    for y in 0..th - 1 {
        for x in 0..tw - 1 {
            let v = gray.get_pixel(x, y).0[0] as i32;
            let dx = (gray.get_pixel(x + 1, y).0[0] as i32 - v).abs();
            let dy = (gray.get_pixel(x, y + 1).0[0] as i32 - v).abs();
            if dx == 0 && dy == 0 {
                flat += 1;
            }
        }
    }
    // Photographs have sensor noise and texture; graphics have runs of identical pixels. Pale,
    // near-uniform photos (a white wall) have few colours but still little exact flatness.
    let flat_frac = flat as f64 / n;
    if colours.len() < 150 && flat_frac > 0.15 {
        return Some(format!(
            "only {} distinct colours and {:.0}% flat pixels (a drawing or graphic)",
            colours.len(),
            100.0 * flat_frac
        ));
    }
    if flat_frac > 0.35 {
        return Some(format!(
            "{:.0}% perfectly flat pixels (a render or graphic)",
            100.0 * flat as f64 / n
        ));
    }
    None
}

/// 64-bit difference hash of a 9x8 grayscale thumbnail.
pub fn dhash(img: &DynamicImage) -> u64 {
    let g = image::imageops::grayscale(&img.resize_exact(9, 8, FilterType::Triangle));
    let mut h = 0u64;
    for y in 0..8 {
        for x in 0..8 {
            h = (h << 1) | (g.get_pixel(x, y).0[0] < g.get_pixel(x + 1, y).0[0]) as u64;
        }
    }
    h
}

/// Hashes within this Hamming distance count as the same picture.
pub const NEAR_DUPLICATE_BITS: u32 = 6;

pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}
