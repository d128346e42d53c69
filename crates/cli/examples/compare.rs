//! Mean CIEDE2000 and PSNR between two images of the same size:
//! `cargo run --release -p retouch --example compare -- A B`
use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: compare A B".into());
    }
    let load = |p: &str| -> Result<Vec<f32>, Box<dyn Error>> {
        Ok(image::open(p)?
            .to_rgb8()
            .as_raw()
            .iter()
            .map(|&v| v as f32 / 255.0)
            .collect())
    };
    let (a, b) = (load(&args[1])?, load(&args[2])?);
    let de = retouch_metrics::mean_ciede2000(&a, &b)?;
    let psnr = retouch_metrics::psnr(&a, &b)?;
    println!("mean CIEDE2000 {de:.3}  PSNR {psnr:.2} dB");
    Ok(())
}
