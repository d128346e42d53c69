//! `retouch apply INPUT (--grid GRID | --edit EDIT) -o OUTPUT [--strength S] [--mask M]`

use crate::progress::Stages;
use anyhow::{bail, Context, Result};
use retouch_engine::{GridFile, Kernel, Mask};
use retouch_io::{ReadOptions, WriteOptions};
use retouch_model::edit_file::EditFile;
use retouch_service::{apply_edit_file, apply_grid};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Photo to retouch (JPEG, PNG, TIFF, WebP).
    pub input: PathBuf,
    /// Grid file (safetensors) made by `retouch fit` or a model.
    #[arg(long, required_unless_present = "edit", conflicts_with = "edit")]
    pub grid: Option<PathBuf>,
    /// Edit file made by `retouch edit --save-edit`: the same edit on this photo (regions are
    /// found again in it); no model is loaded.
    #[arg(long)]
    pub edit: Option<PathBuf>,
    /// Output path (.jpg, .png, .tif); the format follows the extension.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Edit strength: 0 returns the input, 1 the full edit, >1 exaggerates, <0 inverts.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub strength: f32,
    /// Soft mask (any image, any size; white = full edit, black = none). Luma is used.
    #[arg(long)]
    pub mask: Option<PathBuf>,
    /// Print timings and sizes as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Reading, slicing and writing options shared by `apply`, `edit` and `batch`.
#[derive(clap::Args, Clone)]
pub struct OutputArgs {
    /// Replace outputs that exist (and allow OUTPUT == INPUT).
    #[arg(long)]
    pub overwrite: bool,
    /// JPEG quality (1-100).
    #[arg(long, default_value_t = 92, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
    /// JPEG chroma subsampling: 420 (half-resolution colour, libjpeg's default, smaller) or 444
    /// (full-resolution colour, about a quarter larger).
    #[arg(long, value_enum, default_value_t = Chroma::S420)]
    pub chroma: Chroma,
    /// Write progressive JPEG (a little smaller, slower to write) instead of baseline.
    #[arg(long)]
    pub progressive: bool,
    /// Refuse a damaged file that still decodes (a truncated JPEG) instead of warning.
    #[arg(long)]
    pub strict: bool,
    /// Refuse images with more pixels than this (checked before decoding).
    #[arg(long, default_value_t = retouch_io::DEFAULT_MAX_PIXELS)]
    pub max_pixels: u64,
    /// Slice kernel: auto, reference, portable, avx2, avx512.
    #[arg(long, default_value = "auto")]
    pub kernel: String,
}

/// JPEG chroma subsampling on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chroma {
    #[value(name = "420")]
    S420,
    #[value(name = "444")]
    S444,
}

impl OutputArgs {
    /// The write options these flags ask for.
    pub fn write_options(&self) -> WriteOptions {
        WriteOptions {
            jpeg_quality: self.quality,
            jpeg_sampling: match self.chroma {
                Chroma::S420 => retouch_io::JpegSampling::Yuv420,
                Chroma::S444 => retouch_io::JpegSampling::Yuv444,
            },
            jpeg_progressive: self.progressive,
            overwrite: self.overwrite,
        }
    }
}

pub fn parse_kernel(s: &str) -> Result<Kernel> {
    let k = match s {
        "auto" => Kernel::best(),
        "reference" => Kernel::Reference,
        "portable" => Kernel::Portable,
        "avx2" => Kernel::Avx2,
        "avx512" => Kernel::Avx512,
        other => bail!("unknown kernel `{other}` (auto, reference, portable, avx2, avx512)"),
    };
    if !k.is_supported() {
        bail!("kernel `{s}` is not supported on this CPU");
    }
    Ok(k)
}

pub fn load_grid(path: &Path) -> Result<GridFile> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read grid file {}", path.display()))?;
    GridFile::from_bytes(&bytes)
        .with_context(|| format!("{} is not a valid grid file", path.display()))
}

/// Read a mask image as luma in `[0, 1]`.
pub fn load_mask(path: &Path, opts: &ReadOptions) -> Result<Mask> {
    let m = retouch_io::read(path, opts).context("cannot read mask")?;
    Ok(retouch_service::mask_from_photo(&m)?)
}

/// What `apply` applies.
pub enum Recipe<'a> {
    Grid(Box<GridFile>),
    Edit(&'a EditFile),
}

/// What one apply job is.
pub struct ApplyJob<'a> {
    pub input: &'a Path,
    pub output: &'a Path,
    pub strength: f32,
    pub mask: Option<&'a Path>,
}

/// What can be refused before any file is read: the strength, the kernel, the output's
/// format and whether writing it would clobber something (the input, or an existing file
/// without `--overwrite`). Returns the kernel.
fn check_job(job: &ApplyJob, out: &OutputArgs) -> Result<Kernel> {
    retouch_service::check_strength(job.strength)?;
    let kernel = parse_kernel(&out.kernel)?;
    retouch_io::OutFormat::from_path(job.output)?;
    retouch_io::check_destination(job.output, Some(job.input), out.overwrite)?;
    Ok(kernel)
}

/// Apply a grid or an edit file to a photo file and write the result; returns the JSON
/// report (shared by `apply` and `batch`).
pub fn apply_to_file(
    job: &ApplyJob,
    recipe: Recipe,
    out: &OutputArgs,
    stages: &Stages,
) -> Result<serde_json::Value> {
    let t0 = Instant::now();
    let kernel = check_job(job, out)?;
    let ropts = ReadOptions {
        max_pixels: out.max_pixels,
        strict: out.strict,
    };
    stages.stage("decoding");
    let photo = retouch_io::read(job.input, &ropts)?;
    let t_decode = t0.elapsed();

    stages.stage("loading mask");
    let mask = job.mask.map(|m| load_mask(m, &ropts)).transpose()?;
    let t_load = t0.elapsed();

    stages.stage("applying");
    let name = job.input.display().to_string();
    let (s, m) = (job.strength, mask.as_ref());
    let applied = match recipe {
        Recipe::Grid(g) => apply_grid(kernel, *g, photo, s, m, &name)?,
        Recipe::Edit(e) => apply_edit_file(kernel, e, photo, s, m, &name)?,
    };
    let t_slice = t0.elapsed();

    stages.stage("encoding");
    let mut report = applied.report;
    report.warnings.extend(retouch_io::write(
        &applied.photo,
        job.output,
        Some(job.input),
        &out.write_options(),
    )?);
    let t_end = t0.elapsed();
    stages.finish();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    let mut v = serde_json::to_value(&report)?;
    v["input"] = json!(job.input);
    v["output"] = json!(job.output);
    v["mask"] = json!(job.mask);
    v["timings_ms"] = json!({
        "decode": ms(t_decode),
        "load_mask": ms(t_load - t_decode),
        // With an edit file this includes finding its regions in the photo.
        "slice": ms(t_slice - t_load),
        "encode_write": ms(t_end - t_slice),
        "total": ms(t_end),
    });
    Ok(v)
}

pub fn run(a: Args) -> Result<()> {
    let t0 = Instant::now();
    let job = ApplyJob {
        input: &a.input,
        output: &a.output,
        strength: a.strength,
        mask: a.mask.as_deref(),
    };
    // Refused before the grid or edit file is read.
    check_job(&job, &a.out)?;
    let edit = a.edit.as_deref().map(crate::lut::load_edit).transpose()?;
    let recipe = match (&a.grid, &edit) {
        (Some(g), _) => Recipe::Grid(Box::new(load_grid(g)?)),
        (None, Some(e)) => Recipe::Edit(e),
        (None, None) => bail!("give a grid file (--grid) or an edit file (--edit)"),
    };
    let v = apply_to_file(&job, recipe, &a.out, &Stages::new(a.json))?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for w in v["warnings"].as_array().into_iter().flatten() {
            eprintln!("warning: {}", w.as_str().unwrap_or_default());
        }
        if let Some(w) = v["explained"]["whole"]["words"].as_str() {
            eprintln!("changed: {w}");
        }
        let t = &v["timings_ms"];
        eprintln!(
            "wrote {} ({}x{}, slice {:.1} ms, total {:.1} ms)",
            a.output.display(),
            v["width"],
            v["height"],
            t["slice"].as_f64().unwrap_or(0.0),
            t0.elapsed().as_secs_f64() * 1e3
        );
    }
    Ok(())
}
