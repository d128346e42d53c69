//! How much of a colour cast one photo can tell apart from its own colour: the enhance
//! benchmark's four casts on the validation photos' 128 px thumbnails, corrected by the white
//! balance alone, as the shipped estimator reads it and as the classic shades-of-gray estimate
//! (Finlayson and Trezzi 2004: the Minkowski p-norm of each linear channel, clipped pixels
//! left out) reads it, pulled toward the training photos' own mean balance and shrunk by a
//! factor `alpha` (fitted on training photos spoiled by the estimator's training degradations,
//! or set to 0.5). Prints the share of each cast removed (mean CIEDE2000 to the original) and
//! the change the same correction makes to the undegraded photos.
//!
//! `cargo run --release -p retouch-eval --example cast_bound -- [PHOTO_DIR]` (about 2 min).
use rand::SeedableRng;
use retouch_eval::enhance::{Degradation, DEGRADATIONS};
use retouch_finish::color::srgb_to_linear;
use retouch_finish::correction::Correction;
use retouch_metrics::mean_ciede2000;
use retouch_model::estimate::Estimator;
use retouch_model::lowres;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Per-channel Minkowski p-norm of the linear values, pixels with a clipped channel left out.
fn minkowski(x: &[f32], p: f64) -> [f64; 3] {
    let (mut s, mut n) = ([0f64; 3], 0f64);
    for px in x.chunks_exact(3) {
        let l = [0, 1, 2].map(|c| f64::from(srgb_to_linear(px[c])));
        if l.iter().any(|v| *v > 0.98) {
            continue;
        }
        for c in 0..3 {
            s[c] += l[c].powf(p);
        }
        n += 1.0;
    }
    [0, 1, 2].map(|c| (s[c] / n.max(1.0)).powf(1.0 / p) + 1e-4)
}

/// log(G / R), log(G / B) of the estimate: the gains that would make it neutral.
fn log_ratios(x: &[f32], p: f64) -> [f64; 2] {
    let e = minkowski(x, p);
    [(e[1] / e[0]).ln(), (e[1] / e[2]).ln()]
}

fn casts() -> impl Iterator<Item = Degradation> {
    DEGRADATIONS.into_iter().filter(|d| {
        matches!(
            d,
            Degradation::BlueCast
                | Degradation::YellowCast
                | Degradation::GreenCast
                | Degradation::MagentaCast
        )
    })
}

/// One table row: a white-balance estimator on the undegraded photos and on each cast.
fn row(label: &str, photos: &[Vec<f32>], est: &dyn Fn(&[f32]) -> Res<Correction>) -> Res<()> {
    let mut undeg = 0.0;
    for t in photos {
        undeg += mean_ciede2000(t, &est(t)?.apply(t))?;
    }
    let mut line = format!("| {label} | {:.2} |", undeg / photos.len() as f64);
    for d in casts() {
        let mut removed = 0.0;
        for t in photos {
            let deg = d.apply(t);
            let before = mean_ciede2000(t, &deg)?;
            removed += 1.0 - mean_ciede2000(t, &est(&deg)?.apply(&deg))? / before;
        }
        line += &format!(" {:.0} % |", 100.0 * removed / photos.len() as f64);
    }
    println!("{line}");
    Ok(())
}

fn main() -> Res<()> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(retouch_data::default_photo_dir, std::path::PathBuf::from);
    let thumbs = |split: &str| -> Res<Vec<Vec<f32>>> {
        Ok(retouch_data::synth::load_photos(&dir, split, 512)?
            .iter()
            .map(|(_, p)| lowres::thumbnail(&p.data, p.width, p.height, 3, 128))
            .collect())
    };
    let (val, train) = (thumbs("validation")?, thumbs("train")?);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let spoiled: Vec<(Vec<f32>, Correction)> = train
        .iter()
        .flat_map(|t| {
            (0..8)
                .map(|_| {
                    let c = retouch_data::degrade::random_correction(&mut rng);
                    (c.degrade(t), c)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    println!(
        "{} validation photos; white balance only; removed per cast",
        val.len()
    );
    print!("| estimator | undegraded ΔE00 |");
    for d in casts() {
        print!(" {} |", d.name());
    }
    println!("\n|---|---|---|---|---|---|");
    let shipped = Estimator::shipped()?;
    row("shipped estimator, its white balance", &val, &|x| {
        let c = shipped.predict(x, 128, 128)?;
        Ok(Correction {
            log_r: c.log_r,
            log_b: c.log_b,
            ..Correction::default()
        })
    })?;
    for p in [1.0, 6.0, 24.0] {
        let own: Vec<[f64; 2]> = train.iter().map(|t| log_ratios(t, p)).collect();
        let mean = [0, 1].map(|k| own.iter().map(|v| v[k]).sum::<f64>() / own.len() as f64);
        // Least squares through the origin, per axis, on the spoiled training photos.
        let (mut num, mut den) = ([0f64; 2], [0f64; 2]);
        for (x, c) in &spoiled {
            let o = log_ratios(x, p);
            let t = [f64::from(c.log_r), f64::from(c.log_b)];
            for k in 0..2 {
                num[k] += (o[k] - mean[k]) * t[k];
                den[k] += (o[k] - mean[k]).powi(2);
            }
        }
        let fitted = [num[0] / den[0], num[1] / den[1]];
        for (what, alpha) in [("fitted", fitted), ("set", [0.5, 0.5])] {
            let label = format!(
                "shades of gray p={p}, alpha {what} ({:.2}, {:.2})",
                alpha[0], alpha[1]
            );
            row(&label, &val, &|x| {
                let o = log_ratios(x, p);
                Ok(Correction {
                    log_r: (alpha[0] * (o[0] - mean[0])) as f32,
                    log_b: (alpha[1] * (o[1] - mean[1])) as f32,
                    ..Correction::default()
                })
            })?;
        }
    }
    Ok(())
}
