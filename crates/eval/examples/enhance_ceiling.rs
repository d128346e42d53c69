//! Where the enhance benchmark's removal is lost: per degradation, on the validation photos'
//! 128 px thumbnails, the share of the degradation (mean CIEDE2000 to the original) that each
//! stage removes: the best six-parameter correction (fitted to the original, the ceiling of
//! the correction's family), the estimator's general head as it is, its named-problem heads,
//! and the corrections a generic or named request makes of them (`adjust::shape`).
//!
//! `cargo run --release -p retouch-eval --example enhance_ceiling -- [PHOTO_DIR]` (about 10 min;
//! `NO_ORACLE=1` skips the ceiling, `PARAMS=1` also prints the mean parameters per degradation).
use retouch_eval::enhance::DEGRADATIONS;
use retouch_finish::auto::AutoSpec;
use retouch_finish::correction::Correction;
use retouch_finish::lab::from_rgb;
use retouch_metrics::mean_ciede2000;
use retouch_model::adjust;
use retouch_model::estimate::Problem;
use retouch_model::lowres;

fn lab_mse(a: &[f32], b: &[f32]) -> f64 {
    a.chunks_exact(3)
        .zip(b.chunks_exact(3))
        .map(|(p, q)| {
            let (x, y) = (from_rgb([p[0], p[1], p[2]]), from_rgb([q[0], q[1], q[2]]));
            f64::from((x[0] - y[0]).powi(2) + (x[1] - y[1]).powi(2) + (x[2] - y[2]).powi(2))
        })
        .sum::<f64>()
        / (a.len() / 3) as f64
}

/// The six-parameter correction closest to `orig` from `deg` (pattern search in Lab).
fn oracle(deg: &[f32], orig: &[f32]) -> Correction {
    let mut v = [0f32; 6];
    let cost = |v: &[f32; 6]| lab_mse(&Correction::from_vec(*v).apply(deg), orig);
    let mut best = cost(&v);
    let mut step = [0.2f32, 0.2, 0.5, 0.05, 0.05, 0.2];
    for _ in 0..60 {
        let mut improved = false;
        for k in 0..6 {
            for s in [1.0, -1.0] {
                let mut t = v;
                t[k] += s * step[k];
                let c = cost(&t);
                if c < best {
                    best = c;
                    v = t;
                    improved = true;
                }
            }
        }
        if !improved {
            step.iter_mut().for_each(|s| *s *= 0.5);
            if step[2] < 0.005 {
                break;
            }
        }
    }
    Correction::from_vec(v)
}

fn problems_of(d: retouch_eval::enhance::Degradation) -> Vec<Problem> {
    use retouch_eval::enhance::Degradation::*;
    match d {
        Under1Ev | Under2Ev | Over1Ev => vec![Problem::Exposure],
        BlueCast | YellowCast | GreenCast | MagentaCast => vec![Problem::WhiteBalance],
        Flat | Harsh | LiftedBlacks | CrushedShadows => vec![Problem::Contrast],
        Dull | Garish => vec![Problem::Saturation],
        DarkAndBlue => vec![Problem::Exposure, Problem::WhiteBalance],
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(retouch_data::default_photo_dir, std::path::PathBuf::from);
    let photos = retouch_data::synth::load_photos(&dir, "validation", 512)?;
    // ESTIMATOR=path: a candidate estimator file instead of the shipped one.
    let est = retouch_eval::enhance::estimator_under_test()?;
    let generic = AutoSpec::generic();
    println!("{} validation photos", photos.len());
    println!("| degradation | ΔE00 | oracle | general head | named head | generic shaped | general x2 | general x3 | undegraded ΔE00 of generic |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let thumbs: Vec<Vec<f32>> = photos
        .iter()
        .map(|(_, p)| lowres::thumbnail(&p.data, p.width, p.height, 3, 128))
        .collect();
    let (with_oracle, params) = (
        std::env::var("NO_ORACLE").is_err(),
        std::env::var("PARAMS").is_ok(),
    );
    let mut undeg = Vec::new();
    for t in &thumbs {
        let c = adjust::shape(est.predict(t, 128, 128)?, &generic);
        undeg.push(mean_ciede2000(t, &c.apply(t))?);
    }
    let mut all = [0f64; 6];
    for d in DEGRADATIONS {
        let mut sums = [0f64; 7];
        // Mean parameters of the oracle and of the general head (printed with PARAMS=1).
        let (mut mo, mut mg) = ([0f32; 6], [0f32; 6]);
        for t in &thumbs {
            let deg = d.apply(t);
            let before = mean_ciede2000(t, &deg)?;
            let removed = |c: Correction| -> Result<f64, Box<dyn std::error::Error>> {
                Ok(1.0 - mean_ciede2000(t, &c.apply(&deg))? / before)
            };
            let o = if with_oracle {
                oracle(&deg, t)
            } else {
                Correction::default()
            };
            let g = est.predict(&deg, 128, 128)?;
            for (k, (a, b)) in o.to_vec().iter().zip(g.to_vec()).enumerate() {
                mo[k] += a / thumbs.len() as f32;
                mg[k] += b / thumbs.len() as f32;
            }
            let n = est.predict_given(&deg, 128, 128, &problems_of(d), &[])?;
            let s = adjust::shape(g, &generic);
            // The general head applied again to its own result, twice.
            let once = g.apply(&deg);
            let twice = est.predict(&once, 128, 128)?.apply(&once);
            let thrice = est.predict(&twice, 128, 128)?.apply(&twice);
            sums[5] += 1.0 - mean_ciede2000(t, &twice)? / before;
            sums[6] += 1.0 - mean_ciede2000(t, &thrice)? / before;
            sums[0] += before;
            sums[1] += removed(o)?;
            sums[2] += removed(g)?;
            sums[3] += removed(n)?;
            sums[4] += removed(s)?;
        }
        let n = photos.len() as f64;
        if params {
            println!("{:?}\n  oracle {:.2?}\n  est    {:.2?}", d, mo, mg);
        }
        for k in 0..6 {
            all[k] += sums[k + 1] / n / DEGRADATIONS.len() as f64;
        }
        println!(
            "| {} | {:.2} | {:.0} % | {:.0} % | {:.0} % | {:.0} % | {:.0} % | {:.0} % | |",
            d.name(),
            sums[0] / n,
            100.0 * sums[1] / n,
            100.0 * sums[2] / n,
            100.0 * sums[3] / n,
            100.0 * sums[4] / n,
            100.0 * sums[5] / n,
            100.0 * sums[6] / n
        );
    }
    println!(
        "| all | | {:.0} % | {:.0} % | {:.0} % | {:.0} % | {:.0} % | {:.0} % | {:.2} |",
        100.0 * all[0],
        100.0 * all[1],
        100.0 * all[2],
        100.0 * all[3],
        100.0 * all[4],
        100.0 * all[5],
        undeg.iter().sum::<f64>() / undeg.len() as f64
    );
    Ok(())
}
