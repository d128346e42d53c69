//! Identity preservation on portraits (the paper's §4.2.3 and Figure 5): does an edit leave
//! the person recognisable? Each face the detector is sure of (MediaPipe's BlazeFace, score
//! at least [`PORTRAIT_SCORE`], at least [`MIN_FACE_PX`] wide) is aligned once on the input
//! photo; the same chip is cut from each method's output, and dlib's face descriptor of the
//! two is compared: cosine similarity (the paper's measure) and whether dlib would still call
//! them one person (distance below 0.6).

use crate::methods::{self, Method};
use crate::{EvalError, Result};
use retouch_finish::Image;
use retouch_model::Retoucher;
use retouch_vision::face::{chip, embed, Descriptor, Face, FaceDetector, FaceEmbedder};
use serde::Serialize;

/// Faces scored below this are not used (at 0.85 the detector's finds on the project's
/// photos are all people, painted ones included; below it, animals and carvings appear).
pub const PORTRAIT_SCORE: f32 = 0.85;
/// Faces narrower than this (pixels, at the size the photos are given) are not used.
pub const MIN_FACE_PX: f32 = 40.0;

/// What is asked of each portrait: edits people make to photos of people, whole-photo and
/// regional, mild and strong.
pub const INSTRUCTIONS: [&str; 8] = [
    "make it warmer",
    "brighten the person",
    "more contrast",
    "make it look cinematic",
    "moody and dark",
    "enhance",
    "make the colours pop",
    "black and white",
];

/// The methods compared (the input itself scores 1 by definition and is not a row).
pub const METHODS: [Method; 2] = [Method::RuleBased, Method::Model];

/// A photo with the faces the benchmark uses.
#[derive(Clone, Debug)]
pub struct Portrait {
    pub name: String,
    pub image: Image,
    pub faces: Vec<Face>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub method: String,
    /// Faces x instructions.
    pub cases: usize,
    pub mean_cosine: f64,
    pub min_cosine: f64,
    /// Share of cases dlib still calls the same person.
    pub same_person: f64,
    pub mean_distance: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct IdentitySummary {
    pub photos: usize,
    pub faces: usize,
    /// Each portrait's name and how many of its faces are used.
    pub portraits: Vec<(String, usize)>,
    pub instructions: usize,
    pub rows: Vec<Row>,
    /// The model's mean cosine per instruction.
    pub model_by_instruction: Vec<(String, f64)>,
}

fn vision(e: retouch_vision::VisionError) -> EvalError {
    EvalError::Other(format!("face models: {e}"))
}

/// The photos among `photos` with at least one usable face, and those faces.
pub fn portraits(photos: Vec<(String, Image)>) -> Result<Vec<Portrait>> {
    let detector = FaceDetector::load_default().map_err(vision)?;
    let mut out = Vec::new();
    for (name, image) in photos {
        let faces: Vec<Face> = detector
            .find(&image.data, image.width, image.height)
            .map_err(vision)?
            .into_iter()
            .filter(|f| f.score >= PORTRAIT_SCORE && f.bbox[2] * image.width as f32 >= MIN_FACE_PX)
            .collect();
        if !faces.is_empty() {
            out.push(Portrait { name, image, faces });
        }
    }
    Ok(out)
}

/// Every method on every portrait and instruction.
pub fn run(
    r: &Retoucher,
    portraits: &[Portrait],
    tick: &mut dyn FnMut(),
) -> Result<IdentitySummary> {
    let embedder = FaceEmbedder::load_default().map_err(vision)?;
    let describe = |img: &[f32], p: &Portrait, f: &Face| -> Result<Descriptor> {
        embedder
            .embed(&chip(img, p.image.width, p.image.height, f))
            .map_err(vision)
    };
    let encoded = INSTRUCTIONS
        .iter()
        .map(|q| r.encode(q))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    // (method, instruction, cosine, distance) per face.
    let mut results: Vec<(Method, usize, f64, f64)> = Vec::new();
    for p in portraits {
        let before = p
            .faces
            .iter()
            .map(|f| describe(&p.image.data, p, f))
            .collect::<Result<Vec<_>>>()?;
        for (q, (instruction, enc)) in INSTRUCTIONS.iter().zip(&encoded).enumerate() {
            for method in METHODS {
                let out = match method {
                    Method::Model => methods::apply_instruction(r, &p.image, enc)?,
                    other => methods::run(other, r, &p.image, instruction)?,
                };
                for (f, b) in p.faces.iter().zip(&before) {
                    let a = describe(&out, p, f)?;
                    results.push((method, q, b.cosine(&a) as f64, b.distance(&a) as f64));
                }
            }
            tick();
        }
    }
    let rows = METHODS
        .iter()
        .map(|&m| {
            let mine: Vec<&(Method, usize, f64, f64)> =
                results.iter().filter(|r| r.0 == m).collect();
            let n = mine.len().max(1) as f64;
            Row {
                method: m.name().to_string(),
                cases: mine.len(),
                mean_cosine: mine.iter().map(|r| r.2).sum::<f64>() / n,
                min_cosine: mine.iter().map(|r| r.2).fold(f64::INFINITY, f64::min),
                same_person: mine
                    .iter()
                    .filter(|r| r.3 < f64::from(embed::SAME_PERSON))
                    .count() as f64
                    / n,
                mean_distance: mine.iter().map(|r| r.3).sum::<f64>() / n,
            }
        })
        .collect();
    let model_by_instruction = INSTRUCTIONS
        .iter()
        .enumerate()
        .map(|(q, s)| {
            let c: Vec<f64> = results
                .iter()
                .filter(|r| r.0 == Method::Model && r.1 == q)
                .map(|r| r.2)
                .collect();
            (s.to_string(), c.iter().sum::<f64>() / c.len().max(1) as f64)
        })
        .collect();
    Ok(IdentitySummary {
        photos: portraits.len(),
        faces: portraits.iter().map(|p| p.faces.len()).sum(),
        portraits: portraits
            .iter()
            .map(|p| (p.name.clone(), p.faces.len()))
            .collect(),
        instructions: INSTRUCTIONS.len(),
        rows,
        model_by_instruction,
    })
}

/// The identity rows as Markdown.
pub fn markdown(s: &IdentitySummary) -> String {
    let mut o = format!(
        "\nIdentity on portraits ({} faces in {} photos, each asked {} instructions; \
         `crates/eval/src/identity.rs`): dlib's face descriptor of each face before and after, \
         on the same aligned chip.\n\n\
         | method | cases | mean cosine | min cosine | same person (dlib < 0.6) | mean distance |\n\
         |---|---|---|---|---|---|\n",
        s.faces, s.photos, s.instructions
    );
    for r in &s.rows {
        o += &format!(
            "| {} | {} | {:.4} | {:.4} | {:.0} % | {:.3} |\n",
            r.method,
            r.cases,
            r.mean_cosine,
            r.min_cosine,
            100.0 * r.same_person,
            r.mean_distance
        );
    }
    o += "\nPortraits (faces): ";
    o += &s
        .portraits
        .iter()
        .map(|(n, f)| format!("{n} ({f})"))
        .collect::<Vec<_>>()
        .join(", ");
    o += ".\n\nThe shipped model's mean cosine per instruction: ";
    o += &s
        .model_by_instruction
        .iter()
        .map(|(q, c)| format!("\"{q}\" {c:.4}"))
        .collect::<Vec<_>>()
        .join(", ");
    o += ".\n";
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_markdown_shows_every_row() {
        let s = IdentitySummary {
            photos: 2,
            faces: 3,
            portraits: vec![("a".into(), 2), ("b".into(), 1)],
            instructions: INSTRUCTIONS.len(),
            rows: vec![Row {
                method: "m".into(),
                cases: 24,
                mean_cosine: 0.99,
                min_cosine: 0.9,
                same_person: 1.0,
                mean_distance: 0.1,
            }],
            model_by_instruction: vec![("make it warmer".into(), 0.995)],
        };
        let md = markdown(&s);
        assert!(
            md.contains("| m | 24 | 0.9900 | 0.9000 | 100 % | 0.100 |"),
            "{md}"
        );
        assert!(md.contains("\"make it warmer\" 0.9950"), "{md}");
        assert!(md.contains("3 faces in 2 photos"), "{md}");
        assert!(md.contains("a (2), b (1)"), "{md}");
    }
}
