//! Faces in a photo: where they are ([`detect`]: MediaPipe's short-range BlazeFace), a
//! 150 px chip of each aligned on its eyes, nose and mouth ([`align`]), and who it is
//! ([`embed`]: dlib's face recognition ResNet, a 128-d descriptor; two photos of one person
//! are within 0.6 of each other). The benchmark uses them to measure how much an edit
//! changes a person's identity (the paper's §4.2.3).
//!
//! Weights in `models/faces/`, converted by `scripts/fetch-faces.sh`; parity with MediaPipe's
//! own graph and with dlib itself in `tests/face_parity.rs`.

pub mod align;
pub mod detect;
pub mod embed;

pub use align::{chip, TEMPLATE};
pub use detect::{Face, FaceDetector};
pub use embed::{Descriptor, FaceEmbedder};
