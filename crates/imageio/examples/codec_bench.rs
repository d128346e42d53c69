//! JPEG and PNG writing speed, size and PSNR of this crate's encoders on one photo resized to a
//! given size (default 4K UHD), median of a few runs:
//! `cargo run --release -p retouch-io --example codec_bench -- PHOTO [WIDTH HEIGHT] [--save DIR]`.
//! `--save` keeps the source and the encoded files, to compare with other encoders.
use retouch_io::{encode, JpegSampling, OutFormat, Photo, Pixels, WriteOptions};
use std::path::Path;
use std::time::Instant;

fn psnr(a: &[u8], b: &[u8]) -> String {
    let mse = a
        .iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    if mse == 0.0 {
        return "lossless".into();
    }
    format!("{:.2}", 10.0 * (255.0f64.powi(2) / mse).log10())
}

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[runs / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let save = args
        .iter()
        .position(|a| a == "--save")
        .and_then(|i| args.get(i + 1).cloned());
    let pos: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            !a.starts_with("--")
                && (*i == 0 || args.get(i - 1).map(String::as_str) != Some("--save"))
        })
        .map(|(_, a)| a)
        .collect();
    let Some(path) = pos.first() else {
        return Err("usage: codec_bench PHOTO [WIDTH HEIGHT] [--save DIR]".into());
    };
    let w: u32 = pos.get(1).map_or(Ok(3840), |s| s.parse())?;
    let h: u32 = pos.get(2).map_or(Ok(2160), |s| s.parse())?;
    let src = image::open(path)?.to_rgb8();
    let big = image::imageops::resize(&src, w, h, image::imageops::FilterType::Triangle);
    let photo = Photo::new(w as usize, h as usize, 3, Pixels::U8(big.as_raw().clone()))?;
    if let Some(dir) = &save {
        std::fs::create_dir_all(dir)?;
        std::fs::write(Path::new(dir).join("source.rgb"), big.as_raw())?;
    }
    println!("{w}x{h} from {path}; median of 5 runs");
    println!("| output | ms | bytes | PSNR dB |");
    println!("|---|---|---|---|");
    let cases: Vec<(String, OutFormat, WriteOptions)> = [
        (JpegSampling::Yuv420, 92u8),
        (JpegSampling::Yuv444, 92),
        (JpegSampling::Yuv420, 80),
    ]
    .into_iter()
    .map(|(s, q)| {
        (
            format!("JPEG q{q} {s:?}"),
            OutFormat::Jpeg,
            WriteOptions {
                jpeg_quality: q,
                jpeg_sampling: s,
                ..WriteOptions::default()
            },
        )
    })
    .chain(std::iter::once((
        "PNG 8-bit".to_string(),
        OutFormat::Png,
        WriteOptions::default(),
    )))
    .collect();
    for (label, format, opts) in cases {
        let out = Path::new("out");
        let mut bytes = Vec::new();
        let ms = median_ms(5, || {
            bytes = encode(&photo, format, &opts, out).expect("encodes").0;
        });
        let back = image::load_from_memory(&bytes)?.to_rgb8();
        println!(
            "| {label} | {ms:.1} | {} | {} |",
            bytes.len(),
            psnr(big.as_raw(), back.as_raw())
        );
        if let Some(dir) = &save {
            let ext = if format == OutFormat::Png {
                "png"
            } else {
                "jpg"
            };
            let name = label.replace(' ', "-").to_lowercase();
            std::fs::write(Path::new(dir).join(format!("{name}.{ext}")), &bytes)?;
        }
    }
    Ok(())
}
