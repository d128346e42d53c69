//! PNG charts: a radar of fidelity / following / speed per method (like the paper's Figure 1)
//! and per-attribute direction accuracy bars. Drawn with plotters on an in-memory bitmap
//! (DejaVu Sans embedded, so no system fonts are needed) and returned as PNG bytes.

use crate::methods::Method;
use crate::{EvalError, EvalReport, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};
use std::f64::consts::PI;
use std::sync::Once;

const FONT: &str = "sans-serif";

fn font_ready() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // DejaVu Sans is a valid font; if registration failed, text would be missing, not wrong.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

fn err<E: std::fmt::Display>(e: E) -> EvalError {
    EvalError::Chart(e.to_string())
}

pub fn colour(m: Method) -> RGBColor {
    match m {
        Method::Identity => RGBColor(140, 140, 140),
        Method::InstructionBlind => RGBColor(230, 150, 30),
        Method::GlobalOnly => RGBColor(150, 90, 200),
        Method::RuleBased => RGBColor(40, 160, 80),
        Method::Model => RGBColor(30, 100, 220),
    }
}

fn png(buf: Vec<u8>, w: u32, h: u32) -> Result<Vec<u8>> {
    let img = image::RgbImage::from_raw(w, h, buf).ok_or_else(|| err("bitmap size"))?;
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .map_err(err)?;
    Ok(out)
}

/// The radar's axes: name and a method's score mapped to `[0, 1]` (1 = best).
pub fn radar_axes(r: &EvalReport) -> Vec<(String, Vec<(Method, f64)>)> {
    let clamp = |v: f64| {
        if v.is_finite() {
            v.clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let ms_4k = |m: Method| -> f64 {
        match m {
            Method::Identity => 0.0,
            Method::RuleBased => r.runtime_rule_based.last().map_or(f64::NAN, |x| x.total_ms),
            _ => r.runtime_model.last().map_or(f64::NAN, |x| x.total_ms),
        }
    };
    let axis = |name: &str, f: &dyn Fn(&crate::MethodSummary) -> f64| {
        (
            name.to_string(),
            r.methods.iter().map(|m| (m.method, clamp(f(m)))).collect(),
        )
    };
    vec![
        axis("Fidelity: SSIM 0.9 → 1", &|m| (m.ssim - 0.9) / 0.1),
        axis("Structure: GMSD 0.1 → 0", &|m| 1.0 - m.gmsd / 0.1),
        axis("Direction accuracy", &|m| m.direction.rate),
        axis("No leakage", &|m| 1.0 - m.leakage.rate),
        axis("To target: PSNR 20 → 40 dB", &|m| (m.psnr - 20.0) / 20.0),
        axis("Speed at 4K: 10 s → 10 ms", &|m| {
            let t = ms_4k(m.method);
            if t <= 10.0 {
                1.0
            } else {
                (10_000.0 / t).log10() / 3.0
            }
        }),
    ]
}

/// The radar chart (1100 x 760 PNG).
pub fn radar(r: &EvalReport) -> Result<Vec<u8>> {
    font_ready();
    let (w, h) = (1100u32, 760u32);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let axes = radar_axes(r);
        let (cx, cy, rad) = (560.0, 400.0, 270.0);
        let n = axes.len();
        let at = |i: usize, v: f64| -> (i32, i32) {
            let a = -PI / 2.0 + 2.0 * PI * i as f64 / n as f64;
            (
                (cx + rad * v * a.cos()) as i32,
                (cy + rad * v * a.sin()) as i32,
            )
        };
        let grey = RGBColor(210, 210, 210);
        for ring in [0.25, 0.5, 0.75, 1.0] {
            let mut pts: Vec<(i32, i32)> = (0..n).map(|i| at(i, ring)).collect();
            pts.push(pts[0]);
            root.draw(&PathElement::new(pts, grey.stroke_width(1)))
                .map_err(err)?;
        }
        let label = (FONT, 16).into_font().color(&BLACK);
        for (i, (name, _)) in axes.iter().enumerate() {
            root.draw(&PathElement::new(vec![at(i, 0.0), at(i, 1.0)], grey))
                .map_err(err)?;
            let (x, y) = at(i, 1.13);
            let pos = Pos::new(
                if x < cx as i32 - 20 {
                    HPos::Right
                } else if x > cx as i32 + 20 {
                    HPos::Left
                } else {
                    HPos::Center
                },
                VPos::Center,
            );
            root.draw(&Text::new(name.clone(), (x, y), label.pos(pos)))
                .map_err(err)?;
        }
        for (k, m) in r.methods.iter().enumerate() {
            let c = colour(m.method);
            let mut pts: Vec<(i32, i32)> = axes
                .iter()
                .enumerate()
                .map(|(i, (_, v))| at(i, v[k].1))
                .collect();
            root.draw(&Polygon::new(pts.clone(), c.mix(0.08)))
                .map_err(err)?;
            pts.push(pts[0]);
            root.draw(&PathElement::new(pts, c.stroke_width(3)))
                .map_err(err)?;
            // Legend.
            let (lx, ly) = (20, 20 + 24 * k as i32);
            root.draw(&Rectangle::new([(lx, ly), (lx + 18, ly + 14)], c.filled()))
                .map_err(err)?;
            root.draw(&Text::new(
                m.name.to_string(),
                (lx + 26, ly),
                (FONT, 16).into_font(),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    png(buf, w, h)
}

/// Per-attribute direction accuracy, one bar per method (1200 x 560 PNG).
pub fn attributes(r: &EvalReport) -> Result<Vec<u8>> {
    font_ready();
    let (w, h) = (1200u32, 560u32);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut groups: Vec<String> = r
            .methods
            .iter()
            .flat_map(|m| m.by_attribute.keys().cloned())
            .collect();
        groups.sort();
        groups.dedup();
        let (left, right, top, bottom) = (70i32, 20i32, 60i32, 470i32);
        let plot_w = (w as i32 - left - right) as f64;
        let y_of = |v: f64| bottom - ((bottom - top) as f64 * v.clamp(0.0, 1.0)) as i32;
        let small = (FONT, 14).into_font().color(&BLACK);
        root.draw(&Text::new(
            "Direction accuracy by requested attribute",
            (left, 15),
            (FONT, 20).into_font(),
        ))
        .map_err(err)?;
        for t in 0..=4 {
            let v = t as f64 / 4.0;
            let y = y_of(v);
            root.draw(&PathElement::new(
                vec![(left, y), (w as i32 - right, y)],
                RGBColor(225, 225, 225),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                format!("{:.0}%", 100.0 * v),
                (left - 8, y),
                small.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
        }
        let gw = plot_w / groups.len().max(1) as f64;
        let nm = r.methods.len().max(1) as f64;
        for (gi, g) in groups.iter().enumerate() {
            let x0 = left as f64 + gi as f64 * gw;
            let n = r
                .methods
                .iter()
                .find_map(|m| m.by_attribute.get(g))
                .map_or(0, |c| c.n);
            for (k, m) in r.methods.iter().enumerate() {
                let Some(c) = m.by_attribute.get(g) else {
                    continue;
                };
                let bw = gw * 0.8 / nm;
                let bx = x0 + gw * 0.1 + k as f64 * bw;
                let v = if c.rate.is_finite() { c.rate } else { 0.0 };
                root.draw(&Rectangle::new(
                    [(bx as i32, y_of(v)), ((bx + bw) as i32 - 1, bottom)],
                    colour(m.method).filled(),
                ))
                .map_err(err)?;
            }
            root.draw(&Text::new(
                g.clone(),
                ((x0 + gw / 2.0) as i32, bottom + 8),
                small.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                format!("n={n}"),
                ((x0 + gw / 2.0) as i32, bottom + 26),
                small.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
        }
        for (k, m) in r.methods.iter().enumerate() {
            let lx = left + 10 + 225 * k as i32;
            let ly = h as i32 - 36;
            root.draw(&Rectangle::new(
                [(lx, ly), (lx + 16, ly + 14)],
                colour(m.method).filled(),
            ))
            .map_err(err)?;
            root.draw(&Text::new(m.name.to_string(), (lx + 22, ly), small.clone()))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    png(buf, w, h)
}
