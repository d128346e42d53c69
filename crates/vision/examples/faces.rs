//! List the faces the detector finds in photos (all its views), with their score and size,
//! and how far apart (dlib distance) each face's descriptor is from the first face's: `cargo
//! run --release -p retouch-vision --example faces -- PHOTO_OR_DIR ...`. With `--chips OUT`,
//! each face's aligned 150 px chip is also written to OUT as PNG, to look at.

use std::path::{Path, PathBuf};

use retouch_vision::face::{chip, embed, FaceDetector, FaceEmbedder};

fn photos(args: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for a in args {
        let p = Path::new(a);
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|f| {
                    matches!(
                        f.extension().and_then(|e| e.to_str()),
                        Some("jpg" | "jpeg" | "png")
                    )
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.to_path_buf());
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let chips = args.iter().position(|a| a == "--chips").map(|i| {
        args.remove(i);
        PathBuf::from(args.remove(i))
    });
    if let Some(dir) = &chips {
        std::fs::create_dir_all(dir)?;
    }
    let detector = FaceDetector::load_default()?;
    let embedder = FaceEmbedder::load_default()?;
    let mut first = None;
    for path in photos(&args) {
        let img = image::open(&path)?.to_rgb8();
        let (w, h) = (img.width() as usize, img.height() as usize);
        let rgb: Vec<f32> = img.as_raw().iter().map(|&v| v as f32 / 255.0).collect();
        let faces = detector.find(&rgb, w, h)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (i, f) in faces.iter().enumerate() {
            let c = chip(&rgb, w, h, f);
            let d = embedder.embed(&c)?;
            let distance = first.get_or_insert_with(|| d.clone()).distance(&d);
            println!(
                "{name} face {i}: score {:.2}, {:.0} px wide, distance to the first face {distance:.3}",
                f.score,
                f.bbox[2] * w as f32
            );
            if let Some(dir) = &chips {
                let bytes: Vec<u8> = c
                    .iter()
                    .map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
                    .collect();
                let side = embed::CHIP as u32;
                image::RgbImage::from_raw(side, side, bytes)
                    .ok_or("chip size")?
                    .save(dir.join(format!("{name}-{i}.png")))?;
            }
        }
    }
    Ok(())
}
