use image::{ImageEncoder, RgbImage};
use retouch_io::*;
use std::path::{Path, PathBuf};

fn photo(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/photos")
        .join(name)
}

fn u16_photo() -> Photo {
    let p = read(&photo("chelsea.png"), &ReadOptions::default()).unwrap();
    let Pixels::U8(v) = &p.pixels else { panic!() };
    let v16 = v
        .iter()
        .enumerate()
        .map(|(i, &x)| (x as u16 * 257) ^ (i % 7) as u16)
        .collect();
    Photo::new(p.width, p.height, 3, Pixels::U16(v16)).unwrap()
}

/// A minimal little-endian EXIF (TIFF) block holding only an orientation tag.
fn exif_orientation(o: u16) -> Vec<u8> {
    let mut e = b"II*\0".to_vec();
    e.extend(8u32.to_le_bytes());
    e.extend(1u16.to_le_bytes());
    e.extend(0x0112u16.to_le_bytes());
    e.extend(3u16.to_le_bytes());
    e.extend(1u32.to_le_bytes());
    e.extend(o.to_le_bytes());
    e.extend([0, 0]);
    e.extend(0u32.to_le_bytes());
    e
}

#[test]
fn reads_the_fixture_photos() {
    for (name, w, h) in [
        ("chelsea.png", 451, 300),
        ("rocket.jpg", 640, 427),
        ("coffee.png", 600, 400),
    ] {
        let p = read(&photo(name), &ReadOptions::default()).unwrap();
        assert_eq!((p.width, p.height, p.channels), (w, h, 3), "{name}");
        assert_eq!(p.pixels.bit_depth(), 8);
        assert_eq!(dimensions(&photo(name)).unwrap(), (w as u32, h as u32));
    }
}

#[test]
fn sixteen_bit_png_and_tiff_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let p = u16_photo();
    for ext in ["png", "tif"] {
        let out = dir.path().join(format!("x.{ext}"));
        let warnings = write(&p, &out, None, &WriteOptions::default()).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let back = read(&out, &ReadOptions::default()).unwrap();
        assert_eq!(back.pixels, p.pixels, "{ext}");
    }
    // 16-bit to JPEG: reduced to 8 with a warning.
    let out = dir.path().join("x.jpg");
    let warnings = write(&p, &out, None, &WriteOptions::default()).unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        read(&out, &ReadOptions::default())
            .unwrap()
            .pixels
            .bit_depth(),
        8
    );
}

#[test]
fn rgba_keeps_alpha_and_jpeg_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vec::new();
    for i in 0..40 * 30 {
        v.extend([(i % 256) as u8, 10, 200, (i * 7 % 256) as u8]);
    }
    let p = Photo::new(40, 30, 4, Pixels::U8(v)).unwrap();
    let out = dir.path().join("a.png");
    write(&p, &out, None, &WriteOptions::default()).unwrap();
    let back = read(&out, &ReadOptions::default()).unwrap();
    assert_eq!(back.channels, 4);
    assert_eq!(back.pixels, p.pixels);
    let e = write(
        &p,
        &dir.path().join("a.jpg"),
        None,
        &WriteOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, IoError::JpegAlpha { .. }), "{e}");
    assert!(!dir.path().join("a.jpg").exists());
}

#[test]
fn grayscale_becomes_rgb_and_webp_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let gray = image::GrayImage::from_fn(33, 21, |x, y| image::Luma([(x * 7 + y * 3) as u8]));
    let gp = dir.path().join("g.png");
    gray.save(&gp).unwrap();
    let p = read(&gp, &ReadOptions::default()).unwrap();
    assert!(p.was_gray);
    assert_eq!(p.channels, 3);
    let Pixels::U8(v) = &p.pixels else { panic!() };
    for (px, g) in v.chunks(3).zip(gray.as_raw()) {
        assert_eq!(px, [*g, *g, *g]);
    }
    let rgb = RgbImage::from_fn(17, 9, |x, y| image::Rgb([x as u8 * 9, y as u8 * 20, 77]));
    let wp = dir.path().join("c.webp");
    let mut bytes = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut bytes)
        .write_image(rgb.as_raw(), 17, 9, image::ExtendedColorType::Rgb8)
        .unwrap();
    std::fs::write(&wp, bytes).unwrap();
    let p = read(&wp, &ReadOptions::default()).unwrap();
    assert_eq!(p.pixels, Pixels::U8(rgb.into_raw()));
}

#[test]
fn exif_orientation_is_applied_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let img = RgbImage::from_fn(64, 32, |x, _| {
        if x < 32 {
            image::Rgb([255, 0, 0])
        } else {
            image::Rgb([0, 0, 255])
        }
    });
    let path = dir.path().join("rot.jpg");
    let mut bytes = Vec::new();
    let mut e = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95);
    e.set_exif_metadata(exif_orientation(6)).unwrap();
    e.write_image(img.as_raw(), 64, 32, image::ExtendedColorType::Rgb8)
        .unwrap();
    std::fs::write(&path, bytes).unwrap();
    let p = read(&path, &ReadOptions::default()).unwrap();
    assert_eq!((p.width, p.height), (32, 64), "rotated 90 degrees");
    assert_eq!(p.orientation_applied, 6);
    // Rotate90 (clockwise): the left (red) half ends up on top.
    let Pixels::U8(v) = &p.pixels else { panic!() };
    assert!(v[0] > 200 && v[2] < 60, "top is red: {:?}", &v[..3]);
    let last = v.len() - 3;
    assert!(v[last + 2] > 200 && v[last] < 60, "bottom is blue");
    // The carried EXIF says "upright" now, so the output is not rotated twice.
    let out = dir.path().join("out.jpg");
    write(&p, &out, None, &WriteOptions::default()).unwrap();
    let back = read(&out, &ReadOptions::default()).unwrap();
    assert_eq!((back.width, back.height), (32, 64));
    assert_eq!(back.orientation_applied, 1);
    assert!(back.exif.is_some());
}

#[test]
fn icc_profile_is_carried_to_png_jpeg_and_tiff() {
    let dir = tempfile::tempdir().unwrap();
    let icc: Vec<u8> = (0..600u32).map(|i| (i * 31 % 251) as u8).collect();
    let mut p = read(&photo("chelsea.png"), &ReadOptions::default()).unwrap();
    p.icc = Some(icc.clone());
    for ext in ["png", "jpg", "tif"] {
        let out = dir.path().join(format!("icc.{ext}"));
        write(&p, &out, None, &WriteOptions::default()).unwrap();
        let back = read(&out, &ReadOptions::default()).unwrap();
        assert_eq!(back.icc.as_deref(), Some(&icc[..]), "{ext}");
    }
}

#[test]
fn oversized_images_are_refused_before_decoding() {
    // A PNG header claiming 100000 x 100000 pixels, with no pixel data at all.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    for chunk in [&b"IDAT\x78\x9c"[..], &b"IEND"[..]] {
        png.extend((chunk.len() as u32 - 4).to_be_bytes());
        png.extend(chunk);
        png.extend(crc32(chunk).to_be_bytes());
    }
    let e = decode(&png, Path::new("bomb.png"), &ReadOptions::default()).unwrap_err();
    assert!(
        matches!(
            e,
            IoError::TooLarge {
                pixels: 10_000_000_000,
                ..
            }
        ),
        "{e}"
    );
    let small = ReadOptions {
        max_pixels: 1000,
        ..ReadOptions::default()
    };
    let e = read(&photo("chelsea.png"), &small).unwrap_err();
    assert!(e.to_string().contains("exceeds the limit"), "{e}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[test]
fn garbage_and_missing_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("notes.txt");
    std::fs::write(&t, "hello, not a photo").unwrap();
    assert!(matches!(
        read(&t, &ReadOptions::default()),
        Err(IoError::UnknownFormat { .. })
    ));
    assert!(matches!(
        read(&dir.path().join("nope.jpg"), &ReadOptions::default()),
        Err(IoError::Read { .. })
    ));
    let trunc = dir.path().join("t.png");
    let bytes = std::fs::read(photo("chelsea.png")).unwrap();
    std::fs::write(&trunc, &bytes[..bytes.len() / 3]).unwrap();
    assert!(matches!(
        read(&trunc, &ReadOptions::default()),
        Err(IoError::Decode { .. })
    ));
    let p = read(&photo("chelsea.png"), &ReadOptions::default()).unwrap();
    assert!(matches!(
        write(
            &p,
            &dir.path().join("x.bmp"),
            None,
            &WriteOptions::default()
        ),
        Err(IoError::OutputFormat { .. })
    ));
}

#[test]
fn writes_never_clobber_without_permission_and_leave_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = read(&photo("chelsea.png"), &ReadOptions::default()).unwrap();
    let input = dir.path().join("in.png");
    std::fs::copy(photo("chelsea.png"), &input).unwrap();
    let original = std::fs::read(&input).unwrap();
    let e = write(&p, &input, Some(&input), &WriteOptions::default()).unwrap_err();
    assert!(matches!(e, IoError::SameAsInput { .. }), "{e}");
    let other = dir.path().join("other.png");
    std::fs::write(&other, b"precious").unwrap();
    let e = write(&p, &other, Some(&input), &WriteOptions::default()).unwrap_err();
    assert!(matches!(e, IoError::Exists { .. }), "{e}");
    assert_eq!(std::fs::read(&other).unwrap(), b"precious");
    assert_eq!(std::fs::read(&input).unwrap(), original);
    let ow = WriteOptions {
        overwrite: true,
        ..WriteOptions::default()
    };
    write(&p, &other, Some(&input), &ow).unwrap();
    assert_eq!(
        read(&other, &ReadOptions::default()).unwrap().pixels,
        p.pixels
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

/// The frame header of a JPEG: (progressive, luma sampling factors `h << 4 | v`).
fn jpeg_frame(bytes: &[u8]) -> (bool, u8) {
    let mut i = 2;
    while i + 4 < bytes.len() {
        assert_eq!(bytes[i], 0xFF, "a marker at {i}");
        let marker = bytes[i + 1];
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        if marker == 0xC0 || marker == 0xC2 {
            // Length, precision, height, width, components, then per component: id, factors.
            return (marker == 0xC2, bytes[i + 11]);
        }
        i += 2 + len;
    }
    panic!("no frame header");
}

#[test]
fn jpeg_sampling_and_progressive_are_written_as_asked_and_decode_close_to_the_source() {
    let p = read(&photo("chelsea.png"), &ReadOptions::default()).unwrap();
    let Pixels::U8(src) = &p.pixels else { panic!() };
    let psnr = |bytes: &[u8]| {
        let back = image::load_from_memory(bytes).unwrap().to_rgb8();
        let mse = src
            .iter()
            .zip(back.as_raw())
            .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
            .sum::<f64>()
            / src.len() as f64;
        10.0 * (255.0f64.powi(2) / mse).log10()
    };
    let enc = |sampling, progressive| {
        let o = WriteOptions {
            jpeg_sampling: sampling,
            jpeg_progressive: progressive,
            ..WriteOptions::default()
        };
        encode(&p, OutFormat::Jpeg, &o, Path::new("x.jpg"))
            .unwrap()
            .0
    };
    let (s420, s444, prog) = (
        enc(JpegSampling::Yuv420, false),
        enc(JpegSampling::Yuv444, false),
        enc(JpegSampling::Yuv420, true),
    );
    assert_eq!(jpeg_frame(&s420), (false, 0x22), "baseline 4:2:0");
    assert_eq!(jpeg_frame(&s444), (false, 0x11), "baseline 4:4:4");
    assert_eq!(jpeg_frame(&prog), (true, 0x22), "progressive 4:2:0");
    assert!(s444.len() > s420.len(), "{} vs {}", s444.len(), s420.len());
    let (q420, q444, qprog) = (psnr(&s420), psnr(&s444), psnr(&prog));
    assert!(q420 > 36.0 && q444 > q420, "{q420:.2} {q444:.2}");
    assert!(
        (qprog - q420).abs() < 0.05,
        "same quantisation: {qprog:.2} vs {q420:.2}"
    );
    let q60 = encode(
        &p,
        OutFormat::Jpeg,
        &WriteOptions {
            jpeg_quality: 60,
            ..WriteOptions::default()
        },
        Path::new("x.jpg"),
    )
    .unwrap()
    .0;
    assert!(q60.len() < s420.len() && psnr(&q60) < q420);
}

#[test]
fn jpeg_refuses_a_side_over_65535_with_a_clear_error() {
    let p = Photo::new(65_536, 1, 3, Pixels::U8(vec![128; 65_536 * 3])).unwrap();
    let e = encode(
        &p,
        OutFormat::Jpeg,
        &WriteOptions::default(),
        Path::new("wide.jpg"),
    )
    .unwrap_err();
    assert!(matches!(e, IoError::JpegSize { width: 65_536, .. }), "{e}");
    assert!(e.to_string().contains("65535"), "{e}");
    // PNG takes it.
    assert!(encode(
        &p,
        OutFormat::Png,
        &WriteOptions::default(),
        Path::new("wide.png")
    )
    .is_ok());
}

#[test]
fn a_truncated_jpeg_is_reported_with_how_much_is_missing_and_refused_when_strict() {
    let whole = std::fs::read(photo("rocket.jpg")).unwrap();
    let opts = ReadOptions::default();
    let p = decode(&whole, Path::new("rocket.jpg"), &opts).unwrap();
    assert_eq!(p.damage, None, "a whole file is not damaged");
    // Data after the end-of-image marker (some cameras append a trailer) is not damage.
    let mut trailer = whole.clone();
    trailer.extend_from_slice(b"a camera's trailer");
    assert!(!jpeg_is_truncated(&trailer));
    assert_eq!(
        decode(&trailer, Path::new("t.jpg"), &opts).unwrap().damage,
        None
    );
    let cut = &whole[..whole.len() * 6 / 10];
    assert!(jpeg_is_truncated(cut));
    // An embedded thumbnail's end-of-image marker does not make a cut main image whole.
    let thumb_then_cut = [0xFF, 0xD8, 0xFF, 0xDA, 1, 0xFF, 0xD9, 0xFF, 0xDA, 2, 3];
    assert!(jpeg_is_truncated(&thumb_then_cut));
    assert!(!jpeg_is_truncated(&thumb_then_cut[..7]));
    let p = decode(cut, Path::new("cut.jpg"), &opts).unwrap();
    let Some(Damage::Truncated {
        missing_rows,
        height,
    }) = p.damage.clone()
    else {
        panic!("no damage reported: {:?}", p.damage);
    };
    assert_eq!(height, 427);
    // About the last 40 % of the data is gone; the rows it held are flat.
    assert!(
        (60..300).contains(&missing_rows),
        "{missing_rows} of {height} rows"
    );
    let msg = p.damage.unwrap().to_string();
    assert!(msg.contains("truncated") && msg.contains(" %"), "{msg}");
    let strict = ReadOptions {
        strict: true,
        ..ReadOptions::default()
    };
    let e = decode(cut, Path::new("cut.jpg"), &strict).unwrap_err();
    assert!(matches!(e, IoError::Damaged { .. }), "{e}");
    assert!(decode(&whole, Path::new("rocket.jpg"), &strict).is_ok());
}

#[test]
fn output_format_by_name_and_like_the_input() {
    use image::ImageFormat;
    use retouch_io::OutFormat;
    assert_eq!(OutFormat::from_name("JPG"), Some(OutFormat::Jpeg));
    assert_eq!(OutFormat::from_name("jpeg"), Some(OutFormat::Jpeg));
    assert_eq!(OutFormat::from_name("tif"), Some(OutFormat::Tiff));
    assert_eq!(OutFormat::from_name("png"), Some(OutFormat::Png));
    assert_eq!(OutFormat::from_name("gif"), None);
    assert_eq!(
        OutFormat::like_input(Some(ImageFormat::Jpeg)),
        OutFormat::Jpeg
    );
    assert_eq!(
        OutFormat::like_input(Some(ImageFormat::Tiff)),
        OutFormat::Tiff
    );
    // WebP is read, not written: PNG keeps it lossless.
    assert_eq!(
        OutFormat::like_input(Some(ImageFormat::WebP)),
        OutFormat::Png
    );
    assert_eq!(OutFormat::like_input(None), OutFormat::Png);
    for f in [OutFormat::Jpeg, OutFormat::Png, OutFormat::Tiff] {
        assert_eq!(OutFormat::from_name(f.extension()), Some(f));
        assert!(f.mime().starts_with("image/"));
    }
}

#[test]
fn a_preview_is_8_bit_smaller_and_the_same_picture() {
    let p = u16_photo();
    let v = p.preview(100).unwrap();
    assert_eq!(v.width.max(v.height), 100);
    let ratio = |w: usize, h: usize| w as f64 / h as f64;
    assert!((ratio(v.width, v.height) - ratio(p.width, p.height)).abs() < 0.02);
    let Pixels::U8(px) = &v.pixels else {
        panic!("not 8-bit")
    };
    // Mean colour kept (box filter, 16-bit widened to 8).
    let mean = |x: &[f32]| {
        let mut m = [0f64; 3];
        for c in x.chunks_exact(3) {
            for k in 0..3 {
                m[k] += f64::from(c[k]) / (x.len() / 3) as f64;
            }
        }
        m
    };
    let (a, b) = (mean(&p.pixels.to_unit_f32()), mean(&v.pixels.to_unit_f32()));
    for k in 0..3 {
        assert!((a[k] - b[k]).abs() < 0.01, "{a:?} {b:?}");
    }
    assert_eq!(px.len(), v.width * v.height * 3);
    // Never enlarged; alpha kept.
    let rgba = Photo::new(4, 2, 4, Pixels::U8((0..32).collect())).unwrap();
    let same = rgba.preview(1280).unwrap();
    assert_eq!((same.width, same.height, same.channels), (4, 2, 4));
    assert_eq!(same.pixels.to_unit_f32(), rgba.pixels.to_unit_f32());
}
