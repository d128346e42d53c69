//! Prints what the image-adaptive correction decides for photos and how well the fitted grid
//! reproduces it: `cargo run --release -p retouch-model --example auto -- PHOTO... [--generic]`.
use retouch_finish::auto::{correct, AutoSpec};
use retouch_model::{adjust, lowres, ModelFile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = ModelFile::read(&retouch_model::default_model_path())?;
    for path in std::env::args().skip(1) {
        let photo = retouch_io::read(std::path::Path::new(&path), &Default::default())?;
        let retouch_io::Pixels::U8(px) = &photo.pixels else {
            continue;
        };
        let thumb = lowres::thumbnail(px, photo.width, photo.height, photo.channels, 128);
        let (target, rep) = correct(&thumb, &AutoSpec::generic());
        let grid = adjust::fit(&thumb, &target, 128, 128, &file.guide)?;
        let mut out = vec![0f32; thumb.len()];
        retouch_engine::slice_apply_with(
            retouch_engine::Kernel::Portable,
            &grid,
            &file.guide,
            retouch_engine::ImageRef::new(&thumb, 128, 128, 3)?,
            retouch_engine::ImageMut::new(&mut out, 128, 128, 3)?,
            &Default::default(),
        )?;
        let mse = |a: &[f32], b: &[f32]| {
            a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f32>() / a.len() as f32
        };
        println!(
            "{path}: {rep:?}; target vs thumb psnr {:.1} dB, fitted vs target {:.1} dB",
            -10.0 * mse(&thumb, &target).log10(),
            -10.0 * mse(&out, &target).log10()
        );
    }
    Ok(())
}
