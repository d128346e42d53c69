//! The model's edit of one photo: the network's grids for the understood instruction, applied at
//! full resolution inside their regions and the user's mask, with a report of what was done.

use crate::apply::{damage_warning, edit_photo};
use crate::explain::{explain, Explanation};
use crate::{check_strength, Result, Service, Understood};
use retouch_engine::Mask;
use retouch_io::{Photo, Pixels};
use retouch_model::edit_file::EditFile;
use retouch_model::{Edit, Source};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// What one network pass was told.
#[derive(Clone, Debug, Serialize)]
pub struct Pass {
    pub region: Option<&'static str>,
    pub text: String,
}

/// Stage timings in milliseconds.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Timings {
    pub text: f64,
    pub network: f64,
    pub slice: f64,
    /// Measuring what the edit did ([`crate::explain`]).
    pub explain: f64,
}

/// What an edit did, for people and programs.
#[derive(Clone, Debug, Serialize)]
pub struct EditReport {
    pub instruction: String,
    pub width: usize,
    pub height: usize,
    pub strength: f32,
    pub kernel: &'static str,
    /// The matched attributes as `name:direction` labels.
    pub attributes: Vec<String>,
    /// The reading in plain words ("warmer, lift the shadows").
    pub understood: String,
    /// The reading as labels and amounts ("temperature:up +1.00, shadows:up +1.00").
    pub summary: String,
    pub reading: retouch_instruct::Reading,
    /// Where each stage's grid came from, in order.
    pub edits: Vec<Source>,
    /// The regions of the stages that have one, in order.
    pub regions: Vec<&'static str>,
    pub passes: Vec<Pass>,
    pub warnings: Vec<String>,
    /// What the edit did, measured on the photo (none before it is applied).
    pub explained: Option<Explanation>,
    pub timings_ms: Timings,
}

/// An edited photo, the edits that made it and the report.
pub struct Edited {
    /// The edited photo, with the input's size, depth and metadata.
    pub photo: Photo,
    pub edits: Vec<Edit>,
    pub report: EditReport,
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Warnings for regions that need a person where none was found, and for a face asked for
/// where none was found (its edit then follows the skin tones).
fn region_warnings(edits: &[Edit], asked: &retouch_instruct::matcher::Match) -> Vec<String> {
    let mut out = Vec::new();
    let drawn = |r: retouch_finish::Region| {
        edits
            .iter()
            .any(|e| e.region.as_ref().is_some_and(|x| x.0 == r))
    };
    let mut faces: Vec<retouch_finish::Region> = asked
        .targets
        .iter()
        .filter_map(|(t, _)| t.region)
        .filter(|&r| retouch_model::regions::needs_faces(r) && !drawn(r))
        .collect();
    faces.dedup();
    for r in faces {
        out.push(format!(
            "no face was found in the photo, so the edit for \"{r}\" follows the skin tones"
        ));
    }
    for (region, mask) in edits.iter().filter_map(|e| e.region.as_ref()) {
        let coverage = mask.data.iter().sum::<f32>() / mask.data.len().max(1) as f32;
        if retouch_model::regions::needs_people(*region)
            && coverage.min(1.0 - coverage) < retouch_model::people::MIN_COVERAGE
        {
            out.push(format!(
                "no person was found in the photo, so the edit for \"{region}\" changes {}",
                if coverage < 0.5 {
                    "nothing"
                } else {
                    "the whole photo"
                }
            ));
        }
    }
    out
}

/// The regions of the stages that have one.
pub fn region_names(edits: &[Edit]) -> Vec<&'static str> {
    edits
        .iter()
        .filter_map(|e| e.region.as_ref().map(|r| r.0.name()))
        .collect()
}

/// The model's grids for one photo and the report of how they were made (no pixel changed yet).
pub struct Predicted {
    pub edits: Vec<Edit>,
    pub report: EditReport,
}

impl Service {
    /// The model's edit of `photo` for an understood instruction, as grids (each with its
    /// region's mask on this photo), without applying it: what an edit file holds. `name`
    /// names the photo in warnings.
    pub fn predict(&self, photo: &Photo, u: &Understood, name: &str) -> Result<Predicted> {
        let enc = &u.encoded;
        let t0 = Instant::now();
        let r = self.retoucher();
        let (w, h, c) = (photo.width, photo.height, photo.channels);
        let edits = match &photo.pixels {
            Pixels::U8(v) => r.predict_edits(v, w, h, c, enc)?,
            Pixels::U16(v) => r.predict_edits(v, w, h, c, enc)?,
            Pixels::F32(v) => r.predict_edits(v, w, h, c, enc)?,
        };
        let t_net = t0.elapsed();
        let mut warnings: Vec<String> = damage_warning(photo, name).into_iter().collect();
        warnings.extend(u.warnings.iter().cloned());
        warnings.extend(region_warnings(&edits, &enc.matched));
        let passes = edits
            .iter()
            .enumerate()
            .map(|(i, e)| Pass {
                region: e.region.as_ref().map(|r| r.0.name()),
                text: match enc.pass_texts.get(i) {
                    Some(Some((t, _))) => t.clone(),
                    _ => enc.text.clone(),
                },
            })
            .collect();
        let report = EditReport {
            instruction: u.instruction.clone(),
            width: w,
            height: h,
            strength: 1.0,
            kernel: self.kernel().name(),
            attributes: u.attributes.clone(),
            understood: enc.reading.plain(),
            summary: enc.reading.summary(),
            reading: enc.reading.clone(),
            edits: edits.iter().map(|e| e.source).collect(),
            regions: region_names(&edits),
            passes,
            warnings,
            explained: None,
            timings_ms: Timings {
                text: ms(u.elapsed),
                network: ms(t_net),
                slice: 0.0,
                explain: 0.0,
            },
        };
        Ok(Predicted { edits, report })
    }

    /// Predict the edit of `photo` ([`Self::predict`]) and apply it at `strength` (0: the
    /// input; 1: the edit; >1 exaggerates; <0 inverts) inside `mask`.
    pub fn edit(
        &self,
        photo: Photo,
        u: &Understood,
        strength: f32,
        mask: Option<&Mask>,
        name: &str,
    ) -> Result<Edited> {
        check_strength(strength)?;
        let Predicted { edits, mut report } = self.predict(&photo, u, name)?;
        let t = Instant::now();
        let pixels = edit_photo(
            self.kernel(),
            &edits,
            self.retoucher().guide(),
            &photo,
            strength,
            mask,
        )?;
        report.timings_ms.slice = ms(t.elapsed());
        report.strength = strength;
        let t = Instant::now();
        report.explained = Some(explain(&photo, &pixels, &edits));
        report.timings_ms.explain = ms(t.elapsed());
        Ok(Edited {
            photo: Photo { pixels, ..photo },
            edits,
            report,
        })
    }

    /// The edit as an edit file. `provenance` adds to what is always recorded (the program and
    /// the model file), e.g. the photo it was made on.
    pub fn edit_file(
        &self,
        edits: &[Edit],
        report: &EditReport,
        provenance: impl IntoIterator<Item = (String, String)>,
    ) -> EditFile {
        let mut p = BTreeMap::from([
            (
                "program".to_string(),
                format!("retouch {}", env!("CARGO_PKG_VERSION")),
            ),
            ("model".to_string(), self.model_path().display().to_string()),
        ]);
        p.extend(provenance);
        EditFile::new(
            edits,
            self.retoucher().guide(),
            &report.instruction,
            &report.reading,
            p,
        )
    }
}
