//! `retouch apply INPUT (--grid GRID | --edit EDIT) -o OUTPUT [--strength S] [--mask M]`

use crate::progress::Stages;
use anyhow::{bail, Context, Result};
use retouch_engine::{GridFile, GuideMap, ImageMut, ImageRef, Kernel, Mask, Sample};
use retouch_io::{Photo, Pixels, ReadOptions, WriteOptions};
use retouch_model::{apply_edits, Edit};
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
    let v = m.pixels.to_unit_f32();
    let luma = v
        .chunks(m.channels)
        .map(|p| 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2])
        .collect();
    Ok(Mask::new(m.width, m.height, luma)?)
}

fn edit_typed<T: Sample + Default>(
    kernel: Kernel,
    edits: &[Edit],
    guide: &GuideMap,
    src: &[T],
    p: &Photo,
    strength: f32,
    mask: Option<&Mask>,
) -> Result<Vec<T>> {
    let mut out = vec![T::default(); src.len()];
    apply_edits(
        kernel,
        edits,
        guide,
        ImageRef::new(src, p.width, p.height, p.channels)?,
        ImageMut::new(&mut out, p.width, p.height, p.channels)?,
        strength,
        mask,
    )?;
    Ok(out)
}

/// Apply grids to a decoded photo, whatever its sample type (`retouch_model::apply_edits`:
/// one after another, each inside its region and the user's mask).
pub fn edit_photo(
    kernel: Kernel,
    edits: &[Edit],
    guide: &GuideMap,
    photo: &Photo,
    strength: f32,
    mask: Option<&Mask>,
) -> Result<Pixels> {
    Ok(match &photo.pixels {
        Pixels::U8(v) => Pixels::U8(edit_typed(kernel, edits, guide, v, photo, strength, mask)?),
        Pixels::U16(v) => Pixels::U16(edit_typed(kernel, edits, guide, v, photo, strength, mask)?),
        Pixels::F32(v) => Pixels::F32(edit_typed(kernel, edits, guide, v, photo, strength, mask)?),
    })
}

pub fn run(a: Args) -> Result<()> {
    let t0 = Instant::now();
    if !a.strength.is_finite() {
        bail!("--strength must be a finite number");
    }
    let kernel = parse_kernel(&a.out.kernel)?;
    retouch_io::OutFormat::from_path(&a.output)?;
    // Refuse early, before any work, if the output would clobber something.
    retouch_io::check_destination(&a.output, Some(&a.input), a.out.overwrite)?;
    let stages = Stages::new(a.json);
    let ropts = ReadOptions {
        max_pixels: a.out.max_pixels,
        strict: a.out.strict,
    };

    stages.stage("decoding");
    let photo = retouch_io::read(&a.input, &ropts)?;
    let t_decode = t0.elapsed();

    stages.stage("loading grid");
    let mask = a
        .mask
        .as_deref()
        .map(|m| load_mask(m, &ropts))
        .transpose()?;
    let (edits, guide) = match (&a.grid, &a.edit) {
        (Some(g), _) => {
            let gf = load_grid(g)?;
            let edit = Edit {
                grid: gf.grid,
                region: None,
                source: retouch_model::Source::Network,
            };
            (vec![edit], gf.guide)
        }
        (None, Some(e)) => {
            let ef = crate::lut::load_edit(e)?;
            let (w, h, c) = (photo.width, photo.height, photo.channels);
            let edits = match &photo.pixels {
                Pixels::U8(v) => ef.edits_for(v, w, h, c)?,
                Pixels::U16(v) => ef.edits_for(v, w, h, c)?,
                Pixels::F32(v) => ef.edits_for(v, w, h, c)?,
            };
            (edits, ef.guide)
        }
        (None, None) => bail!("give a grid file (--grid) or an edit file (--edit)"),
    };
    let t_load = t0.elapsed();

    stages.stage("applying");
    let pixels = edit_photo(kernel, &edits, &guide, &photo, a.strength, mask.as_ref())?;
    let t_slice = t0.elapsed();

    stages.stage("encoding");
    // The output keeps the input's size, depth and metadata (moved, not copied).
    let out = Photo { pixels, ..photo };
    let mut warnings: Vec<String> = out
        .damage
        .iter()
        .map(|d| format!("{}: {d}", a.input.display()))
        .collect();
    warnings.extend(retouch_io::write(
        &out,
        &a.output,
        Some(&a.input),
        &a.out.write_options(),
    )?);
    let t_end = t0.elapsed();
    stages.finish();

    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    if a.json {
        let grids: Vec<[usize; 3]> = edits
            .iter()
            .map(|e| {
                let (gh, gw, gd) = e.grid.dims();
                [gh, gw, gd]
            })
            .collect();
        let regions: Vec<&str> = edits
            .iter()
            .filter_map(|e| e.region.as_ref().map(|r| r.0.name()))
            .collect();
        let report = json!({
            "input": a.input,
            "output": a.output,
            "width": out.width,
            "height": out.height,
            "channels": out.channels,
            "bit_depth": out.pixels.bit_depth(),
            "grids": grids,
            "regions": regions,
            "strength": a.strength,
            "mask": a.mask,
            "kernel": kernel.name(),
            "timings_ms": {
                "decode": ms(t_decode),
                "load_grid_mask": ms(t_load - t_decode),
                // With an edit file this includes finding its regions in the photo.
                "slice": ms(t_slice - t_load),
                "encode_write": ms(t_end - t_slice),
                "total": ms(t_end),
            },
            "warnings": warnings,
        });
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        eprintln!(
            "wrote {} ({}x{}, slice {:.1} ms, total {:.1} ms)",
            a.output.display(),
            out.width,
            out.height,
            ms(t_slice - t_load),
            ms(t_end)
        );
    }
    Ok(())
}
