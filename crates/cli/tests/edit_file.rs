//! Edit files (`retouch edit --save-edit`, `retouch apply --edit`) and 3D LUTs (`--cube`,
//! `retouch lut`), end to end with the shipped model.

mod common;
use common::*;
use std::path::Path;
use std::process::Output;

/// The one-line error of a failed run.
fn fails(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let e = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(e.starts_with("error: "), "{e}");
    e
}

fn unit(v: &[u8]) -> Vec<f32> {
    v.iter().map(|x| *x as f32 / 255.0).collect()
}

/// A `.cube` file read and applied by trilinear interpolation, written here apart from the
/// program's own code.
struct Cube {
    size: usize,
    table: Vec<[f32; 3]>,
}

impl Cube {
    fn read(path: &Path) -> Cube {
        let text = std::fs::read_to_string(path).unwrap();
        let mut size = 0;
        let mut table = Vec::new();
        for line in text.lines().map(str::trim) {
            if let Some(n) = line.strip_prefix("LUT_3D_SIZE") {
                size = n.trim().parse().unwrap();
            } else if line.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                let v: Vec<f32> = line
                    .split_whitespace()
                    .map(|x| x.parse().unwrap())
                    .collect();
                table.push([v[0], v[1], v[2]]);
            }
        }
        assert_eq!(table.len(), size * size * size);
        Cube { size, table }
    }

    fn at(&self, r: usize, g: usize, b: usize) -> [f32; 3] {
        self.table[r + self.size * (g + self.size * b)]
    }

    fn apply(&self, p: [f32; 3]) -> [f32; 3] {
        let n = (self.size - 1) as f32;
        let split = |v: f32| {
            let x = v.clamp(0.0, 1.0) * n;
            let i = (x.floor() as usize).min(self.size - 2);
            (i, x - i as f32)
        };
        let (ri, rf) = split(p[0]);
        let (gi, gf) = split(p[1]);
        let (bi, bf) = split(p[2]);
        let mut out = [0f32; 3];
        for (db, wb) in [(0, 1.0 - bf), (1, bf)] {
            for (dg, wg) in [(0, 1.0 - gf), (1, gf)] {
                for (dr, wr) in [(0, 1.0 - rf), (1, rf)] {
                    let e = self.at(ri + dr, gi + dg, bi + db);
                    for c in 0..3 {
                        out[c] += wr * wg * wb * e[c];
                    }
                }
            }
        }
        out
    }
}

#[test]
fn an_edit_file_replays_the_edit_on_its_photo_and_on_others() {
    let dir = tempfile::tempdir().unwrap();
    let (made, edit) = (dir.path().join("made.png"), dir.path().join("warm.retouch"));
    let rocket = photo("rocket.jpg");
    ok(&run(&[
        "edit",
        s(&rocket),
        "make it warmer and darken the sky",
        "-o",
        s(&made),
        "--save-edit",
        s(&edit),
    ]));
    // The same photo: the same pixels, the sky found again in it.
    let replay = dir.path().join("replay.png");
    let o = run(&[
        "apply",
        s(&rocket),
        "--edit",
        s(&edit),
        "-o",
        s(&replay),
        "--json",
    ]);
    ok(&o);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["regions"], serde_json::json!(["sky"]), "{report}");
    assert_eq!(report["grids"].as_array().unwrap().len(), 2, "{report}");
    assert!(rgb8(&made) == rgb8(&replay), "the replayed edit differs");
    // Another photo gets the same look: warmer.
    let coffee = photo("coffee.png");
    let other = dir.path().join("coffee-warm.png");
    ok(&run(&[
        "apply",
        s(&coffee),
        "--edit",
        s(&edit),
        "-o",
        s(&other),
    ]));
    let (before, after) = (unit(&rgb8(&coffee)), unit(&rgb8(&other)));
    assert!(
        mean_b(&after) > mean_b(&before) + 1.0,
        "{} -> {}",
        mean_b(&before),
        mean_b(&after)
    );
    // Strength 0 gives the photo back as it was.
    let none = dir.path().join("none.png");
    ok(&run(&[
        "apply",
        s(&coffee),
        "--edit",
        s(&edit),
        "--strength",
        "0",
        "-o",
        s(&none),
    ]));
    assert!(rgb8(&none) == rgb8(&coffee));
}

#[test]
fn a_cube_lut_reproduces_the_whole_photo_edit_within_one_delta_e() {
    let dir = tempfile::tempdir().unwrap();
    for (name, instruction) in [
        ("coffee.png", "warmer, lift the shadows"),
        ("astronaut.png", "give it a faded vintage look"),
        ("chelsea.png", "enhance"),
    ] {
        let input = photo(name);
        let (out, cube, edit) = (
            dir.path().join(format!("{name}.png")),
            dir.path().join(format!("{name}.cube")),
            dir.path().join(format!("{name}.retouch")),
        );
        ok(&run(&[
            "edit",
            s(&input),
            instruction,
            "-o",
            s(&out),
            "--cube",
            s(&cube),
            "--save-edit",
            s(&edit),
        ]));
        let lut = Cube::read(&cube);
        assert_eq!(lut.size, 33);
        let before = unit(&rgb8(&input));
        let by_lut: Vec<f32> = before
            .chunks_exact(3)
            .flat_map(|p| lut.apply([p[0], p[1], p[2]]))
            .collect();
        let edited = unit(&rgb8(&out));
        let de = retouch_metrics::mean_ciede2000(&edited, &by_lut).unwrap();
        let change = retouch_metrics::mean_ciede2000(&edited, &before).unwrap();
        eprintln!("{name} \"{instruction}\": edit {change:.2} ΔE00 from the photo, LUT {de:.3} from the edit");
        assert!(change > 1.0, "{name}: the edit did little ({change})");
        assert!(de < 1.0, "{name}: the LUT is {de} ΔE00 from the edit");
        // `retouch lut` on the edit file writes the same table.
        let again = dir.path().join(format!("{name}-again.cube"));
        ok(&run(&["lut", s(&edit), "-o", s(&again)]));
        assert_eq!(
            std::fs::read_to_string(&cube).unwrap(),
            std::fs::read_to_string(&again).unwrap()
        );
    }
}

#[test]
fn edit_files_and_luts_refuse_bad_input_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let coffee = photo("coffee.png");
    let out = dir.path().join("out.png");
    // Not an edit file: a photo, a missing path, a grid file.
    let e = fails(&run(&[
        "apply",
        s(&coffee),
        "--edit",
        s(&coffee),
        "-o",
        s(&out),
    ]));
    assert!(e.contains("not a valid edit file"), "{e}");
    let e = fails(&run(&[
        "lut",
        s(&dir.path().join("missing.retouch")),
        "-o",
        s(&dir.path().join("x.cube")),
    ]));
    assert!(e.contains("cannot read edit file"), "{e}");
    // A LUT is a .cube; an edit only of a region has nothing a LUT can hold.
    let sky = dir.path().join("sky.retouch");
    ok(&run(&[
        "edit",
        s(&photo("rocket.jpg")),
        "darken the sky",
        "-o",
        s(&out),
        "--save-edit",
        s(&sky),
    ]));
    let e = fails(&run(&["lut", s(&sky), "-o", s(&dir.path().join("x.txt"))]));
    assert!(e.contains(".cube"), "{e}");
    let e = fails(&run(&["lut", s(&sky), "-o", s(&dir.path().join("x.cube"))]));
    assert!(e.contains("region"), "{e}");
    // Nothing existing is replaced without --overwrite.
    let e = fails(&run(&[
        "edit",
        s(&coffee),
        "warmer",
        "-o",
        s(&dir.path().join("new.png")),
        "--save-edit",
        s(&sky),
    ]));
    assert!(e.contains("already exists"), "{e}");
    assert!(!dir.path().join("new.png").exists());
    // --grid and --edit are one or the other.
    let o = run(&[
        "apply",
        s(&coffee),
        "--edit",
        s(&sky),
        "--grid",
        s(&sky),
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
}

#[test]
fn batch_applies_edit_files_to_a_shoot_and_reports_bad_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let edit = dir.path().join("warm.retouch");
    ok(&run(&[
        "edit",
        s(&photo("coffee.png")),
        "make it warmer",
        "-o",
        s(&dir.path().join("made.png")),
        "--save-edit",
        s(&edit),
    ]));
    let (cat, astro) = (photo("chelsea.png"), photo("astronaut.png"));
    let (out1, out2, out3) = (
        dir.path().join("cat.png"),
        dir.path().join("astro.png"),
        dir.path().join("never.png"),
    );
    let jobs = dir.path().join("jobs.jsonl");
    let line = |v: serde_json::Value| v.to_string();
    std::fs::write(
        &jobs,
        [
            line(serde_json::json!({"input": cat, "edit": edit, "output": out1})),
            line(serde_json::json!({"input": astro, "edit": edit, "output": out2, "strength": 0})),
            line(
                serde_json::json!({"input": cat, "edit": edit, "instruction": "warmer", "output": out3}),
            ),
        ]
        .join("\n"),
    )
    .unwrap();
    let o = run(&["batch", s(&jobs), "--json"]);
    assert_eq!(o.status.code(), Some(1), "one job is bad");
    let reports: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0]["ok"], true, "{}", reports[0]);
    assert_eq!(reports[0]["report"]["grids"].as_array().unwrap().len(), 1);
    assert_eq!(reports[1]["ok"], true);
    assert_eq!(reports[2]["ok"], false);
    assert!(
        reports[2]["error"].as_str().unwrap().contains("not both"),
        "{}",
        reports[2]
    );
    // The cat gets the same look (warmer); strength 0 leaves the astronaut as it was.
    let (before, after) = (unit(&rgb8(&cat)), unit(&rgb8(&out1)));
    assert!(mean_b(&after) > mean_b(&before) + 1.0);
    assert!(rgb8(&out2) == rgb8(&astro));
    assert!(!out3.exists());
}
