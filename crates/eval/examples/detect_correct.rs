//! Two ways of using what a named or generic request says about a photo's problem, measured on
//! the enhance benchmark's degradations of the validation photos' 128 px thumbnails (share of
//! the degradation removed, mean CIEDE2000 to the original):
//!
//! - **Generic, detect then correct**: ridge detectors of each directed problem (the indicator
//!   of "this photo needs a brighter / darker / warmer ... repair") and heads fitted only on
//!   photos that need that repair; a problem is corrected, by its head, when its detector
//!   passes `tau`. Against the shipped generic path (`adjust::shape` of the general head).
//! - **Named, sized as a visible problem**: the shipped estimator's named-problem heads alone
//!   (`Estimator::given`) against its directed heads (`Estimator::directed`, what the product
//!   uses when the sentence gives the direction), both through `adjust::shape` as the product.
//!
//! `cargo run --release -p retouch-eval --example detect_correct` (about 2 min; `T=2` fits the
//! example's own directed heads on repairs twice the noticeable size, `LAMBDA` their penalty).
use retouch_eval::enhance::{Degradation, DEGRADATIONS};
use retouch_finish::auto::AutoSpec;
use retouch_finish::correction::Correction;
use retouch_metrics::mean_ciede2000;
use retouch_model::adjust;
use retouch_model::estimate::{read_photo, Backbone, Estimator, Problem, Repair};
use retouch_model::lowres;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Effect of a correction on CIELAB b* and a* at a grey.
fn db(c: &Correction) -> f32 {
    adjust::lab_shift(c.log_r, c.log_b).1
}
fn da(c: &Correction) -> f32 {
    adjust::lab_shift(c.log_r, c.log_b).0
}

/// Directed problems: (name, sign of repair) -> present in a correction.
const N: usize = 10;
fn present(k: usize, c: &Correction, t: f32) -> bool {
    match k {
        0 => c.ev > 0.3 * t,
        1 => c.ev < -0.3 * t,
        2 => db(c) > 2.0 * t,
        3 => db(c) < -2.0 * t,
        4 => da(c) > 2.0 * t,
        5 => da(c) < -2.0 * t,
        6 => c.black > 0.03 * t || c.white < 1.0 - 0.03 * t,
        7 => c.black < -0.03 * t || c.white > 1.0 + 0.03 * t,
        8 => c.log_chroma > 0.1 * t,
        _ => c.log_chroma < -0.1 * t,
    }
}

/// The part of `c` that repairs directed problem `k`.
fn part(k: usize, c: &Correction) -> [f32; 6] {
    let v = c.to_vec();
    let mut o = [0f32; 6];
    match k {
        0 | 1 => o[2] = v[2],
        2 | 3 => {
            let (_, b) = adjust::lab_axes(v[0], v[1]);
            o[0] = b.0;
            o[1] = b.1;
        }
        4 | 5 => {
            let (a, _) = adjust::lab_axes(v[0], v[1]);
            o[0] = a.0;
            o[1] = a.1;
        }
        6 | 7 => {
            o[3] = v[3];
            o[4] = v[4];
        }
        _ => o[5] = v[5],
    }
    o
}

/// The product's repair for the example's directed problem `k` (none for contrast).
fn repair_of(k: usize) -> Option<Repair> {
    match k {
        0..=5 => Some(Repair::ALL[k]),
        8 => Some(Repair::Richer),
        9 => Some(Repair::Muted),
        _ => None,
    }
}

fn named_of(d: Degradation) -> Vec<usize> {
    use Degradation::*;
    match d {
        Under1Ev | Under2Ev => vec![0],
        Over1Ev => vec![1],
        BlueCast => vec![2],
        YellowCast => vec![3],
        GreenCast => vec![4],
        MagentaCast => vec![5],
        Flat | LiftedBlacks => vec![6],
        Harsh | CrushedShadows => vec![7],
        Dull => vec![8],
        Garish => vec![9],
        DarkAndBlue => vec![0, 2],
    }
}

/// The problems a named degradation names (contrast's directions are not repairs).
fn problems_of(d: Degradation) -> Vec<Problem> {
    let spec = spec_of(d);
    [
        (spec.white_balance, Problem::WhiteBalance),
        (spec.exposure, Problem::Exposure),
        (spec.contrast, Problem::Contrast),
        (spec.saturation, Problem::Saturation),
    ]
    .into_iter()
    .filter(|x| x.0)
    .map(|x| x.1)
    .collect()
}

/// The product's spec for a named degradation (hints as the reading gives them).
fn spec_of(d: Degradation) -> AutoSpec {
    let mut s = AutoSpec::default();
    for k in named_of(d) {
        match k {
            0 | 1 => {
                s.exposure = true;
                s.exposure_hint = if k == 0 { 1.0 } else { -1.0 };
            }
            2 | 3 => {
                s.white_balance = true;
                s.temperature_hint = if k == 2 { 1.0 } else { -1.0 };
            }
            4 | 5 => {
                s.white_balance = true;
                s.tint_hint = if k == 4 { 1.0 } else { -1.0 };
            }
            6 | 7 => {
                s.contrast = true;
                s.contrast_hint = if k == 6 { 1.0 } else { -1.0 };
            }
            _ => {
                s.saturation = true;
                s.saturation_hint = if k == 8 { 1.0 } else { -1.0 };
            }
        }
    }
    s
}

fn fit(samples: &[(Vec<f32>, Correction)], lambda: f64) -> Res<Estimator> {
    Ok(
        Estimator::fit_shrunk(samples, 2, Backbone::None, &[lambda], 1.0, String::new())?
            .pop()
            .ok_or("no fit")?,
    )
}

fn main() -> Res<()> {
    let dir = retouch_data::default_photo_dir();
    let t_fit: f32 = std::env::var("T")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let lambda: f64 = std::env::var("LAMBDA")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.1);
    let train: Vec<_> = retouch_data::synth::load_photos(&dir, "train", 128)?
        .into_iter()
        .map(|p| p.1)
        .collect();
    let samples = retouch_train::estimator::samples(&train, 48, 7, None, false)?;
    eprintln!("{} samples", samples.len());
    // Detectors: indicator targets in the correction's slots (two fits of six).
    let mut detectors = Vec::new();
    for g in 0..2 {
        let s: Vec<(Vec<f32>, Correction)> = samples
            .iter()
            .map(|(f, c)| {
                let mut v = [0f32; 6];
                for (j, slot) in v.iter_mut().enumerate() {
                    let k = g * 6 + j;
                    if k < N && present(k, c, 1.0) {
                        *slot = 1.0;
                    }
                }
                // from_vec adds 1 to slot 4 (white); undo so the fit sees the raw indicator.
                (f.clone(), Correction::from_vec(v))
            })
            .collect();
        detectors.push(fit(&s, lambda)?);
    }
    let detect = |full: &[f32]| -> [f32; N] {
        let mut o = [0f32; N];
        for g in 0..2 {
            // Unclamped prediction: weights directly.
            let e = &detectors[g];
            let x = retouch_model::estimate::expand(&e.backbone.select(full), e.degree);
            for j in 0..6 {
                let k = g * 6 + j;
                if k >= N {
                    break;
                }
                let w = &e.weights[j];
                let mut s = w[0];
                for i in 0..x.len() {
                    s += w[i + 1] * (x[i] - e.mean[i]) / e.scale[i];
                }
                o[k] = s;
            }
        }
        o
    };
    let mut heads = Vec::new();
    for k in 0..N {
        let s: Vec<_> = samples
            .iter()
            .filter(|(_, c)| present(k, c, t_fit))
            .cloned()
            .collect();
        heads.push(fit(&s, lambda)?);
    }
    let shipped = Estimator::shipped()?;
    let val = retouch_data::synth::load_photos(&dir, "validation", 512)?;
    let thumbs: Vec<Vec<f32>> = val
        .iter()
        .map(|(_, p)| lowres::thumbnail(&p.data, p.width, p.height, 3, 128))
        .collect();
    let taus = [0.4f32, 0.5, 0.6, 0.7];
    let generic_new = |t: &[f32], tau: f32| -> Res<Correction> {
        let full = read_photo(t, 128, 128, false)?;
        let p = detect(&full);
        let mut v = [0f32; 6];
        for pair in 0..N / 2 {
            let (up, down) = (2 * pair, 2 * pair + 1);
            let k = if p[up] >= p[down] { up } else { down };
            if p[k] > tau {
                let h = heads[k].predict_reading(&full);
                for (a, b) in v.iter_mut().zip(part(k, &h)) {
                    *a += b;
                }
            }
        }
        Ok(Correction::from_vec(v))
    };
    let named_new = |t: &[f32], d: Degradation| -> Res<Correction> {
        let (spec, probs) = (spec_of(d), problems_of(d));
        let repairs: Vec<Repair> = named_of(d).into_iter().filter_map(repair_of).collect();
        Ok(adjust::shape(
            shipped.predict_given(t, 128, 128, &probs, &repairs)?,
            &spec,
        ))
    };
    // The example's own directed heads for every named problem, contrast's too.
    let named_own = |t: &[f32], d: Degradation| -> Res<Correction> {
        let full = read_photo(t, 128, 128, false)?;
        let mut v = [0f32; 6];
        for k in named_of(d) {
            for (a, b) in v.iter_mut().zip(part(k, &heads[k].predict_reading(&full))) {
                *a += b;
            }
        }
        Ok(adjust::shape(Correction::from_vec(v), &spec_of(d)))
    };
    let generic = AutoSpec::generic();
    let mut undeg = vec![0f64; 1 + taus.len()];
    for t in &thumbs {
        let c = adjust::shape(shipped.predict(t, 128, 128)?, &generic);
        undeg[0] += mean_ciede2000(t, &c.apply(t))? / thumbs.len() as f64;
        for (i, tau) in taus.iter().enumerate() {
            undeg[i + 1] +=
                mean_ciede2000(t, &generic_new(t, *tau)?.apply(t))? / thumbs.len() as f64;
        }
    }
    println!("T={t_fit} lambda={lambda}");
    println!(
        "| degradation | generic shipped | generic new tau {taus:?} | named, problem heads | named, directed heads | named, own heads |"
    );
    let mut all = vec![0f64; 4 + taus.len()];
    for d in DEGRADATIONS {
        let mut s = vec![0f64; 4 + taus.len()];
        for t in &thumbs {
            let deg = d.apply(t);
            let before = mean_ciede2000(t, &deg)?;
            let rem = |c: Correction| -> Res<f64> {
                Ok((1.0 - mean_ciede2000(t, &c.apply(&deg))? / before) / thumbs.len() as f64)
            };
            s[0] += rem(adjust::shape(shipped.predict(&deg, 128, 128)?, &generic))?;
            for (i, tau) in taus.iter().enumerate() {
                s[1 + i] += rem(generic_new(&deg, *tau)?)?;
            }
            s[1 + taus.len()] += rem(adjust::shape(
                shipped.predict_given(&deg, 128, 128, &problems_of(d), &[])?,
                &spec_of(d),
            ))?;
            s[2 + taus.len()] += rem(named_new(&deg, d)?)?;
            s[3 + taus.len()] += rem(named_own(&deg, d)?)?;
        }
        println!(
            "| {} | {} |",
            d.name(),
            s.iter()
                .map(|v| format!("{:.0}", 100.0 * v))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        for (a, b) in all.iter_mut().zip(&s) {
            *a += b / DEGRADATIONS.len() as f64;
        }
    }
    println!(
        "| all | {} |",
        all.iter()
            .map(|v| format!("{:.0}", 100.0 * v))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    // The generic dead zones scaled: removal and undegraded change on the same thumbnails.
    let shaped = |c: Correction, f: f32| -> Correction {
        let mut v = c.to_vec();
        for (k, x) in v.iter_mut().enumerate() {
            let dz = adjust::GENERIC_DEAD_ZONE[k] * f;
            *x = x.signum() * (x.abs() - dz).max(0.0);
        }
        Correction::from_vec(v)
    };
    for f in [2.0f32 / 3.0, 1.0, 4.0 / 3.0, 2.0] {
        let (mut removed, mut undegraded) = (0f64, 0f64);
        for t in &thumbs {
            let c = shaped(shipped.predict(t, 128, 128)?, f);
            undegraded += mean_ciede2000(t, &c.apply(t))? / thumbs.len() as f64;
            for d in DEGRADATIONS {
                let deg = d.apply(t);
                let before = mean_ciede2000(t, &deg)?;
                let c = shaped(shipped.predict(&deg, 128, 128)?, f);
                removed += (1.0 - mean_ciede2000(t, &c.apply(&deg))? / before)
                    / (thumbs.len() * DEGRADATIONS.len()) as f64;
            }
        }
        println!(
            "generic dead zones x{f}: removed {:.1} %, undegraded {undegraded:.2} ΔE00",
            100.0 * removed
        );
    }
    println!(
        "undegraded ΔE00: shipped {:.2}, new {:?}",
        undeg[0],
        &undeg[1..]
            .iter()
            .map(|v| (v * 100.0).round() / 100.0)
            .collect::<Vec<_>>()
    );
    Ok(())
}
