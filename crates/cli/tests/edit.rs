//! `retouch edit` and `retouch batch` with the shipped model, end to end.

mod common;
use common::*;
use std::path::Path;

#[test]
fn edit_follows_the_instruction_direction_and_reports_stages() {
    let dir = tempfile::tempdir().unwrap();
    let input = photo("coffee.png");
    let before = rgb(&input);
    let (warm, cool) = (dir.path().join("warm.png"), dir.path().join("cool.png"));
    let o = run(&[
        "edit",
        s(&input),
        "make it warmer",
        "-o",
        s(&warm),
        "--json",
    ]);
    ok(&o);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for stage in [
        "decode", "text", "read", "network", "slice", "encode", "total",
    ] {
        assert!(
            report["timings_ms"][stage].as_f64().unwrap() >= 0.0,
            "{stage}"
        );
    }
    // Decode and text run side by side: the wall time of both covers each.
    let t = |k: &str| report["timings_ms"][k].as_f64().unwrap();
    assert!(
        t("read") >= t("decode") && t("read") >= t("text"),
        "{report}"
    );
    assert_eq!(report["attributes"][0], "temperature:up");
    ok(&run(&["edit", s(&input), "cooler, please", "-o", s(&cool)]));
    let (bw, bc, b0) = (mean_b(&rgb(&warm)), mean_b(&rgb(&cool)), mean_b(&before));
    assert!(
        bw > b0 + 0.5 && bc < b0 - 0.5,
        "b*: warmer {bw}, cooler {bc}, input {b0}"
    );

    let (bright, dark) = (dir.path().join("bright.png"), dir.path().join("dark.png"));
    ok(&run(&[
        "edit",
        s(&input),
        "brighten it up a lot",
        "-o",
        s(&bright),
    ]));
    ok(&run(&[
        "edit",
        s(&input),
        "make the photo darker",
        "-o",
        s(&dark),
    ]));
    let (lb, ld, l0) = (mean_l(&rgb(&bright)), mean_l(&rgb(&dark)), mean_l(&before));
    assert!(
        lb > l0 + 0.5 && ld < l0 - 0.5,
        "L*: brighter {lb}, darker {ld}, input {l0}"
    );

    // Strength 0 returns the input exactly.
    let same = dir.path().join("same.png");
    ok(&run(&[
        "edit",
        s(&input),
        "make it warmer",
        "-o",
        s(&same),
        "--strength",
        "0",
    ]));
    assert_eq!(rgb(&same), before);

    // JPEG output: 4:2:0 by default, 4:4:4 and progressive when asked (the frame header says).
    let frame = |path: &Path| {
        let b = std::fs::read(path).unwrap();
        let mut i = 2;
        while b[i + 1] != 0xC0 && b[i + 1] != 0xC2 {
            i += 2 + u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        }
        (b[i + 1] == 0xC2, b[i + 11])
    };
    let (j420, j444) = (dir.path().join("a.jpg"), dir.path().join("b.jpg"));
    ok(&run(&["edit", s(&input), "make it warmer", "-o", s(&j420)]));
    ok(&run(&[
        "edit",
        s(&input),
        "make it warmer",
        "-o",
        s(&j444),
        "--chroma",
        "444",
        "--progressive",
    ]));
    assert_eq!(frame(&j420), (false, 0x22));
    assert_eq!(frame(&j444), (true, 0x11));
    let bad = run(&[
        "edit",
        s(&input),
        "warmer",
        "-o",
        s(&j420),
        "--chroma",
        "411",
    ]);
    assert!(!bad.status.success());
}

#[test]
fn a_region_edit_changes_its_region_and_leaves_the_rest_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let input = photo("rocket.jpg"); // dusk sky over the top two thirds, pads at the bottom
    let (same, dark) = (dir.path().join("same.png"), dir.path().join("dark.png"));
    ok(&run(&[
        "edit",
        s(&input),
        "darken the sky",
        "-o",
        s(&same),
        "--strength",
        "0",
    ]));
    let o = run(&[
        "edit",
        s(&input),
        "darken the sky",
        "-o",
        s(&dark),
        "--json",
    ]);
    ok(&o);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["attributes"][0], "brightness:down@sky");
    assert_eq!(report["regions"], serde_json::json!(["sky"]));
    let (before, after) = (rgb(&same), rgb(&dark));
    let (w, h) = (640, 427);
    assert_eq!(before.len(), w * h * 3);
    let rows = |img: &[f32], a: f32, b: f32| {
        img[3 * w * (a * h as f32) as usize..3 * w * (b * h as f32) as usize].to_vec()
    };
    // The sky prior is 0 below 70 % of the height (blurred by 2 % of the diagonal).
    assert_eq!(rows(&after, 0.8, 1.0), rows(&before, 0.8, 1.0));
    let (l1, l0) = (
        mean_l(&rows(&after, 0.0, 0.4)),
        mean_l(&rows(&before, 0.0, 0.4)),
    );
    assert!(l1 < l0 - 0.5, "sky L*: {l1} after, {l0} before");
    // The explanation measures the sky darker, and more so than the photo as a whole.
    let ex = &report["explained"];
    assert_eq!(ex["regions"][0]["region"], "sky", "{ex}");
    let sky = ex["regions"][0]["changes"]["exposure_ev"].as_f64().unwrap();
    let whole = ex["whole"]["exposure_ev"].as_f64().unwrap();
    assert!(sky < -0.05 && sky < whole, "sky {sky} EV, whole {whole} EV");
    let cover = ex["regions"][0]["coverage"].as_f64().unwrap();
    assert!((0.3..0.9).contains(&cover), "sky coverage {cover}");

    // Whole photo + region: each pass is told its own clause, so below the sky the photo is
    // exactly what "make it warmer" alone gives.
    let (warm, both) = (dir.path().join("warm.png"), dir.path().join("both.png"));
    ok(&run(&["edit", s(&input), "make it warmer", "-o", s(&warm)]));
    let o = run(&[
        "edit",
        s(&input),
        "make it warmer and darken the sky",
        "-o",
        s(&both),
        "--json",
    ]);
    ok(&o);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        report["passes"],
        serde_json::json!([
            {"region": null, "text": "warmer"},
            {"region": "sky", "text": "darken the sky"}
        ])
    );
    let (warm, both) = (rgb(&warm), rgb(&both));
    assert!(
        rows(&both, 0.8, 1.0) == rows(&warm, 0.8, 1.0),
        "below the sky, the whole-photo pass must be \"make it warmer\"'s edit exactly"
    );
    assert!(mean_l(&rows(&both, 0.0, 0.4)) < mean_l(&rows(&warm, 0.0, 0.4)) - 0.5);

    // A region without a mask prior: edited everywhere, with a warning.
    let o = run(&[
        "edit",
        s(&input),
        "brighten the edges",
        "-o",
        s(&dir.path().join("edges.png")),
    ]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no mask is known for the region"));
}

#[test]
fn edit_refuses_bad_input_and_warns_about_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let input = photo("chelsea.png");
    let out = dir.path().join("o.jpg");
    let o = run(&["edit", s(&input), "   ", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("instruction is empty"));
    assert!(!out.exists());

    let o = run(&[
        "edit",
        s(&input),
        "warmer",
        "-o",
        s(&out),
        "--model",
        "/nonexistent/model.safetensors",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot load the model"));

    let o = run(&[
        "edit",
        s(&input),
        "remove the cat and make it warmer",
        "-o",
        s(&out),
    ]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("only colour and tone"));
    // The output now exists: a second run must not replace it.
    let o = run(&["edit", s(&input), "cooler", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));

    // A truncated JPEG: edited with a warning that says how much is missing; --strict refuses
    // it in one line, writing nothing.
    let bytes = std::fs::read(photo("rocket.jpg")).unwrap();
    let cut = dir.path().join("cut.jpg");
    std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let (lenient, strict) = (dir.path().join("l.png"), dir.path().join("s.png"));
    let o = run(&["edit", s(&cut), "warmer", "-o", s(&lenient)]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("truncated") && err.contains("rows"), "{err}");
    let o = run(&["edit", s(&cut), "warmer", "-o", s(&strict), "--strict"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--strict") && err.trim().lines().count() == 1,
        "{err}"
    );
    assert!(!strict.exists());

    // A long sentence is read whole, and the network's encoder is shown what was read
    // (`retouch_model::encoder_text`): nothing is cut off at the encoder's 256 tokens.
    let o = run(&[
        "edit",
        s(&input),
        &"make it a little warmer and brighter ".repeat(60),
        "-o",
        s(&dir.path().join("long.jpg")),
    ]);
    ok(&o);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("longer than"));

    // An instruction with nothing to do: exit 1, no file, one line that says why.
    let refused = |instruction: &str, name: &str| {
        let out = dir.path().join(name);
        let o = run(&["edit", s(&input), instruction, "-o", s(&out)]);
        assert_eq!(o.status.code(), Some(1), "{instruction}");
        assert!(!out.exists(), "{instruction}");
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(err.contains("nothing to do"), "{err}");
        err
    };
    // Nothing in it asks for a change: the line names the unread words (never the nearest
    // known phrase).
    let err = refused("zorbly flimflam", "odd.jpg");
    assert!(err.contains("zorbly"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // A sentence that presents the photo, scene words and all, is not a request either.
    let err = refused("this is our cabin in the snow", "cabin.jpg");
    assert!(err.contains("describes the photo"), "{err}");
    // A look asked for by likeness is, with no retouching word in it: edited, and the
    // warning names the phrase it was read as.
    let liken = dir.path().join("newspaper.jpg");
    let o = run(&[
        "edit",
        s(&input),
        "like an old newspaper print",
        "-o",
        s(&liken),
    ]);
    ok(&o);
    assert!(liken.exists());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nearest phrase"), "{err}");

    let o = run(&[
        "edit",
        s(&dir.path().join("missing.jpg")),
        "warmer",
        "-o",
        s(&dir.path().join("x.jpg")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

#[test]
fn batch_runs_good_jobs_reports_bad_ones_and_fails_overall() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let jobs = d.join("jobs.jsonl");
    let lines = [
        serde_json::json!({"input": photo("coffee.png"), "instruction": "warmer", "output": d.join("a.jpg")}).to_string(),
        serde_json::json!({"input": d.join("nope.png"), "instruction": "warmer", "output": d.join("b.jpg")}).to_string(),
        "this is not json".to_string(),
        String::new(),
        serde_json::json!({"input": photo("rocket.jpg"), "instruction": "more contrast", "output": d.join("c.png"), "strength": 0.5}).to_string(),
    ];
    std::fs::write(&jobs, lines.join("\n")).unwrap();
    let o = run(&["batch", s(&jobs), "--json"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(":2:") && err.contains(":3:"), "{err}");
    assert!(err.contains("2 of 4 jobs done, 2 failed"), "{err}");
    assert!(d.join("a.jpg").exists() && d.join("c.png").exists() && !d.join("b.jpg").exists());
    let reports: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 4);
    assert_eq!(reports.iter().filter(|r| r["ok"] == true).count(), 2);

    // All good: exit 0.
    std::fs::write(&jobs, lines[0].replace("a.jpg", "a2.jpg")).unwrap();
    let o = run(&["batch", s(&jobs)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // A truncated photo: done with its warning on stderr (job line named); --strict fails it.
    let bytes = std::fs::read(photo("rocket.jpg")).unwrap();
    std::fs::write(d.join("cut.jpg"), &bytes[..bytes.len() / 2]).unwrap();
    let job = |out: &str| {
        serde_json::json!({"input": d.join("cut.jpg"), "instruction": "warmer", "output": d.join(out)})
            .to_string()
    };
    std::fs::write(&jobs, job("t1.jpg")).unwrap();
    let o = run(&["batch", s(&jobs)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && err.contains(":1:") && err.contains("truncated"),
        "{err}"
    );
    std::fs::write(&jobs, job("t2.jpg")).unwrap();
    let o = run(&["batch", s(&jobs), "--strict"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!d.join("t2.jpg").exists());
}

#[test]
fn the_face_is_found_by_the_detector_or_else_follows_the_skin_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("face.png");
    // The astronaut: her face is found, the edit stays on it (a small part of the frame).
    let o = run(&[
        "edit",
        s(&photo("astronaut.png")),
        "brighten her face",
        "-o",
        s(&out),
        "--json",
    ]);
    ok(&o);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["regions"], serde_json::json!(["face"]), "{report}");
    let ex = &report["explained"]["regions"][0];
    let cover = ex["coverage"].as_f64().unwrap();
    assert!(cover > 0.005 && cover < 0.1, "face coverage {cover}");
    assert!(ex["changes"]["exposure_ev"].as_f64().unwrap() > 0.1, "{ex}");
    assert!(
        !report["warnings"].to_string().contains("no face"),
        "{report}"
    );
    // A cup of coffee has no face: the skin tones stand in, and the user is told.
    let out = dir.path().join("coffee.png");
    let o = run(&[
        "edit",
        s(&photo("coffee.png")),
        "make the face warmer",
        "-o",
        s(&out),
        "--json",
    ]);
    ok(&o);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["regions"], serde_json::json!(["skin"]), "{report}");
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("no face was found") && warnings.contains("skin tones"),
        "{warnings}"
    );
}
