//! `retouch train --config FILE --out DIR [--resume]`: train the generator, with a JSONL log,
//! a progress bar, periodic validation and resumable checkpoints; the EMA weights are exported to
//! `DIR/model.safetensors` at every validation and at the end.

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use retouch_train::{TrainConfig, Trainer};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Training configuration (JSON), e.g. configs/retouch.json.
    #[arg(long)]
    pub config: PathBuf,
    /// Output folder: log.jsonl, checkpoint.safetensors, model.safetensors.
    #[arg(long)]
    pub out: PathBuf,
    /// Continue from DIR/checkpoint.safetensors.
    #[arg(long)]
    pub resume: bool,
    /// Stop after this many steps in this invocation (the schedule still follows the config;
    /// resume later to finish).
    #[arg(long)]
    pub max_steps: Option<usize>,
}

pub fn run(a: Args) -> Result<()> {
    let text = std::fs::read_to_string(&a.config)
        .with_context(|| format!("cannot read {}", a.config.display()))?;
    let cfg: TrainConfig = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid training config", a.config.display()))?;
    cfg.validate().map_err(anyhow::Error::msg)?;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let ckpt = a.out.join("checkpoint.safetensors");
    let log_path = a.out.join("log.jsonl");
    if !a.resume && (ckpt.exists() || log_path.exists()) {
        bail!(
            "{} already holds a run; pass --resume to continue it or choose another --out",
            a.out.display()
        );
    }
    if a.resume && !ckpt.exists() {
        bail!("--resume: {} does not exist", ckpt.display());
    }
    eprintln!("loading photos and text encoder...");
    let mut trainer = Trainer::new(cfg.clone(), a.resume.then_some(ckpt.as_path()))?;
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    let val_set = trainer.validation_set();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let stop = a
        .max_steps
        .map_or(cfg.steps, |m| (trainer.step + m).min(cfg.steps));
    let pb = ProgressBar::new(cfg.steps as u64);
    pb.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} [{elapsed_precise} < {eta_precise}] {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_position(trainer.step as u64);
    let started = Instant::now();
    let first = trainer.step;
    let export = |trainer: &Trainer, val: Option<&retouch_train::ValReport>| -> Result<()> {
        let mut meta = BTreeMap::new();
        meta.insert("steps".into(), trainer.step.to_string());
        meta.insert("config".into(), serde_json::to_string(&trainer.cfg)?);
        meta.insert("command".into(), command.clone());
        if let Some(v) = val {
            meta.insert("validation".into(), serde_json::to_string(v)?);
        }
        trainer
            .export(meta)?
            .write(&a.out.join("model.safetensors"), true)?;
        Ok(())
    };
    let mut last_val = None;
    while trainer.step < stop {
        let r = trainer.train_step()?;
        let done = trainer.step - first;
        let rate = done as f64 * cfg.batch as f64 / started.elapsed().as_secs_f64();
        pb.set_position(trainer.step as u64);
        pb.set_message(format!(
            "loss {:.4} | {:.1} samples/s | {:.0} ms/step",
            r.loss, rate, r.step_ms
        ));
        if trainer.step % cfg.log_every == 0 || trainer.step == stop {
            writeln!(
                log,
                "{}",
                json!({"step": r.step, "lr": r.lr, "loss": r.loss, "terms": r.terms,
                       "grad_norm": r.grad_norm, "step_ms": r.step_ms, "data_ms": r.data_ms,
                       "text_ms": r.text_ms, "forward_ms": r.forward_ms, "backward_ms": r.backward_ms, "samples_per_s": rate,
                       "elapsed_s": started.elapsed().as_secs_f64()})
            )?;
        }
        let end = trainer.step == stop;
        if trainer.step % cfg.validate_every == 0 || end {
            pb.set_message("validating...");
            let v = trainer.validate(&val_set)?;
            writeln!(log, "{}", json!({"step": trainer.step, "validation": v}))?;
            pb.println(format!(
                "step {}: PSNR {:.2} dB (restore {:.2}, identity {:.2}), ΔE00 {:.2}, direction {:.1}% (held-out wording {:.1}%), fidelity SSIM {:.4}",
                v.step, v.psnr, v.psnr_restore, v.psnr_identity, v.ciede2000,
                100.0 * v.direction_accuracy, 100.0 * v.direction_accuracy_heldout, v.fidelity_ssim
            ));
            export(&trainer, Some(&v))?;
            last_val = Some(v);
        }
        if trainer.step % cfg.checkpoint_every == 0 || end {
            trainer.save_checkpoint(&ckpt)?;
        }
    }
    pb.finish();
    if last_val.is_none() {
        export(&trainer, None)?;
    }
    eprintln!(
        "step {} of {}; model: {}",
        trainer.step,
        cfg.steps,
        a.out.join("model.safetensors").display()
    );
    Ok(())
}
