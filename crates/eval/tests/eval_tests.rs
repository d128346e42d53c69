//! The benchmark end to end on the committed fixture photos (the real validation photos are
//! fetched, not committed): every method runs, identity scores as identity, the model follows
//! instructions better than its instruction-blind self, and the report and charts come out.

use retouch_data::synth::Synth;
use retouch_eval::methods::Method;
use retouch_eval::{charts, report, Event, Settings};
use retouch_finish::Image;
use retouch_instruct::generate::Split;
use retouch_model::Retoucher;
use std::path::PathBuf;

fn fixture_photos(size: u32) -> Vec<(String, Image)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos");
    ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"]
        .iter()
        .map(|f| {
            let img = image::open(dir.join(f))
                .unwrap()
                .resize(size, size, image::imageops::FilterType::Triangle)
                .to_rgb8();
            let im = Image::from_rgb8(img.width() as usize, img.height() as usize, img.as_raw())
                .unwrap();
            (f.to_string(), im)
        })
        .collect()
}

fn shipped() -> Retoucher {
    Retoucher::load(
        &retouch_model::default_model_path(),
        &retouch_text::default_dir(),
    )
    .unwrap()
}

#[test]
fn benchmark_runs_every_method_and_writes_the_report() {
    let r = shipped();
    let synth = Synth::new(fixture_photos(192), 11, Split::Validation);
    let set = retouch_eval::triplets(&synth, 10);
    let settings = Settings {
        split: "fixtures".into(),
        samples: set.len(),
        size: 192,
        seed: 11,
        runs: 0,
    };
    let mut phases = Vec::new();
    let mut ticks = 0;
    let free: Vec<Image> = fixture_photos(128)
        .into_iter()
        .take(1)
        .map(|p| p.1)
        .collect();
    let inputs = retouch_eval::Inputs {
        set: &set,
        free_photos: &free,
        enhance_photos: &free,
        probe_photos: &[],
        portraits: &[],
    };
    let rep = retouch_eval::run(settings, &r, "shipped", 4, inputs, &mut |e| match e {
        Event::Phase(p, _) => phases.push(p.to_string()),
        Event::Tick => ticks += 1,
    })
    .unwrap();
    assert_eq!(phases.len(), 7);
    let n_free = retouch_eval::free_text::cases().len();
    let n_enhance = retouch_eval::enhance::requests_per_photo();
    assert_eq!(ticks, 5 * set.len() + n_free + n_enhance);
    let e = rep.enhance.as_ref().unwrap();
    assert_eq!(e.cases.len(), n_enhance);
    assert_eq!(
        e.generic_by_kind.len(),
        retouch_eval::enhance::DEGRADATIONS.len()
    );
    assert!(e
        .cases
        .iter()
        .all(|c| c.after.is_finite() && c.after >= 0.0));
    let f = rep.free_text.as_ref().unwrap();
    assert_eq!((f.sentences, f.photos, f.model.n), (n_free, 1, n_free));
    // The pipeline is run on every sentence too (the concept lexicon now reads most of them).
    assert_eq!(f.rule_based.n, n_free);
    assert_eq!(rep.methods.len(), 5);
    let get = |m: Method| rep.methods.iter().find(|s| s.method == m).unwrap();

    let id = get(Method::Identity);
    assert!((id.ssim - 1.0).abs() < 1e-12);
    assert!((id.cw_ssim - 1.0).abs() < 1e-12);
    assert!(id.gmsd.abs() < 1e-12);
    assert_eq!(id.direction.ok, 0);
    assert!(id.direction.n > 0);
    assert_eq!(id.leakage.ok, 0);

    let model = get(Method::Model);
    let blind = get(Method::InstructionBlind);
    let rules = get(Method::RuleBased);
    assert!(
        model.direction.rate > blind.direction.rate + 0.2,
        "model {} vs blind {}",
        model.direction.rate,
        blind.direction.rate
    );
    assert!(model.psnr > id.psnr, "{} vs {}", model.psnr, id.psnr);
    assert!(rules.direction.rate > 0.8, "{}", rules.direction.rate);
    // A bilateral edit keeps structure: fidelity close to identity's.
    assert!(
        model.ssim > 0.98 && model.gmsd < 0.02,
        "{} {}",
        model.ssim,
        model.gmsd
    );
    // Every requested target is counted once per method.
    for m in &rep.methods {
        assert_eq!(m.direction.n, id.direction.n);
        let by_mode: usize = m.by_mode.values().map(|x| x.direction.n).sum();
        assert_eq!(by_mode, m.direction.n);
        let by_attr: usize = m.by_attribute.values().map(|x| x.n).sum();
        assert_eq!(by_attr, m.direction.n);
    }

    let md = report::markdown(&rep);
    assert!(
        md.contains("Free text outside the matcher's vocabulary")
            && md.contains("Enhance benchmark"),
        "{md}"
    );
    for m in &rep.methods {
        assert!(md.contains(&format!("| {} |", m.name)), "{md}");
    }
    let radar = image::load_from_memory(&charts::radar(&rep).unwrap()).unwrap();
    assert_eq!((radar.width(), radar.height()), (1100, 760));
    let bars = image::load_from_memory(&charts::attributes(&rep).unwrap()).unwrap();
    assert_eq!((bars.width(), bars.height()), (1200, 560));
    // The charts are drawn, not blank.
    let non_white = bars.to_rgb8().pixels().filter(|p| p.0 != [255; 3]).count();
    assert!(non_white > 10_000, "{non_white}");
}

#[test]
fn runtime_rows_cover_the_four_sizes() {
    use retouch_eval::runtime::{edit_stages, INSTRUCTION, REGION_INSTRUCTION};
    let k = retouch_engine::Kernel::best();
    let rows = edit_stages(&shipped(), k, 1, INSTRUCTION).unwrap();
    let sizes: Vec<(usize, usize)> = rows.iter().map(|x| (x.width, x.height)).collect();
    assert_eq!(
        sizes,
        [(1280, 720), (1920, 1080), (2560, 1440), (3840, 2160)]
    );
    for x in &rows {
        assert!(x.total_ms >= x.network_ms && x.network_ms > 0.0 && x.slice_ms > 0.0);
        assert_eq!((x.passes, x.region_fraction), (1, None));
    }
    // The region sentence runs two passes, the second inside the sky's mask.
    for x in edit_stages(&shipped(), k, 1, REGION_INSTRUCTION).unwrap() {
        assert_eq!(x.passes, 2, "{}", x.name);
        let f = x.region_fraction.expect("a region pass");
        assert!((0.0..=1.0).contains(&f), "{f}");
    }
}

#[test]
fn identity_rows_find_the_portrait_and_measure_each_method() {
    let photos = fixture_photos(512);
    let portraits = retouch_eval::identity::portraits(photos).unwrap();
    // Only the astronaut is a person (the cat, the coffee cup and the rocket are not found
    // at the benchmark's score).
    assert_eq!(
        portraits.len(),
        1,
        "{:?}",
        portraits.iter().map(|p| &p.name).collect::<Vec<_>>()
    );
    assert_eq!(portraits[0].name, "astronaut.png");
    assert_eq!(portraits[0].faces.len(), 1);
    let r = shipped();
    let mut ticks = 0;
    let s = retouch_eval::identity::run(&r, &portraits, &mut || ticks += 1).unwrap();
    let n = retouch_eval::identity::INSTRUCTIONS.len();
    assert_eq!(ticks, n);
    assert_eq!(s.rows.len(), retouch_eval::identity::METHODS.len());
    for row in &s.rows {
        assert_eq!(row.cases, n);
        // Colour edits keep the person: high cosine, never above 1.
        assert!(
            row.min_cosine > 0.9 && row.mean_cosine <= 1.0 + 1e-6,
            "{row:?}"
        );
        assert!(row.same_person > 0.99, "{row:?}");
    }
    // An edit that takes the colour away moves the descriptor more than a touch of warmth.
    let by = |q: &str| {
        s.model_by_instruction
            .iter()
            .find(|(i, _)| i == q)
            .unwrap()
            .1
    };
    assert!(
        by("black and white") < by("make it warmer"),
        "{:?}",
        s.model_by_instruction
    );
}
