//! Person, background and face edits measured on portraits: for each photo (arguments; default the
//! committed astronaut portrait), each instruction below is run through the shipped model at
//! the photo's own size, and the mean change in L*, chroma and b* is reported inside the
//! mask the edit used (the person's, or the faces'; mask >= 0.9) and outside it (<= 0.1). Then
//! the network stage at 4K with and without a person or face region, and the segmentation and
//! the face detection alone:
//! `cargo run --release -p retouch-model --example people [PHOTO ...]`. With `--find DIR`, it
//! lists instead the photos in DIR in which the segmentation finds a person (5-95 % of the
//! frame), with that fraction, and with `--masks OUT` also writes each person probability
//! there as a grey PNG.
use retouch_engine::{ImageMut, ImageRef, Kernel};
use retouch_finish::lab::from_rgb;
use retouch_model::{apply_edits, Retoucher};
use std::path::PathBuf;
use std::time::Instant;

const INSTRUCTIONS: [&str; 7] = [
    "brighten the person",
    "darken the background",
    "warm up the person",
    "make the background black and white",
    "make the subject pop and the background darker",
    "brighten her face",
    "warm up the faces",
];

/// Mean (L*, C*, b*) change over the pixels whose weight passes `keep`.
fn change(before: &[f32], after: &[f32], weights: &[f32], keep: impl Fn(f32) -> bool) -> [f64; 4] {
    let mut s = [0f64; 4];
    for ((a, b), &w) in before
        .chunks_exact(3)
        .zip(after.chunks_exact(3))
        .zip(weights)
    {
        if !keep(w) {
            continue;
        }
        let (p, q) = (from_rgb([a[0], a[1], a[2]]), from_rgb([b[0], b[1], b[2]]));
        s[0] += (q[0] - p[0]) as f64;
        s[1] += (q[1].hypot(q[2]) - p[1].hypot(p[2])) as f64;
        s[2] += (q[2] - p[2]) as f64;
        s[3] += 1.0;
    }
    let n = s[3].max(1.0);
    [s[0] / n, s[1] / n, s[2] / n, s[3]]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut photos: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if photos.first().is_some_and(|p| p.as_os_str() == "--find") {
        let dir = photos.get(1).ok_or("--find needs a folder")?;
        let masks = match photos.get(2) {
            Some(flag) if flag.as_os_str() == "--masks" => {
                Some(photos.get(3).ok_or("--masks needs a folder")?)
            }
            _ => None,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for f in files {
            let Ok(img) = image::open(&f) else { continue };
            let img = img.to_rgb8();
            let (w, h) = (img.width() as usize, img.height() as usize);
            let (mw, mh) = retouch_model::regions::mask_view_size(w, h);
            let p = retouch_model::regions::people_probability(img.as_raw(), w, h, 3, mw, mh)?;
            let cover = p.iter().sum::<f32>() / p.len() as f32;
            if let Some(out) = masks {
                let px: Vec<u8> = p.iter().map(|v| (v * 255.0) as u8).collect();
                image::GrayImage::from_raw(mw as u32, mh as u32, px)
                    .ok_or("mask")?
                    .save(out.join(f.file_name().ok_or("name")?).with_extension("png"))?;
            }
            if (0.05..=0.95).contains(&cover) {
                println!("{:.0} % {}", 100.0 * cover, f.display());
            }
        }
        return Ok(());
    }
    if photos.is_empty() {
        photos.push(root.join("assets/photos/astronaut.png"));
    }
    let r = Retoucher::load(
        &retouch_model::default_model_path(),
        &retouch_text::default_dir(),
    )?;
    println!("photo | instruction | person px | inside dL* dC* db* | outside dL* dC* db*");
    for path in &photos {
        let img = image::open(path)?.to_rgb8();
        let (w, h) = (img.width() as usize, img.height() as usize);
        let src: Vec<f32> = img.as_raw().iter().map(|&v| v as f32 / 255.0).collect();
        let name = path.file_name().map(|n| n.to_string_lossy().to_string());
        for text in INSTRUCTIONS {
            let enc = r.encode(text)?;
            let edits = r.predict_edits(&src, w, h, 3, &enc)?;
            let mut out = vec![0f32; src.len()];
            apply_edits(
                Kernel::Portable,
                &edits,
                r.guide(),
                ImageRef::new(&src, w, h, 3)?,
                ImageMut::new(&mut out, w, h, 3)?,
                1.0,
                None,
            )?;
            // The person's weight at each pixel, from the first person or background mask.
            let Some((region, mask)) = edits.iter().find_map(|e| e.region.as_ref()) else {
                println!("{name:?} | {text} | no region read");
                continue;
            };
            let background = *region == retouch_finish::Region::Background;
            let person: Vec<f32> = (0..w * h)
                .map(|i| {
                    let m = mask.sample_f64(i % w, i / w, w, h) as f32;
                    if background {
                        1.0 - m
                    } else {
                        m
                    }
                })
                .collect();
            let inside = change(&src, &out, &person, |v| v >= 0.9);
            let outside = change(&src, &out, &person, |v| v <= 0.1);
            println!(
                "{} | {text} | {:.0} % | {:+.2} {:+.2} {:+.2} | {:+.2} {:+.2} {:+.2}",
                name.as_deref().unwrap_or("?"),
                100.0 * inside[3] / (w * h) as f64,
                inside[0],
                inside[1],
                inside[2],
                outside[0],
                outside[1],
                outside[2],
            );
        }
    }

    // The network stage at 4K: a whole-photo edit, a person edit, a face edit, and the
    // segmentation and the face detection alone.
    let (w, h) = (3840usize, 2160usize);
    let src = retouch_engine::benchdata::test_image(w, h);
    let time = |f: &dyn Fn() -> Result<(), Box<dyn std::error::Error>>| {
        let mut ts = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            f()?;
            ts.push(t.elapsed().as_secs_f64() * 1e3);
        }
        ts.sort_by(f64::total_cmp);
        Ok::<f64, Box<dyn std::error::Error>>(ts[2])
    };
    for text in [
        "darken the photo",
        "darken the background",
        "brighten her face",
    ] {
        let enc = r.encode(text)?;
        let ms = time(&|| {
            r.predict_edits(&src, w, h, 3, &enc)?;
            Ok(())
        })?;
        println!("4K network stage, {text:?}: {ms:.1} ms (median of 5)");
    }
    let (mw, mh) = retouch_model::regions::mask_view_size(w, h);
    let ms = time(&|| {
        retouch_model::regions::people_probability(&src, w, h, 3, mw, mh)?;
        Ok(())
    })?;
    println!("4K person probability alone (resize + segmentation + resample): {ms:.1} ms");
    let ms = time(&|| {
        retouch_model::regions::find_faces(&src, w, h, 3)?;
        Ok(())
    })?;
    println!("4K faces alone (resize to 512 + detection in all views): {ms:.1} ms");
    Ok(())
}
