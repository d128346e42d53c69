//! `retouch bench [--json]`: slice-and-apply speed, u8 RGB in/out, 16x16x8 grid, with a plain
//! memcpy of the same image in the same run as the floor.

use crate::apply::parse_kernel;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use retouch_engine::benchdata::{test_grid, test_image, SIZES};
use retouch_engine::{slice_apply_with, ApplyParams, GuideMap, ImageMut, ImageRef};
use retouch_eval::runtime::{median, EditRow, TextRow};
use serde::Serialize;
use std::io::IsTerminal;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Timed runs per size (the median is reported).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Slice kernel: auto, reference, portable, avx2, avx512.
    #[arg(long, default_value = "auto")]
    pub kernel: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also time `retouch edit`'s stages (text, network, slice) with a model (default: the
    /// shipped one) at every size.
    #[arg(long)]
    pub edit: bool,
    /// Model file for --edit.
    #[arg(long)]
    pub model: Option<std::path::PathBuf>,
}

/// Median stage timings of text + network + slice (decode and encode excluded), for the
/// whole-photo sentence and for the whole-photo + region one.
fn bench_edit(a: &Args, kernel: retouch_engine::Kernel) -> Result<EditBench> {
    let model = a
        .model
        .clone()
        .unwrap_or_else(retouch_model::default_model_path);
    let t = Instant::now();
    let r = retouch_model::Retoucher::load(&model, &retouch_text::default_dir())?;
    let model_load_ms = t.elapsed().as_secs_f64() * 1e3;
    use retouch_eval::runtime::{
        edit_stages, text_stage, GENERIC_INSTRUCTION, INSTRUCTION, REGION_INSTRUCTION,
    };
    let (reader_load_ms, text) = text_stage(&r, a.runs)?;
    Ok(EditBench {
        model_load_ms,
        reader_load_ms,
        text,
        rows: [
            edit_stages(&r, kernel, a.runs, INSTRUCTION)?,
            edit_stages(&r, kernel, a.runs, REGION_INSTRUCTION)?,
            edit_stages(&r, kernel, a.runs, GENERIC_INSTRUCTION)?,
        ],
    })
}

/// What `--edit` measures.
struct EditBench {
    /// The generator, its guide and MiniLM (`Retoucher::load`).
    model_load_ms: f64,
    /// multilingual-e5-small and the learned reader's head.
    reader_load_ms: f64,
    text: Vec<TextRow>,
    rows: [Vec<EditRow>; 3],
}

#[derive(Serialize)]
struct Row {
    name: &'static str,
    width: usize,
    height: usize,
    median_ms: f64,
    min_ms: f64,
    memcpy_ms: f64,
    ratio_to_memcpy: f64,
    mpix_per_s: f64,
}

#[derive(Serialize)]
struct Report {
    kernel: &'static str,
    threads: usize,
    grid: [usize; 3],
    runs: u32,
    results: Vec<Row>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    edit: Vec<EditRow>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    edit_region: Vec<EditRow>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    edit_generic: Vec<EditRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_load_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reader_load_ms: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    text: Vec<TextRow>,
}

pub fn run(a: Args) -> Result<()> {
    let kernel = parse_kernel(&a.kernel)?;
    let grid = test_grid();
    let guide = GuideMap::luma();
    let pb = if a.json || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(SIZES.len() as u64)
    };
    pb.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut results = Vec::new();
    for (name, w, h) in SIZES {
        pb.set_message(name);
        let src = test_image(w, h);
        let mut dst = vec![0u8; src.len()];
        let params = ApplyParams::default();
        let mut times = Vec::new();
        let mut copies = Vec::new();
        for i in 0..=a.runs {
            let t = Instant::now();
            slice_apply_with(
                kernel,
                &grid,
                &guide,
                ImageRef::new(&src, w, h, 3)?,
                ImageMut::new(&mut dst, w, h, 3)?,
                &params,
            )?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            dst.copy_from_slice(std::hint::black_box(&src));
            let cp = t.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(&dst);
            if i > 0 {
                // run 0 is warm-up
                times.push(ms);
                copies.push(cp);
            }
        }
        let min_ms = times.iter().copied().fold(f64::INFINITY, f64::min);
        let median_ms = median(&mut times);
        let memcpy_ms = median(&mut copies);
        results.push(Row {
            name,
            width: w,
            height: h,
            median_ms,
            min_ms,
            memcpy_ms,
            ratio_to_memcpy: median_ms / memcpy_ms,
            mpix_per_s: (w * h) as f64 / 1e6 / (median_ms / 1e3),
        });
        pb.inc(1);
    }
    pb.finish_and_clear();
    let bench = if a.edit {
        Some(bench_edit(&a, kernel)?)
    } else {
        None
    };
    let (model_load_ms, reader_load_ms, text, [edit, edit_region, edit_generic]) = match bench {
        Some(b) => (
            Some(b.model_load_ms),
            Some(b.reader_load_ms),
            b.text,
            b.rows,
        ),
        None => (None, None, Vec::new(), Default::default()),
    };
    let report = Report {
        kernel: kernel.name(),
        threads: retouch_engine::threads(),
        grid: [16, 16, 8],
        runs: a.runs,
        results,
        edit,
        edit_region,
        edit_generic,
        model_load_ms,
        reader_load_ms,
        text,
    };
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        outln!(
            "slice-and-apply, u8 RGB, 16x16x8 grid, kernel {}, {} threads, median of {} runs",
            report.kernel,
            report.threads,
            report.runs
        );
        outln!("| size | pixels | median ms | min ms | Mpix/s | memcpy ms | ratio |");
        outln!("|---|---|---|---|---|---|---|");
        for r in &report.results {
            outln!(
                "| {} | {}x{} | {:.2} | {:.2} | {:.0} | {:.2} | {:.1}x |",
                r.name,
                r.width,
                r.height,
                r.median_ms,
                r.min_ms,
                r.mpix_per_s,
                r.memcpy_ms,
                r.ratio_to_memcpy
            );
        }
        use retouch_eval::runtime::{GENERIC_INSTRUCTION, INSTRUCTION, REGION_INSTRUCTION};
        let mut tables = String::new();
        for (sentence, rows) in [
            (INSTRUCTION, &report.edit),
            (REGION_INSTRUCTION, &report.edit_region),
            (GENERIC_INSTRUCTION, &report.edit_generic),
        ] {
            retouch_eval::report::stage_table(
                &mut tables,
                &format!(
                    "retouch edit \"{sentence}\" stages (decode/encode excluded), u8 RGB, median of {} runs",
                    report.runs
                ),
                rows,
            );
        }
        out!("{tables}");
        if let (Some(m), Some(l)) = (report.model_load_ms, report.reader_load_ms) {
            outln!(
                "\ntext stage (reading, learned reader where the rules leave a clause, MiniLM), median of {} runs; load: model + MiniLM {m:.0} ms, multilingual-e5 + reader {l:.0} ms",
                report.runs
            );
            outln!(
                "| sentence | tokens | clauses read by the learned reader | median ms | min ms |"
            );
            outln!("|---|---|---|---|---|");
            for r in &report.text {
                outln!(
                    "| {} | {} | {} | {:.1} | {:.1} |",
                    r.sentence,
                    r.tokens,
                    r.learned_clauses,
                    r.text_ms,
                    r.min_ms
                );
            }
        }
    }
    Ok(())
}
