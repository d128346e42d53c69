//! `prepare` end to end on a small raw folder made from the fixture photos: a GCompris-style
//! Qt archive with a DEP-5 copyright file, plain wallpaper files, a graphic, a sprite, a tiny
//! image, a near-duplicate and an oversized photo.

use image::{DynamicImage, RgbImage, RgbaImage};
use retouch_data::prepare::{prepare, read_manifest, Options};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> DynamicImage {
    image::open(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/photos")
            .join(name),
    )
    .unwrap()
}

fn png(img: &DynamicImage) -> Vec<u8> {
    let mut v = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut v), image::ImageFormat::Png)
        .unwrap();
    v
}

fn build_raw(raw: &Path) {
    let bg = raw.join("root/usr/share/backgrounds");
    std::fs::create_dir_all(&bg).unwrap();
    fixture("coffee.png")
        .save(bg.join("coffee_by_X.jpg"))
        .unwrap();
    // Oversized: must come out with a long side of 1536.
    fixture("chelsea.png")
        .resize_exact(2400, 1600, image::imageops::FilterType::Triangle)
        .save(bg.join("big_by_Y.jpg"))
        .unwrap();
    // Near-duplicate of coffee: re-encoded smaller.
    fixture("coffee.png")
        .resize(500, 500, image::imageops::FilterType::Triangle)
        .save(bg.join("coffee_copy_by_Z.jpg"))
        .unwrap();
    // A graphic: flat colour bands.
    RgbImage::from_fn(600, 400, |x, _| image::Rgb([(x / 100 * 40) as u8, 90, 200]))
        .save(bg.join("bands_by_W.png"))
        .unwrap();
    // Too small.
    fixture("rocket.jpg")
        .resize(120, 120, image::imageops::FilterType::Triangle)
        .save(bg.join("tiny_by_V.jpg"))
        .unwrap();
    let doc = raw.join("root/usr/share/doc/lomiri-wallpapers-16.04");
    std::fs::create_dir_all(&doc).unwrap();
    std::fs::write(doc.join("copyright"), "Files: *\nCopyright: Pkg\nLicense: GPL-3+\n\nFiles: 16.04/coffee_by_X.jpg\nCopyright: X\nLicense: CC-BY-4.0\n").unwrap();

    // GCompris: a Qt archive with a photo (listed as .jpg in the copyright file) and a sprite.
    let photo = png(&fixture("astronaut.png"));
    let mut sprite = RgbaImage::from_fn(300, 300, |x, y| {
        image::Rgba([200, 100, 50, if (x + y) % 3 == 0 { 0 } else { 255 }])
    });
    sprite.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
    let sprite = png(&DynamicImage::ImageRgba8(sprite));
    let archive = retouch_data::rcc::write_v2(&[
        (
            "gcompris/src/activities/erase/resource/astronaut.webp",
            &photo,
            true,
        ),
        (
            "gcompris/src/activities/erase/resource/sprite.png",
            &sprite,
            false,
        ),
    ]);
    let rcc_dir = raw.join("root/usr/share/gcompris-qt/rcc");
    std::fs::create_dir_all(&rcc_dir).unwrap();
    for act in retouch_data::prepare::GCOMPRIS_ACTIVITIES {
        let bytes = if act == "erase" {
            archive.clone()
        } else {
            retouch_data::rcc::write_v2(&[])
        };
        std::fs::write(rcc_dir.join(format!("{act}.rcc")), bytes).unwrap();
    }
    let gdoc = raw.join("root/usr/share/doc/gcompris-qt-data");
    std::fs::create_dir_all(&gdoc).unwrap();
    std::fs::write(gdoc.join("copyright"), "Files: *\nCopyright: KDE\nLicense: GPL-3+\n\nFiles: src/activities/erase/resource/astronaut.jpg\nCopyright: NASA\nLicense: public-domain\n").unwrap();
}

#[test]
fn prepare_accepts_photos_rejects_the_rest_and_writes_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (raw, out) = (dir.path().join("raw"), dir.path().join("out"));
    build_raw(&raw);
    let opts = Options {
        validation_fraction: 0.34,
        ..Options::default()
    };
    let s = prepare(&raw, &out, &opts).unwrap();
    let m = read_manifest(&out.join("manifest.jsonl")).unwrap();
    let ids: Vec<&str> = m.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "gcompris/erase/astronaut",
            "lomiri/big_by_Y",
            "lomiri/coffee_by_X"
        ],
        "{s:?}"
    );
    let rej = std::fs::read_to_string(out.join("rejected.jsonl")).unwrap();
    for (id, why) in [
        (
            "lomiri/coffee_copy_by_Z",
            "near-duplicate of lomiri/coffee_by_X",
        ),
        ("lomiri/bands_by_W", "graphic"),
        ("lomiri/tiny_by_V", "too small"),
        ("gcompris/erase/sprite", "transparent"),
    ] {
        let line = rej
            .lines()
            .find(|l| l.contains(&format!("\"{id}\"")))
            .unwrap_or_else(|| panic!("{id} not rejected"));
        assert!(line.contains(why), "{line}");
    }
    let get = |id: &str| m.iter().find(|r| r.id == id).unwrap();
    assert_eq!(get("gcompris/erase/astronaut").license, "public-domain");
    assert_eq!(get("lomiri/coffee_by_X").license, "CC-BY-4.0");
    assert_eq!(get("lomiri/big_by_Y").license, "GPL-3+");
    let big = get("lomiri/big_by_Y");
    assert_eq!(
        (big.width, big.height, big.source_width),
        (1536, 1024, 2400)
    );
    for r in &m {
        let img = image::open(out.join(&r.file)).unwrap();
        assert_eq!((img.width(), img.height()), (r.width, r.height));
    }
    assert_eq!(m.iter().filter(|r| r.split == "validation").count(), 1);
    assert!(s.missing_sources.contains(&"opencv-doc".to_string()));
    // Deterministic: the same split again.
    let out2 = dir.path().join("out2");
    prepare(&raw, &out2, &opts).unwrap();
    assert_eq!(read_manifest(&out2.join("manifest.jsonl")).unwrap(), m);
}
