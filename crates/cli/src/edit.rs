//! `retouch edit INPUT "INSTRUCTION" -o OUTPUT [--strength S] [--mask MASK] [--json]` and
//! `retouch batch JOBS.jsonl`: the model predicts a grid from a thumbnail and the instruction;
//! the engine applies it at full resolution.

use crate::apply::{apply_to_file, load_mask, parse_kernel, ApplyJob, OutputArgs, Recipe};
use crate::progress::Stages;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use retouch_finish::Region;
use retouch_io::ReadOptions;
use retouch_model::edit_file::EditFile;
use retouch_service::understand::check_instruction;
use retouch_service::{ModelPaths, Service};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options shared by `edit` and `batch`.
#[derive(clap::Args, Clone)]
pub struct ModelArgs {
    /// Model file (default: the shipped models/retouch/model.safetensors).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Text encoder folder (default: the shipped models/text-encoder).
    #[arg(long)]
    pub text_encoder: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(clap::Args)]
pub struct EditArgs {
    /// Photo to retouch (JPEG, PNG, TIFF, WebP).
    pub input: PathBuf,
    /// What to do, in plain English ("warmer, lift the shadows"); slider settings such as
    /// "-1 EV" are taken as the instruction, not as options.
    #[arg(allow_hyphen_values = true)]
    pub instruction: String,
    /// Output path (.jpg, .png, .tif); the format follows the extension.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Edit strength: 0 returns the input, 1 the model's edit, >1 exaggerates, <0 inverts.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub strength: f32,
    /// Soft mask (any image, any size; white = full edit, black = none).
    #[arg(long)]
    pub mask: Option<PathBuf>,
    /// Restrict the instruction's changes to a region found in the photo (sky, person,
    /// background, skin, greens, top, bottom, left, right, center).
    #[arg(long)]
    pub region: Option<Region>,
    /// Print stage timings and the matched attributes as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also save the edit as an edit file (.retouch), for `retouch apply --edit` on other
    /// photos and `retouch lut`.
    #[arg(long)]
    pub save_edit: Option<PathBuf>,
    /// Also write the edit's whole-photo part as a 33^3 .cube LUT.
    #[arg(long)]
    pub cube: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Where `edit` also writes the edit (none for batch jobs).
#[derive(Default)]
struct Extras<'a> {
    save_edit: Option<&'a Path>,
    cube: Option<&'a Path>,
}

#[derive(clap::Args)]
pub struct BatchArgs {
    /// One job per line: {"input", "instruction", "output", "strength"?, "mask"?}, or with
    /// "edit": an edit file (`--save-edit`) instead of "instruction", applied without the
    /// model (the model is loaded only when a job has an instruction).
    pub jobs: PathBuf,
    /// Print one JSON report per job on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// One photo to retouch (a line of a batch file, or `retouch edit`'s arguments): with an
/// instruction for the model, or an edit file to apply.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Job {
    input: PathBuf,
    #[serde(default)]
    instruction: Option<String>,
    #[serde(default)]
    edit: Option<PathBuf>,
    output: PathBuf,
    #[serde(default = "one")]
    strength: f32,
    #[serde(default)]
    mask: Option<PathBuf>,
    #[serde(default)]
    region: Option<Region>,
}

const JOB_SHAPE: &str = r#"{"input", "instruction" or "edit", "output", "strength"?, "mask"?}"#;

fn parse_job(l: &str) -> Result<Job> {
    let j: Job = serde_json::from_str(l).with_context(|| format!("not a job ({JOB_SHAPE})"))?;
    match (&j.instruction, &j.edit) {
        (Some(_), Some(_)) => bail!("a job has an \"instruction\" or an \"edit\", not both"),
        (None, None) => bail!("a job needs an \"instruction\" or an \"edit\" ({JOB_SHAPE})"),
        _ => Ok(j),
    }
}

fn one() -> f32 {
    1.0
}

/// Load the model (once).
fn load(m: &ModelArgs) -> Result<Service> {
    let kernel = parse_kernel(&m.out.kernel)?;
    let paths = ModelPaths {
        model: m.model.clone(),
        text_encoder: m.text_encoder.clone(),
    };
    Ok(Service::load(&paths, kernel)?)
}

/// Edit one photo as `instruction` says; returns the JSON report (timings in ms, attributes,
/// warnings).
fn edit_one(
    svc: &Service,
    m: &ModelArgs,
    job: &Job,
    instruction: &str,
    extras: &Extras,
) -> Result<Value> {
    let t0 = Instant::now();
    let (input, output) = (job.input.as_path(), job.output.as_path());
    check_instruction(instruction)?;
    retouch_service::check_strength(job.strength)?;
    retouch_io::OutFormat::from_path(output)?;
    retouch_io::check_destination(output, Some(input), m.out.overwrite)?;
    let ropts = ReadOptions {
        max_pixels: m.out.max_pixels,
        strict: m.out.strict,
    };
    // The photo is decoded while the sentence is read: neither needs the other.
    let (decoded, understood) = rayon::join(
        || {
            let t = Instant::now();
            let photo = retouch_io::read(input, &ropts)?;
            let mask = job
                .mask
                .as_deref()
                .map(|p| load_mask(p, &ropts))
                .transpose()?;
            Ok::<_, anyhow::Error>(((photo, mask), t.elapsed()))
        },
        || svc.understand_in(instruction, job.region),
    );
    let ((photo, mask), d_decode) = decoded?;
    let understood = understood?;
    let t_read = t0.elapsed();
    let name = input.display().to_string();
    let mut edited = svc.edit(photo, &understood, job.strength, mask.as_ref(), &name)?;
    let t_edit = t0.elapsed();

    if extras.save_edit.is_some() || extras.cube.is_some() {
        let ef = svc.edit_file(
            &edited.edits,
            &edited.report,
            [("photo".to_string(), name.clone())],
        );
        if let Some(p) = extras.save_edit {
            retouch_io::write_atomic(p, &ef.to_bytes()?, m.out.overwrite)?;
        }
        if let Some(p) = extras.cube {
            let warnings = crate::lut::write_lut(&ef, p, 33, job.strength, m.out.overwrite)?;
            edited.report.warnings.extend(warnings);
        }
    }
    let written = retouch_io::write(&edited.photo, output, Some(input), &m.out.write_options())?;
    edited.report.warnings.extend(written);
    let t_end = t0.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    let t = edited.report.timings_ms;
    let mut report = serde_json::to_value(&edited.report)?;
    report["input"] = json!(input);
    report["output"] = json!(output);
    report["timings_ms"] = json!({
        // Decode and text run side by side; "read" is the wall time of both.
        "decode": ms(d_decode),
        "text": t.text,
        "read": ms(t_read),
        "network": t.network,
        "slice": t.slice,
        "explain": t.explain,
        "encode": ms(t_end - t_edit),
        "total": ms(t_end),
    });
    Ok(report)
}

pub fn run_edit(a: EditArgs) -> Result<()> {
    // Refuse before the (slow) model load; edit_one checks again for batch jobs.
    check_instruction(&a.instruction)?;
    retouch_io::OutFormat::from_path(&a.output)?;
    retouch_io::check_destination(&a.output, Some(&a.input), a.model.out.overwrite)?;
    for p in [&a.save_edit, &a.cube].into_iter().flatten() {
        if *p == a.output {
            bail!("{} is already the edited photo's path", p.display());
        }
    }
    if let Some(p) = &a.save_edit {
        retouch_io::check_destination(p, Some(&a.input), a.model.out.overwrite)?;
    }
    if let Some(p) = &a.cube {
        crate::lut::check_cube_path(p)?;
        retouch_io::check_destination(p, Some(&a.input), a.model.out.overwrite)?;
    }
    let svc = load(&a.model)?;
    let job = Job {
        input: a.input.clone(),
        instruction: Some(a.instruction.clone()),
        edit: None,
        output: a.output.clone(),
        strength: a.strength,
        mask: a.mask.clone(),
        region: a.region,
    };
    let report = edit_one(
        &svc,
        &a.model,
        &job,
        &a.instruction,
        &Extras {
            save_edit: a.save_edit.as_deref(),
            cube: a.cube.as_deref(),
        },
    )?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for w in report["warnings"].as_array().into_iter().flatten() {
            eprintln!("warning: {}", w.as_str().unwrap_or_default());
        }
        if let Some(w) = report["explained"]["whole"]["words"].as_str() {
            eprintln!("changed: {w}");
        }
        let t = &report["timings_ms"];
        eprintln!(
            "wrote {} ({}x{}; text {:.1} ms, network {:.1} ms, slice {:.1} ms, total {:.0} ms)",
            a.output.display(),
            report["width"],
            report["height"],
            t["text"].as_f64().unwrap_or(0.0),
            t["network"].as_f64().unwrap_or(0.0),
            t["slice"].as_f64().unwrap_or(0.0),
            t["total"].as_f64().unwrap_or(0.0),
        );
    }
    Ok(())
}

pub fn run_batch(a: BatchArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.jobs)
        .with_context(|| format!("cannot read {}", a.jobs.display()))?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect();
    if lines.is_empty() {
        bail!("{} has no jobs", a.jobs.display());
    }
    let jobs: Vec<(usize, Result<Job>)> = lines.iter().map(|(n, l)| (*n, parse_job(l))).collect();
    // The model only when some job needs it.
    let needs_model = jobs
        .iter()
        .any(|(_, j)| j.as_ref().is_ok_and(|j| j.instruction.is_some()));
    let svc = needs_model.then(|| load(&a.model)).transpose()?;
    let mut edit_files: HashMap<PathBuf, EditFile> = HashMap::new();
    let pb = ProgressBar::new(lines.len() as u64);
    pb.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} [{elapsed_precise} < {eta_precise}] {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut failed = 0usize;
    for (line, job) in jobs {
        let res = job.and_then(|j| {
            pb.set_message(j.input.display().to_string());
            match (&j.instruction, &j.edit, &svc) {
                (Some(instruction), _, Some(svc)) => {
                    edit_one(svc, &a.model, &j, instruction, &Extras::default())
                }
                (_, Some(e), _) => {
                    if !edit_files.contains_key(e) {
                        edit_files.insert(e.clone(), crate::lut::load_edit(e)?);
                    }
                    let edit = &edit_files[e];
                    let job = ApplyJob {
                        input: &j.input,
                        output: &j.output,
                        strength: j.strength,
                        mask: j.mask.as_deref(),
                    };
                    apply_to_file(&job, Recipe::Edit(edit), &a.model.out, &Stages::new(true))
                }
                _ => bail!("a job needs an \"instruction\" or an \"edit\""),
            }
        });
        match res {
            Ok(rep) => {
                pb.suspend(|| -> anyhow::Result<()> {
                    if a.json {
                        outln!("{}", json!({"line": line, "ok": true, "report": rep}));
                    } else if let Some(ws) = rep["warnings"].as_array() {
                        // Warnings (a truncated photo, words not understood) are not lost.
                        for w in ws.iter().filter_map(|w| w.as_str()) {
                            eprintln!("warning: {}:{line}: {w}", a.jobs.display());
                        }
                    }
                    Ok(())
                })?;
            }
            Err(e) => {
                failed += 1;
                pb.suspend(|| -> anyhow::Result<()> {
                    eprintln!("error: {}:{line}: {e:#}", a.jobs.display());
                    if a.json {
                        outln!(
                            "{}",
                            json!({"line": line, "ok": false, "error": format!("{e:#}")})
                        );
                    }
                    Ok(())
                })?;
            }
        }
        pb.inc(1);
    }
    pb.finish_and_clear();
    eprintln!(
        "{} of {} jobs done, {failed} failed",
        lines.len() - failed,
        lines.len()
    );
    if failed > 0 {
        bail!("{failed} of {} jobs failed", lines.len());
    }
    Ok(())
}
