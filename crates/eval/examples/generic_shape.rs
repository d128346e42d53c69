//! Generic requests' shaping of the estimator's correction, compared on the enhance
//! benchmark's validation thumbnails: removed share of each degradation and ΔE00 added to
//! undegraded photos, for the soft threshold (shipped) and the non-negative garrote, each at
//! several widths of the dead zones (`adjust::GENERIC_DEAD_ZONE` times a scale), in one pass
//! and in two (`adjust::GENERIC_PASSES`: the estimator asked again on its own result).
//!
//! `cargo run --release -p retouch-eval --example generic_shape -- [PHOTO_DIR]` (about 1 min;
//! `ESTIMATOR=path` reads a candidate estimator).
use retouch_eval::enhance::DEGRADATIONS;
use retouch_finish::correction::Correction;
use retouch_metrics::mean_ciede2000;
use retouch_model::adjust::GENERIC_DEAD_ZONE;
use retouch_model::lowres;

fn shaped(c: Correction, garrote: bool, scale: f32) -> Correction {
    let mut v = c.to_vec();
    for (k, v) in v.iter_mut().enumerate() {
        let dz = GENERIC_DEAD_ZONE[k] * scale;
        *v = if garrote {
            if v.abs() <= dz {
                0.0
            } else {
                *v * (1.0 - (dz / *v).powi(2))
            }
        } else {
            v.signum() * (v.abs() - dz).max(0.0)
        };
    }
    Correction::from_vec(v)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(retouch_data::default_photo_dir, std::path::PathBuf::from);
    let photos = retouch_data::synth::load_photos(&dir, "validation", 512)?;
    // ESTIMATOR=path: a candidate estimator file instead of the shipped one.
    let est = retouch_eval::enhance::estimator_under_test()?;
    let thumbs: Vec<Vec<f32>> = photos
        .iter()
        .map(|(_, p)| lowres::thumbnail(&p.data, p.width, p.height, 3, 128))
        .collect();
    let mut cases = Vec::new();
    for t in &thumbs {
        cases.push((t, None, est.predict(t, 128, 128)?));
        for d in DEGRADATIONS {
            let deg = d.apply(t);
            let g = est.predict(&deg, 128, 128)?;
            cases.push((t, Some(deg), g));
        }
    }
    println!("| shaping | scale | removed | closer | undegraded ΔE00 |");
    println!("|---|---|---|---|---|");
    for garrote in [false, true] {
        for scale in [0.4f32, 0.6, 0.8, 1.0, 1.2, 1.6] {
            let (mut removed, mut closer, mut n, mut undeg, mut m) =
                (0f64, 0usize, 0usize, 0f64, 0usize);
            for (t, deg, g) in &cases {
                let c = shaped(*g, garrote, scale);
                match deg {
                    None => {
                        undeg += mean_ciede2000(t, &c.apply(t))?;
                        m += 1;
                    }
                    Some(deg) => {
                        let before = mean_ciede2000(t, deg)?;
                        let after = mean_ciede2000(t, &c.apply(deg))?;
                        removed += 1.0 - after / before;
                        closer += usize::from(after < before);
                        n += 1;
                    }
                }
            }
            println!(
                "| {} | {scale} | {:.1} % | {:.0} % | {:.2} |",
                if garrote { "garrote" } else { "soft" },
                100.0 * removed / n as f64,
                100.0 * closer as f64 / n as f64,
                undeg / m as f64
            );
        }
    }
    // The shaped correction applied, then the estimator asked again on the result (its
    // second correction shaped the same way): how much an iteration would add.
    println!("\n| twice, soft, scale | removed | closer | undegraded ΔE00 |");
    println!("|---|---|---|---|");
    for scale in [0.8f32, 1.0, 1.2, 1.6] {
        let (mut removed, mut closer, mut n, mut undeg, mut m) =
            (0f64, 0usize, 0usize, 0f64, 0usize);
        for (t, deg, g) in &cases {
            let input: &[f32] = match deg {
                Some(d) => d,
                None => t,
            };
            let once = shaped(*g, false, scale).apply(input);
            let again = shaped(est.predict(&once, 128, 128)?, false, scale).apply(&once);
            match deg {
                None => {
                    undeg += mean_ciede2000(t, &again)?;
                    m += 1;
                }
                Some(deg) => {
                    let before = mean_ciede2000(t, deg)?;
                    let after = mean_ciede2000(t, &again)?;
                    removed += 1.0 - after / before;
                    closer += usize::from(after < before);
                    n += 1;
                }
            }
        }
        println!(
            "| {scale} | {:.1} % | {:.0} % | {:.2} |",
            100.0 * removed / n as f64,
            100.0 * closer as f64 / n as f64,
            undeg / m as f64
        );
    }
    Ok(())
}
