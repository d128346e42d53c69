//! Tiles images into one PNG with numbered cells (printed to stderr), to look at many photos
//! at once: `cargo run --release -p retouch --example contact_sheet -- OUT.png FILES...`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, files) = args
        .split_first()
        .ok_or("usage: contact_sheet OUT.png FILES...")?;
    let cell = 160u32;
    let cols = 8u32;
    let rows = (files.len() as u32).div_ceil(cols);
    let mut sheet = image::RgbImage::new(cell * cols, cell * rows.max(1));
    for (i, f) in files.iter().enumerate() {
        match image::open(f) {
            Ok(img) => {
                let t = img.thumbnail(cell - 4, cell - 4).to_rgb8();
                let (x, y) = ((i as u32 % cols) * cell, (i as u32 / cols) * cell);
                image::imageops::replace(&mut sheet, &t, x as i64, y as i64);
                eprintln!("{i}: {f}");
            }
            Err(e) => eprintln!("{i}: {f}: {e}"),
        }
    }
    sheet.save(out)?;
    Ok(())
}
