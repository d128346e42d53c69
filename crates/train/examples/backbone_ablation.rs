//! The estimator's backbone ablation on cached samples: which backbone features, how strongly
//! penalised, at which ridge penalty, by held-out RMSE (photos held out as in
//! `retouch train-estimator`). `cargo run --release -p retouch-train --example
//! backbone_ablation [PHOTO_DIR]`; samples are cached in $TMPDIR/estimator-samples-*.bin.

use retouch_finish::correction::{Correction, PARAMS};
use retouch_model::estimate::{Backbone, Estimator, FULL};
use retouch_train::config::{expand_home, TrainConfig};
use retouch_train::estimator::{hold_out, rmse, samples, Sample, DRAWS, HOLD_EVERY};
use std::io::{Read, Write};

fn cached(name: &str, make: impl FnOnce() -> Vec<Sample>) -> std::io::Result<Vec<Sample>> {
    let path = std::env::temp_dir().join(format!("estimator-samples-{name}.bin"));
    if let Ok(mut f) = std::fs::File::open(&path) {
        let mut raw = Vec::new();
        f.read_to_end(&mut raw)?;
        let vals: Vec<f32> = raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        return Ok(vals
            .chunks_exact(FULL + PARAMS)
            .map(|r| {
                let mut c = [0f32; PARAMS];
                c.copy_from_slice(&r[FULL..]);
                (r[..FULL].to_vec(), Correction::from_vec(c))
            })
            .collect());
    }
    let s = make();
    let mut f = std::fs::File::create(&path)?;
    for (x, c) in &s {
        for v in x.iter().chain(c.to_vec().iter()) {
            f.write_all(&v.to_le_bytes())?;
        }
    }
    Ok(s)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).map_or_else(
        || expand_home(&TrainConfig::default().data_dir),
        std::path::PathBuf::from,
    );
    let photos: Vec<_> = retouch_data::synth::load_photos(&dir, "train", 256)?
        .into_iter()
        .map(|p| p.1)
        .collect();
    let seed = 17;
    // Held out as in `retouch train-estimator`.
    let (fit_p, held_p) = hold_out(&photos, HOLD_EVERY);
    let fit = cached("fit", || {
        samples(&fit_p, DRAWS, seed, Some(128), true).expect("samples")
    })?;
    let held = cached("held", || {
        samples(&held_p, DRAWS, seed ^ 1, Some(128), true).expect("samples")
    })?;
    println!("{} fitted, {} held out", fit.len(), held.len());
    let mean = |v: [f64; PARAMS]| v.iter().sum::<f64>() / PARAMS as f64;
    // LAMBDAS=.. and SHRINKS=.. (comma separated) override the grid searched.
    let list = |var: &str, default: &[f64]| -> Vec<f64> {
        std::env::var(var).map_or(default.to_vec(), |v| {
            v.split(',').filter_map(|x| x.trim().parse().ok()).collect()
        })
    };
    let lambdas = list("LAMBDAS", &[0.03, 0.1, 0.3]);
    let shrinks = list("SHRINKS", &[0.1, 0.03, 0.01]);
    println!("| backbone | shrink | lambda | held-out mean RMSE | per parameter |");
    println!("|---|---|---|---|---|");
    let report = |b: Backbone, shrink: f64| -> Result<(), Box<dyn std::error::Error>> {
        for (l, e) in lambdas.iter().zip(Estimator::fit_shrunk(
            &fit,
            2,
            b,
            &lambdas,
            shrink,
            String::new(),
        )?) {
            let r = rmse(&e, &held);
            println!("| {b:?} | {shrink} | {l} | {:.4} | {:.3?} |", mean(r), r);
        }
        Ok(())
    };
    report(Backbone::None, 1.0)?;
    for b in [Backbone::Stages, Backbone::Head, Backbone::StagesAndHead] {
        for &shrink in &shrinks {
            report(b, shrink)?;
        }
    }
    Ok(())
}
