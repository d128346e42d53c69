//! Makes the before/after pair that `assets/grids/golden-hour.safetensors` was fitted to.
//!
//! "Before" is a calibration target: 512x512 pixels of uniformly random colours (fixed seed),
//! so every grid cell sees every luminance and hue; a grid fitted to it is a *global* look that
//! transfers to any photo. "After" is the same with a documented "golden hour" look (white
//! balance in linear light, shadow lift, +20% saturation). A stand-in for real edits until the
//! photo-finishing pipeline (issue 3) and the model (issue 4) exist.
//!
//! `make_look --direct PHOTO OUT.png` applies the look itself, to compare with the grid.
//!
//! `cargo run --release -p retouch --example make_look -- BEFORE.png AFTER.png`

use std::error::Error;

fn to_linear(v: f32) -> f32 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn to_srgb(v: f32) -> f32 {
    let v = v.clamp(0.0, 1.0);
    if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

/// Warm white balance (linear-light gains), lifted shadows, +20% saturation around luma.
fn golden_hour(rgb: [f32; 3]) -> [f32; 3] {
    let gains = [1.12, 1.0, 0.82];
    let lin: Vec<f32> = rgb
        .iter()
        .zip(gains)
        .map(|(&v, g)| to_linear(v) * g)
        .collect();
    let s: Vec<f32> = lin.iter().map(|&v| to_srgb(v)).collect();
    // Shadow lift: a gentle curve that raises blacks and keeps whites.
    let lifted: Vec<f32> = s
        .iter()
        .map(|&v| v + 0.08 * (1.0 - v) * (1.0 - v) * v.sqrt())
        .collect();
    let l = 0.2126 * lifted[0] + 0.7152 * lifted[1] + 0.0722 * lifted[2];
    [0, 1, 2].map(|c| (l + 1.2 * (lifted[c] - l)).clamp(0.0, 1.0))
}

fn apply_look(img: &image::RgbImage) -> image::RgbImage {
    let mut after = img.clone();
    for p in after.pixels_mut() {
        let o = golden_hour([0, 1, 2].map(|c| p.0[c] as f32 / 255.0));
        p.0 = o.map(|v| (v * 255.0).round() as u8);
    }
    after
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.len() {
        3 => {
            let mut s = 0x2545_f491u32;
            let before = image::RgbImage::from_fn(512, 512, |_, _| {
                image::Rgb([0, 1, 2].map(|_| {
                    s ^= s << 13;
                    s ^= s >> 17;
                    s ^= s << 5;
                    (s >> 24) as u8
                }))
            });
            before.save(&args[1])?;
            apply_look(&before).save(&args[2])?;
        }
        // `make_look PHOTO LOOKED.png`: the look applied directly to a photo, for comparison.
        4 if args[1] == "--direct" => {
            let img = image::open(&args[2])?.to_rgb8();
            apply_look(&img).save(&args[3])?;
        }
        _ => {
            return Err(
                "usage: make_look BEFORE.png AFTER.png | make_look --direct PHOTO OUT.png".into(),
            )
        }
    }
    Ok(())
}
