//! `retouch edit INPUT "INSTRUCTION" -o OUTPUT [--strength S] [--mask MASK] [--json]` and
//! `retouch batch JOBS.jsonl`: the model predicts a grid from a thumbnail and the instruction;
//! the engine applies it at full resolution.

use crate::apply::{edit_photo, load_mask, parse_kernel, OutputArgs};
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use retouch_engine::Kernel;
use retouch_io::{Photo, Pixels, ReadOptions};
use retouch_model::Retoucher;
use serde::Deserialize;
use serde_json::{json, Value};
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
    /// One job per line: {"input", "instruction", "output", "strength"?, "mask"?}.
    pub jobs: PathBuf,
    /// Print one JSON report per job on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Job {
    input: PathBuf,
    instruction: String,
    output: PathBuf,
    #[serde(default = "one")]
    strength: f32,
    #[serde(default)]
    mask: Option<PathBuf>,
}

fn one() -> f32 {
    1.0
}

/// Load the model (once).
fn load(m: &ModelArgs) -> Result<(Retoucher, Kernel)> {
    let kernel = parse_kernel(&m.out.kernel)?;
    if m.model.is_none() || m.text_encoder.is_none() {
        // Say where the shipped models were looked for, rather than which file was missing.
        retouch_locate::models_dir()?;
    }
    let model = m
        .model
        .clone()
        .unwrap_or_else(retouch_model::default_model_path);
    let text = m
        .text_encoder
        .clone()
        .unwrap_or_else(retouch_text::default_dir);
    let r = Retoucher::load(&model, &text)
        .with_context(|| format!("cannot load the model {}", model.display()))?;
    Ok((r, kernel))
}

/// An instruction must say something.
fn refuse_empty(instruction: &str) -> Result<()> {
    if instruction.trim().is_empty() {
        bail!("the instruction is empty; say what to change, e.g. \"warmer, lift the shadows\"");
    }
    Ok(())
}

/// What the instruction was read as, and the warnings that implies.
fn understand(enc: &retouch_model::Instruction) -> (Vec<String>, Vec<String>) {
    let m = &enc.matched;
    let mut warnings = crate::read::notes(&enc.reading);
    for c in &m.content_edits {
        warnings.push(format!(
            "\"{c}\" asks to change the content; only colour and tone are edited"
        ));
    }
    for (clause, r) in &enc.readings {
        warnings.push(format!(
            "no known retouching words in \"{clause}\"; read by sentence similarity as {} (nearest phrase \"{}\", cosine {:.2})",
            r.target.label(),
            r.phrase,
            r.similarity
        ));
    }
    let r = &enc.reading;
    if r.generic {
        warnings.push("a generic request: the photo's own corrections are applied".into());
    }
    for a in &m.contradictions {
        warnings.push(format!("{} is asked for in both directions", a.key()));
    }
    let mut unlocalised: Vec<retouch_finish::Region> = m
        .targets
        .iter()
        .filter_map(|(t, _)| t.region)
        .filter(|r| r.mask().is_none())
        .collect();
    unlocalised.dedup();
    for r in unlocalised {
        warnings.push(format!(
            "no mask is known for the region \"{r}\"; that edit applies to the whole photo"
        ));
    }
    (m.labels(), warnings)
}

/// Edit one photo; returns the JSON report (timings in ms, attributes, warnings).
#[allow(clippy::too_many_arguments)]
fn edit_one(
    r: &Retoucher,
    kernel: Kernel,
    m: &ModelArgs,
    input: &Path,
    instruction: &str,
    output: &Path,
    strength: f32,
    mask: Option<&Path>,
    extras: &Extras,
) -> Result<Value> {
    let t0 = Instant::now();
    refuse_empty(instruction)?;
    if !strength.is_finite() {
        bail!("strength must be a finite number");
    }
    retouch_io::OutFormat::from_path(output)?;
    retouch_io::check_destination(output, Some(input), m.out.overwrite)?;
    let ropts = ReadOptions {
        max_pixels: m.out.max_pixels,
        strict: m.out.strict,
    };
    // The photo is decoded while the sentence is read: neither needs the other.
    let (decoded, read) = rayon::join(
        || {
            let t = Instant::now();
            let photo = retouch_io::read(input, &ropts)?;
            let mask = mask.map(|p| load_mask(p, &ropts)).transpose()?;
            Ok::<_, anyhow::Error>(((photo, mask), t.elapsed()))
        },
        || {
            let t = Instant::now();
            Ok::<_, anyhow::Error>((r.encode(instruction)?, t.elapsed()))
        },
    );
    let ((photo, mask), d_decode) = decoded?;
    let (enc, d_text) = read?;
    let t_read = t0.elapsed();
    if enc.asks_nothing() {
        if let Some(why) = crate::read::refusal(&enc.reading) {
            bail!(why);
        }
    }
    let (attributes, mut warnings) = understand(&enc);
    if let Some(d) = &photo.damage {
        warnings.insert(0, format!("{}: {d}", input.display()));
    }
    if enc.encoded.truncated {
        warnings.push(format!(
            "the instruction is longer than {} tokens; the rest was ignored",
            retouch_text::MAX_TOKENS
        ));
    }
    let (w, h, c) = (photo.width, photo.height, photo.channels);
    let edits = match &photo.pixels {
        Pixels::U8(v) => r.predict_edits(v, w, h, c, &enc)?,
        Pixels::U16(v) => r.predict_edits(v, w, h, c, &enc)?,
        Pixels::F32(v) => r.predict_edits(v, w, h, c, &enc)?,
    };
    let regions: Vec<&str> = edits
        .iter()
        .filter_map(|e| e.region.as_ref().map(|r| r.0.name()))
        .collect();
    for (region, mask) in edits.iter().filter_map(|e| e.region.as_ref()) {
        let coverage = mask.data.iter().sum::<f32>() / mask.data.len().max(1) as f32;
        if retouch_model::regions::needs_people(*region)
            && coverage.min(1.0 - coverage) < retouch_model::people::MIN_COVERAGE
        {
            warnings.push(format!(
                "no person was found in the photo, so the edit for \"{region}\" changes {}",
                if coverage < 0.5 {
                    "nothing"
                } else {
                    "the whole photo"
                }
            ));
        }
    }
    // What each network pass was told, when the instruction was split into passes.
    let passes: Vec<Value> = edits
        .iter()
        .enumerate()
        .map(|(i, e)| {
            json!({
                "region": e.region.as_ref().map(|r| r.0.name()),
                "text": match enc.pass_texts.get(i) {
                    Some(Some((t, _))) => t.as_str(),
                    _ => instruction,
                },
            })
        })
        .collect();
    let t_net = t0.elapsed();

    let pixels = edit_photo(kernel, &edits, r.guide(), &photo, strength, mask.as_ref())?;
    let t_slice = t0.elapsed();

    if extras.save_edit.is_some() || extras.cube.is_some() {
        let provenance = std::collections::BTreeMap::from([
            (
                "program".to_string(),
                format!("retouch {}", env!("CARGO_PKG_VERSION")),
            ),
            (
                "model".to_string(),
                m.model
                    .clone()
                    .unwrap_or_else(retouch_model::default_model_path)
                    .display()
                    .to_string(),
            ),
            ("photo".to_string(), input.display().to_string()),
        ]);
        let ef = retouch_model::edit_file::EditFile::new(
            &edits,
            r.guide(),
            instruction,
            &enc.reading,
            provenance,
        );
        if let Some(p) = extras.save_edit {
            retouch_io::write_atomic(p, &ef.to_bytes()?, m.out.overwrite)?;
        }
        if let Some(p) = extras.cube {
            warnings.extend(crate::lut::write_lut(
                &ef,
                p,
                33,
                strength,
                m.out.overwrite,
            )?);
        }
    }

    let (width, height) = (photo.width, photo.height);
    let out = Photo { pixels, ..photo };
    warnings.extend(retouch_io::write(
        &out,
        output,
        Some(input),
        &m.out.write_options(),
    )?);
    let t_end = t0.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    Ok(json!({
        "input": input,
        "output": output,
        "instruction": instruction,
        "width": width,
        "height": height,
        "strength": strength,
        "kernel": kernel.name(),
        "attributes": attributes,
        "understood": enc.reading.summary(),
        "reading": &enc.reading,
        "edits": edits.iter().map(|e| e.source).collect::<Vec<_>>(),
        "regions": regions,
        "passes": passes,
        "timings_ms": {
            // Decode and text run side by side; "read" is the wall time of both.
            "decode": ms(d_decode),
            "text": ms(d_text),
            "read": ms(t_read),
            "network": ms(t_net - t_read),
            "slice": ms(t_slice - t_net),
            "encode": ms(t_end - t_slice),
            "total": ms(t_end),
        },
        "warnings": warnings,
    }))
}

pub fn run_edit(a: EditArgs) -> Result<()> {
    // Refuse before the (slow) model load; edit_one checks again for batch jobs.
    refuse_empty(&a.instruction)?;
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
    let (r, kernel) = load(&a.model)?;
    let report = edit_one(
        &r,
        kernel,
        &a.model,
        &a.input,
        &a.instruction,
        &a.output,
        a.strength,
        a.mask.as_deref(),
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
    let (r, kernel) = load(&a.model)?;
    let pb = ProgressBar::new(lines.len() as u64);
    pb.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} [{elapsed_precise} < {eta_precise}] {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut failed = 0usize;
    for (line, l) in &lines {
        let res = serde_json::from_str::<Job>(l)
            .context(r#"not a job ({"input", "instruction", "output", "strength"?, "mask"?})"#)
            .and_then(|j| {
                pb.set_message(j.input.display().to_string());
                edit_one(
                    &r,
                    kernel,
                    &a.model,
                    &j.input,
                    &j.instruction,
                    &j.output,
                    j.strength,
                    j.mask.as_deref(),
                    &Extras::default(),
                )
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
