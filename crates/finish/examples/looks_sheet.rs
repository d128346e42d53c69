//! Renders every named look on one photo as a contact sheet, for looking at:
//! `cargo run --release -p retouch-finish --example looks_sheet -- PHOTO OUT.png`
use retouch_finish::Look;
use retouch_finish::{apply, Image, Params};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: looks_sheet PHOTO OUT.png".into());
    }
    let src = image::open(&args[1])?.thumbnail(240, 240).to_rgb8();
    let (w, h) = (src.width() as usize, src.height() as usize);
    let img = Image::from_rgb8(w, h, src.as_raw())?;
    let mut tiles = vec![("original".to_string(), img.clone())];
    for name in Look::ALL {
        let p: Params = name.params();
        tiles.push((name.to_string(), apply(&img, &p)?));
    }
    let cols = 4;
    let rows = tiles.len().div_ceil(cols);
    let mut sheet = image::RgbImage::new((w * cols) as u32, (h * rows) as u32);
    for (i, (name, t)) in tiles.iter().enumerate() {
        let tile = image::RgbImage::from_raw(w as u32, h as u32, t.to_rgb8()).ok_or("size")?;
        image::imageops::replace(
            &mut sheet,
            &tile,
            ((i % cols) * w) as i64,
            ((i / cols) * h) as i64,
        );
        eprintln!("tile {i}: {name}");
    }
    sheet.save(&args[2])?;
    Ok(())
}
