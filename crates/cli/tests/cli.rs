//! The `retouch` binary end to end: real photos in, files out, errors as exit code 1.

use retouch_engine::{BilateralGrid, GridFile, GuideMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_retouch"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn photo(name: &str) -> PathBuf {
    root().join("assets/photos").join(name)
}

fn shipped_grid() -> PathBuf {
    root().join("assets/grids/golden-hour.safetensors")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run retouch")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write_grid(path: &Path, grid: BilateralGrid) {
    std::fs::write(
        path,
        GridFile::new(grid, GuideMap::luma()).to_bytes().unwrap(),
    )
    .unwrap();
}

fn fails_cleanly(o: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "exit code; stderr: {err}");
    assert!(err.contains(needle), "stderr lacks `{needle}`: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn apply_with_shipped_grid_writes_a_changed_photo_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("coffee.jpg");
    let o = run(&[
        "apply",
        s(&photo("coffee.png")),
        "--grid",
        s(&shipped_grid()),
        "-o",
        s(&out),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["width"], 600);
    assert_eq!(j["height"], 400);
    for k in ["decode", "slice", "encode_write", "total"] {
        assert!(j["timings_ms"][k].as_f64().unwrap() >= 0.0, "{k}");
    }
    let a = image::open(photo("coffee.png")).unwrap().to_rgb8();
    let b = image::open(&out).unwrap().to_rgb8();
    assert_eq!(a.dimensions(), b.dimensions());
    // The golden-hour look warms: red up relative to blue on average.
    let mean = |img: &image::RgbImage, c: usize| {
        img.pixels().map(|p| p.0[c] as f64).sum::<f64>() / (img.width() * img.height()) as f64
    };
    assert!(mean(&b, 0) - mean(&b, 2) > mean(&a, 0) - mean(&a, 2) + 5.0);
}

#[test]
fn identity_grid_and_zero_strength_keep_pixels_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("id.safetensors");
    write_grid(&id, BilateralGrid::identity(16, 16, 8).unwrap());
    let src = image::open(photo("chelsea.png")).unwrap().to_rgb8();
    let out = dir.path().join("same.png");
    let o = run(&[
        "apply",
        s(&photo("chelsea.png")),
        "--grid",
        s(&id),
        "-o",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(image::open(&out).unwrap().to_rgb8(), src);
    let out0 = dir.path().join("zero.png");
    let o = run(&[
        "apply",
        s(&photo("chelsea.png")),
        "--grid",
        s(&shipped_grid()),
        "-o",
        s(&out0),
        "--strength",
        "0",
    ]);
    assert!(o.status.success());
    assert_eq!(image::open(&out0).unwrap().to_rgb8(), src);
}

#[test]
fn fit_then_apply_carries_an_edit_to_full_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let full = image::open(photo("astronaut.png")).unwrap().to_rgb8();
    let edit = |img: &image::RgbImage| {
        let mut o = img.clone();
        for p in o.pixels_mut() {
            p.0 = [
                ((p.0[0] as f32 / 255.0).powf(0.8) * 255.0) as u8,
                p.0[1],
                (p.0[2] as f32 * 0.8) as u8,
            ];
        }
        o
    };
    let small = image::imageops::resize(&full, 128, 128, image::imageops::FilterType::Triangle);
    let (b, a) = (dir.path().join("b.png"), dir.path().join("a.png"));
    small.save(&b).unwrap();
    edit(&small).save(&a).unwrap();
    let grid = dir.path().join("g.safetensors");
    let o = run(&["fit", s(&b), s(&a), "-o", s(&grid), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["psnr_db"].as_f64().unwrap() > 35.0, "{j}");
    let out = dir.path().join("full.png");
    let o = run(&[
        "apply",
        s(&photo("astronaut.png")),
        "--grid",
        s(&grid),
        "-o",
        s(&out),
    ]);
    assert!(o.status.success());
    let got: Vec<f32> = image::open(&out)
        .unwrap()
        .to_rgb8()
        .as_raw()
        .iter()
        .map(|&v| v as f32 / 255.0)
        .collect();
    let want: Vec<f32> = edit(&full)
        .as_raw()
        .iter()
        .map(|&v| v as f32 / 255.0)
        .collect();
    let de = retouch_metrics::mean_ciede2000(&got, &want).unwrap();
    assert!(de < 1.5, "mean CIEDE2000 {de}");
}

#[test]
fn sixteen_bit_in_sixteen_bit_out_and_mask_limits_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    let src = image::open(photo("chelsea.png")).unwrap().to_rgb16();
    let in16 = dir.path().join("in16.png");
    src.save(&in16).unwrap();
    let out16 = dir.path().join("out16.png");
    let o = run(&[
        "apply",
        s(&in16),
        "--grid",
        s(&shipped_grid()),
        "-o",
        s(&out16),
    ]);
    assert!(o.status.success());
    let back = image::open(&out16).unwrap();
    assert_eq!(back.color(), image::ColorType::Rgb16);
    // A mask, black on the right half: those pixels are unchanged.
    let (w, h) = src.dimensions();
    let mask =
        image::GrayImage::from_fn(64, 16, |x, _| image::Luma([if x < 32 { 255 } else { 0 }]));
    let mp = dir.path().join("mask.png");
    mask.save(&mp).unwrap();
    let out = dir.path().join("masked.png");
    let o = run(&[
        "apply",
        s(&photo("chelsea.png")),
        "--grid",
        s(&shipped_grid()),
        "-o",
        s(&out),
        "--mask",
        s(&mp),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let a = image::open(photo("chelsea.png")).unwrap().to_rgb8();
    let b = image::open(&out).unwrap().to_rgb8();
    let right_same = (0..h).all(|y| (w * 3 / 4..w).all(|x| a.get_pixel(x, y) == b.get_pixel(x, y)));
    let left_changed = (0..h).any(|y| (0..w / 4).any(|x| a.get_pixel(x, y) != b.get_pixel(x, y)));
    assert!(right_same && left_changed);
}

#[test]
fn bad_inputs_fail_with_a_message_and_touch_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let g = shipped_grid();
    let out = dir.path().join("o.png");
    fails_cleanly(
        &run(&["apply", "/nonexistent.jpg", "--grid", s(&g), "-o", s(&out)]),
        "cannot read",
    );
    let junk = dir.path().join("junk.safetensors");
    std::fs::write(&junk, b"not a grid").unwrap();
    fails_cleanly(
        &run(&[
            "apply",
            s(&photo("chelsea.png")),
            "--grid",
            s(&junk),
            "-o",
            s(&out),
        ]),
        "not a valid grid file",
    );
    fails_cleanly(
        &run(&[
            "apply",
            s(&photo("chelsea.png")),
            "--grid",
            s(&g),
            "-o",
            s(&out),
            "--strength",
            "NaN",
        ]),
        "finite",
    );
    fails_cleanly(
        &run(&[
            "apply",
            s(&photo("chelsea.png")),
            "--grid",
            s(&g),
            "-o",
            &format!("{}/x.gif", dir.path().display()),
        ]),
        "output format",
    );
    let precious = dir.path().join("precious.png");
    std::fs::write(&precious, b"mine").unwrap();
    fails_cleanly(
        &run(&[
            "apply",
            s(&photo("chelsea.png")),
            "--grid",
            s(&g),
            "-o",
            s(&precious),
        ]),
        "--overwrite",
    );
    assert_eq!(std::fs::read(&precious).unwrap(), b"mine");
    let input = dir.path().join("in.png");
    std::fs::copy(photo("chelsea.png"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    fails_cleanly(
        &run(&["apply", s(&input), "--grid", s(&g), "-o", s(&input)]),
        "replace the input",
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
    fails_cleanly(
        &run(&[
            "apply",
            s(&photo("chelsea.png")),
            "--grid",
            s(&g),
            "-o",
            s(&out),
            "--max-pixels",
            "1000",
        ]),
        "exceeds the limit",
    );
    fails_cleanly(
        &run(&[
            "fit",
            s(&photo("chelsea.png")),
            s(&photo("coffee.png")),
            "-o",
            &format!("{}/g.safetensors", dir.path().display()),
        ]),
        "differ in size",
    );
    fails_cleanly(
        &run(&[
            "fit",
            s(&photo("chelsea.png")),
            s(&photo("chelsea.png")),
            "-o",
            &format!("{}/g.safetensors", dir.path().display()),
            "--grid-size",
            "16x0x8",
        ]),
        "grid dimension",
    );
    assert!(!out.exists());
    // Clap's own usage errors exit with 2, not a panic.
    let o = run(&["apply"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bench_json_has_one_entry_per_size() {
    let o = run(&["bench", "--runs", "1", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = j["results"].as_array().unwrap();
    let sizes: Vec<(u64, u64)> = rows
        .iter()
        .map(|r| (r["width"].as_u64().unwrap(), r["height"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        sizes,
        vec![(1280, 720), (1920, 1080), (2560, 1440), (3840, 2160)]
    );
    for r in rows {
        assert!(r["median_ms"].as_f64().unwrap() > 0.0);
        assert!(r["memcpy_ms"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn metrics_reports_fidelity_and_refuses_mismatched_sizes() {
    let same = run(&[
        "metrics",
        s(&photo("coffee.png")),
        s(&photo("coffee.png")),
        "--json",
    ]);
    assert!(
        same.status.success(),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert!((v["fidelity"]["ssim"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    assert!((v["fidelity"]["cw_ssim"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    assert_eq!(v["fidelity"]["gmsd"].as_f64().unwrap(), 0.0);
    assert_eq!(v["to_reference"]["l1"].as_f64().unwrap(), 0.0);
    assert_eq!(v["to_reference"]["psnr_db"], "inf");

    // A real edit (the shipped golden-hour grid): tone moves, structure stays.
    let dir = tempfile::tempdir().unwrap();
    let edited = dir.path().join("edited.png");
    let o = run(&[
        "apply",
        s(&photo("coffee.png")),
        "--grid",
        s(&shipped_grid()),
        "-o",
        s(&edited),
    ]);
    assert!(o.status.success());
    let o = run(&["metrics", s(&photo("coffee.png")), s(&edited), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["to_reference"]["ciede2000"].as_f64().unwrap() > 1.0);
    assert!(v["fidelity"]["ssim"].as_f64().unwrap() > 0.95);
    assert!(v["fidelity"]["gmsd"].as_f64().unwrap() < 0.05);

    let o = run(&["metrics", s(&photo("coffee.png")), s(&photo("chelsea.png"))]);
    fails_cleanly(&o, "differ in size");
    let o = run(&["metrics", s(&photo("coffee.png")), "/nonexistent.png"]);
    fails_cleanly(&o, "cannot read");
}

#[test]
fn eval_refuses_bad_arguments_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["eval", "--split", "test"]);
    fails_cleanly(&o, "unknown split");
    let o = run(&[
        "eval",
        "--data-dir",
        "/nonexistent/photos",
        "--samples",
        "1",
    ]);
    fails_cleanly(&o, "scripts/fetch-photos.sh");
    // An existing report file is not replaced without --overwrite.
    let existing = dir.path().join("results.md");
    std::fs::write(&existing, "mine").unwrap();
    let o = run(&["eval", "--report", s(dir.path())]);
    fails_cleanly(&o, "exists");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "mine");
    // A README without the markers is refused up front.
    let readme = dir.path().join("README.md");
    std::fs::write(&readme, "no markers").unwrap();
    let o = run(&["eval", "--update-readme", s(&readme)]);
    fails_cleanly(&o, "cannot be updated");
}

#[test]
fn a_reader_that_stops_reading_is_not_a_crash() {
    // `retouch read ... --json | head -c0`: the pipe is closed before the reading is printed
    // (the learned reader takes a few hundred milliseconds to load first).
    use std::process::Stdio;
    let mut child = bin()
        .args(["read", "gjør bildet mørkere og varmere", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run retouch");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("Broken pipe"), "{err}");
    assert!(o.status.success(), "{:?} {err}", o.status);
}
