//! MediaPipe's short-range face detector (BlazeFace, 128x128 input, for faces that fill a
//! good part of the frame), run through `crate::graph` with Google's weights, and its
//! post-processing as MediaPipe's `face_detection_short_range` graph sets it: the photo is
//! letterboxed into a square and scaled to 128 px (values in -1..1), 896 anchors on 16x16
//! and 8x8 grids decode a box and six keypoints each, scores through a sigmoid, those at
//! 0.5 or more merged by weighted non-maximum suppression (IoU 0.3).
//!
//! [`FaceDetector::find`] also looks at overlapping squares of half the photo's short side,
//! so that faces too small for one 128 px view of the whole photo are found.

use std::path::Path;

use crate::conv::Planes;
use crate::graph::Graph;
use crate::weights::{self, Weights};
use crate::VisionError;

/// The weights file, relative to the models directory.
pub const WEIGHTS: &str = "faces/blazeface-short-range.safetensors";
/// The network's input side.
pub const SIDE: usize = 128;
/// Scores below this are not faces (MediaPipe's `min_score_thresh`).
pub const MIN_SCORE: f32 = 0.5;
/// Boxes overlapping the best one by more than this IoU are merged into it.
const MERGE_IOU: f32 = 0.3;
/// Raw scores are clipped to +-this before the sigmoid.
const SCORE_CLIP: f32 = 100.0;
/// Anchors per grid: (cells per side, anchors per cell), in the network's output order.
const GRIDS: [(usize, usize); 2] = [(16, 2), (8, 6)];
const KEYPOINTS: usize = 6;

/// One face, in coordinates relative to the photo (0..1 of its width and height).
#[derive(Clone, Debug, PartialEq)]
pub struct Face {
    pub score: f32,
    /// `[x_min, y_min, width, height]`.
    pub bbox: [f32; 4],
    /// The eye on the image's left, the eye on its right, the nose tip, the mouth centre, the
    /// ear (tragion) on the left, the ear on the right.
    pub keypoints: [[f32; 2]; KEYPOINTS],
}

impl Face {
    fn iou(&self, other: &Face) -> f32 {
        let [ax, ay, aw, ah] = self.bbox;
        let [bx, by, bw, bh] = other.bbox;
        let w = ((ax + aw).min(bx + bw) - ax.max(bx)).max(0.0);
        let h = ((ay + ah).min(by + bh) - ay.max(by)).max(0.0);
        let inter = w * h;
        let union = aw * ah + bw * bh - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }

    /// The face with every coordinate mapped by `x -> x * sx + ox`, `y -> y * sy + oy`.
    fn mapped(&self, sx: f32, ox: f32, sy: f32, oy: f32) -> Face {
        let [x, y, w, h] = self.bbox;
        Face {
            score: self.score,
            bbox: [x * sx + ox, y * sy + oy, w * sx, h * sy],
            keypoints: self.keypoints.map(|[kx, ky]| [kx * sx + ox, ky * sy + oy]),
        }
    }
}

/// The network and its anchors, ready to run.
#[derive(Clone, Debug)]
pub struct FaceDetector {
    graph: Graph,
    /// Anchor centres `(x, y)` in 0..1, in the order of the output rows.
    anchors: Vec<[f32; 2]>,
}

impl FaceDetector {
    /// The shipped weights (see [`WEIGHTS`]), found like every model file.
    pub fn load_default() -> Result<Self, VisionError> {
        Self::load(&retouch_locate::model_path(WEIGHTS))
    }

    pub fn load(path: &Path) -> Result<Self, VisionError> {
        let bytes = weights::read(path)?;
        let w = Weights::parse(path, &bytes)?;
        let format = |message: String| w.invalid(message);
        let heads: std::collections::HashMap<String, Vec<String>> =
            serde_json::from_str(w.metadata("outputs")?)
                .map_err(|e| format(format!("outputs: {e}")))?;
        let head = |n: &str| {
            heads
                .get(n)
                .filter(|t| t.len() == GRIDS.len())
                .ok_or_else(|| format(format!("outputs: no {n} over {} grids", GRIDS.len())))
        };
        let (boxes, scores) = (head("regressors")?, head("classificators")?);
        let names: Vec<&str> = boxes.iter().chain(scores).map(String::as_str).collect();
        let graph = Graph::load(&w, &names)?;
        let mut anchors = Vec::new();
        for &(cells, per_cell) in &GRIDS {
            for y in 0..cells {
                for x in 0..cells {
                    for _ in 0..per_cell {
                        let c = |i: usize| (i as f32 + 0.5) / cells as f32;
                        anchors.push([c(x), c(y)]);
                    }
                }
            }
        }
        Ok(FaceDetector { graph, anchors })
    }

    /// The network's input for interleaved RGB in 0..1: the photo centred in a square of its
    /// long side (the rest black), scaled to [`SIDE`] by bilinear sampling as MediaPipe's CPU
    /// graph samples (input pixel `i` read at `i * scale` in the square, not at its centre:
    /// measured against it, a 2x reduction picks every other pixel), values `2 v - 1`; and
    /// where the photo lies in the square (`[x0, y0, width, height]`, 0..1).
    pub fn input(rgb: &[f32], width: usize, height: usize) -> (Planes, [f32; 4]) {
        let long = width.max(height) as f32;
        let (x0, y0) = ((long - width as f32) / 2.0, (long - height as f32) / 2.0);
        let scale = long / SIDE as f32;
        let mut p = Planes::zeros(3, SIDE, SIDE);
        let area = SIDE * SIDE;
        for oy in 0..SIDE {
            let sy = oy as f32 * scale - y0;
            for ox in 0..SIDE {
                let sx = ox as f32 * scale - x0;
                let v = bilinear(rgb, width, height, sx, sy);
                for c in 0..3 {
                    p.data[c * area + oy * SIDE + ox] = 2.0 * v[c] - 1.0;
                }
            }
        }
        let window = [
            x0 / long,
            y0 / long,
            width as f32 / long,
            height as f32 / long,
        ];
        (p, window)
    }

    /// The faces in one view of the whole photo (interleaved RGB in 0..1), best first.
    pub fn detect(
        &self,
        rgb: &[f32],
        width: usize,
        height: usize,
    ) -> Result<Vec<Face>, VisionError> {
        self.detect_view(rgb, width, height, false)
    }

    /// [`Self::detect`] through the scalar reference convolutions only.
    pub fn detect_reference(
        &self,
        rgb: &[f32],
        width: usize,
        height: usize,
    ) -> Result<Vec<Face>, VisionError> {
        self.detect_view(rgb, width, height, true)
    }

    fn detect_view(
        &self,
        rgb: &[f32],
        width: usize,
        height: usize,
        reference: bool,
    ) -> Result<Vec<Face>, VisionError> {
        if width == 0 || height == 0 || rgb.len() != width * height * 3 {
            return Err(VisionError::Shape(format!(
                "face detection: {} values for a {width}x{height} RGB photo",
                rgb.len()
            )));
        }
        let (input, [wx, wy, ww, wh]) = Self::input(rgb, width, height);
        let out = self.graph.run(&input, reference)?;
        let faces = merge(self.decode(&out[..GRIDS.len()], &out[GRIDS.len()..]));
        // From the square back to the photo.
        Ok(faces
            .into_iter()
            .map(|f| f.mapped(1.0 / ww, -wx / ww, 1.0 / wh, -wy / wh))
            .collect())
    }

    /// Every anchor's face whose score passes [`MIN_SCORE`], in 0..1 of the square.
    fn decode(&self, boxes: &[Planes], scores: &[Planes]) -> Vec<Face> {
        let mut faces = Vec::new();
        let mut row = 0;
        for ((b, s), &(cells, per_cell)) in boxes.iter().zip(scores).zip(&GRIDS) {
            debug_assert_eq!(
                (b.height, b.width, b.channels),
                (cells, cells, per_cell * 16)
            );
            let area = b.area();
            for cell in 0..area {
                for a in 0..per_cell {
                    let raw = s.data[a * area + cell].clamp(-SCORE_CLIP, SCORE_CLIP);
                    let score = 1.0 / (1.0 + (-raw).exp());
                    let [ax, ay] = self.anchors[row];
                    row += 1;
                    if score < MIN_SCORE {
                        continue;
                    }
                    // NHWC rows: anchor a's 16 values are channels a * 16 .. a * 16 + 16.
                    let v = |i: usize| b.data[(a * 16 + i) * area + cell] / SIDE as f32;
                    let (cx, cy, w, h) = (v(0) + ax, v(1) + ay, v(2), v(3));
                    let mut keypoints = [[0.0; 2]; KEYPOINTS];
                    for (k, p) in keypoints.iter_mut().enumerate() {
                        *p = [v(4 + 2 * k) + ax, v(5 + 2 * k) + ay];
                    }
                    faces.push(Face {
                        score,
                        bbox: [cx - w / 2.0, cy - h / 2.0, w, h],
                        keypoints,
                    });
                }
            }
        }
        faces
    }

    /// The faces in the whole photo and in overlapping squares of half its short side (3 x 3
    /// windows on a square photo, more along a long side), merged: faces down to about a
    /// twelfth of the short side. Best first.
    pub fn find(&self, rgb: &[f32], width: usize, height: usize) -> Result<Vec<Face>, VisionError> {
        let mut all = self.detect(rgb, width, height)?;
        let side = width.min(height) / 2;
        if side >= SIDE / 2 {
            let starts = |n: usize| -> Vec<usize> {
                let count = (2 * (n - side)).div_ceil(side) + 1;
                (0..count)
                    .map(|i| i * (n - side) / (count - 1).max(1))
                    .collect()
            };
            for &y0 in &starts(height) {
                for &x0 in &starts(width) {
                    let mut crop = Vec::with_capacity(side * side * 3);
                    for y in y0..y0 + side {
                        crop.extend_from_slice(
                            &rgb[(y * width + x0) * 3..(y * width + x0 + side) * 3],
                        );
                    }
                    let s = side as f32;
                    all.extend(self.detect(&crop, side, side)?.into_iter().map(|f| {
                        f.mapped(
                            s / width as f32,
                            x0 as f32 / width as f32,
                            s / height as f32,
                            y0 as f32 / height as f32,
                        )
                    }));
                }
            }
        }
        Ok(merge(all))
    }
}

/// MediaPipe's weighted non-maximum suppression: the best face and every face overlapping it
/// by more than [`MERGE_IOU`] become one, its box and keypoints their score-weighted mean and
/// its score the best one's; repeated on what is left.
fn merge(mut faces: Vec<Face>) -> Vec<Face> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while !faces.is_empty() {
        let best = faces[0].clone();
        let (group, rest): (Vec<Face>, Vec<Face>) = faces
            .into_iter()
            .partition(|f| f.iou(&best) > MERGE_IOU || *f == best);
        faces = rest;
        let total: f32 = group.iter().map(|f| f.score).sum();
        let mut merged = Face {
            score: best.score,
            bbox: [0.0; 4],
            keypoints: [[0.0; 2]; KEYPOINTS],
        };
        for f in &group {
            let w = f.score / total;
            for i in 0..4 {
                merged.bbox[i] += f.bbox[i] * w;
            }
            for k in 0..KEYPOINTS {
                merged.keypoints[k][0] += f.keypoints[k][0] * w;
                merged.keypoints[k][1] += f.keypoints[k][1] * w;
            }
        }
        out.push(merged);
    }
    out
}

/// Half-pixel bilinear sample of interleaved RGB at `(x, y)` (pixel centres at integers);
/// outside the photo is black.
pub(crate) fn bilinear(rgb: &[f32], width: usize, height: usize, x: f32, y: f32) -> [f32; 3] {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let mut out = [0.0; 3];
    for (dy, wy) in [(0, 1.0 - fy), (1, fy)] {
        for (dx, wx) in [(0, 1.0 - fx), (1, fx)] {
            let (px, py) = (x0 as isize + dx, y0 as isize + dy);
            let w = wx * wy;
            if w == 0.0 || px < 0 || py < 0 || px >= width as isize || py >= height as isize {
                continue;
            }
            let i = (py as usize * width + px as usize) * 3;
            for c in 0..3 {
                out[c] += rgb[i + c] * w;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(score: f32, x: f32) -> Face {
        Face {
            score,
            bbox: [x, 0.0, 1.0, 1.0],
            keypoints: [[x, 0.5]; KEYPOINTS],
        }
    }

    #[test]
    fn overlapping_faces_merge_by_score_and_apart_ones_stay() {
        let out = merge(vec![face(0.6, 0.2), face(0.9, 0.0), face(0.7, 5.0)]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        let want = 0.2 * 0.6 / 1.5;
        assert!((out[0].bbox[0] - want).abs() < 1e-6, "{}", out[0].bbox[0]);
        assert!((out[0].keypoints[3][0] - want).abs() < 1e-6);
        assert_eq!(out[1].bbox[0], 5.0);
    }

    #[test]
    fn bilinear_reads_pixel_centres_and_blends_between() {
        // 2x1 photo: black, white.
        let rgb = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        assert_eq!(bilinear(&rgb, 2, 1, 1.0, 0.0), [1.0; 3]);
        assert_eq!(bilinear(&rgb, 2, 1, 0.5, 0.0), [0.5; 3]);
        // Half a pixel past the edge blends with black.
        assert_eq!(bilinear(&rgb, 2, 1, 1.5, 0.0), [0.5; 3]);
    }

    #[test]
    fn a_wide_photo_is_centred_in_its_square() {
        let (p, window) = FaceDetector::input(&vec![1.0; 256 * 128 * 3], 256, 128);
        assert_eq!(window, [0.0, 0.25, 1.0, 0.5]);
        // Black above the photo is -1, the photo itself (white) +1.
        assert_eq!(p.data[5 * SIDE + 64], -1.0);
        assert_eq!(p.data[64 * SIDE + 64], 1.0);
    }
}
