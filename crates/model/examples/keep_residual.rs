//! How far kept statistics stay off after the keep correction, on photos given as arguments
//! (default: the committed ones), for sentences that keep one aspect while asking for another:
//! the largest change of the kept statistics (`retouch_finish::keep::statistics`, CIELAB
//! units) in the clipped full-resolution output, per sentence and photo.
//! `cargo run --release -p retouch-model --example keep_residual [PHOTO ...]`
use retouch_finish::keep::statistics;
use retouch_model::{apply_edits, default_model_path, Retoucher};

const SENTENCES: &[&str] = &[
    "much warmer, but keep the brightness",
    "a lot brighter, keep the contrast as it is",
    "much more contrast, same saturation",
    "brighter and more contrast, don't change the white balance",
    "much brighter without touching the colours",
    "cooler and darker, keep the saturation",
    "give it a vintage look but keep the brightness",
    "more saturated, keep the brightness and the contrast",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut photos: Vec<String> = std::env::args().skip(1).collect();
    if photos.is_empty() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos");
        for n in ["coffee.png", "astronaut.png", "chelsea.png", "rocket.jpg"] {
            photos.push(dir.join(n).display().to_string());
        }
    }
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir())?;
    let mut all = Vec::new();
    for s in SENTENCES {
        let enc = r.encode(s)?;
        let mut line = format!("{s:62}");
        for p in &photos {
            let img = image::open(p)?.to_rgb8();
            let (w, h) = (img.width() as usize, img.height() as usize);
            let px: Vec<f32> = img.as_raw().iter().map(|v| *v as f32 / 255.0).collect();
            let edits = r.predict_edits(&px, w, h, 3, &enc)?;
            let mut out = vec![0f32; px.len()];
            apply_edits(
                retouch_engine::Kernel::Portable,
                &edits,
                r.guide(),
                retouch_engine::ImageRef::new(&px, w, h, 3)?,
                retouch_engine::ImageMut::new(&mut out, w, h, 3)?,
                1.0,
                None,
            )?;
            out.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
            let (b, a) = (statistics(&px), statistics(&out));
            let worst = enc
                .reading
                .keep
                .iter()
                .flat_map(|k| k.statistics().iter())
                .map(|&i| (a[i] - b[i]).abs())
                .fold(0.0f32, f32::max);
            all.push(worst);
            line += &format!(" {worst:5.2}");
        }
        println!("{line}  (keeps {:?})", enc.reading.keep);
    }
    all.sort_by(f32::total_cmp);
    let over = all.iter().filter(|x| **x > 1.0).count();
    println!(
        "median {:.2}, worst {:.2}, over 1 unit {over} of {}",
        all[all.len() / 2],
        all[all.len() - 1],
        all.len()
    );
    Ok(())
}
