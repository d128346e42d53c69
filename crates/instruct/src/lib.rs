//! # retouch-instruct
//!
//! Instructions and attributes: the attribute bank with its measurable image statistics
//! ([`attr`]); the one typed reading of an instruction ([`reading`]) built from other
//! languages' words ([`language`]), spelling correction ([`spelling`]), the concept lexicon
//! ([`concepts`]) and the rule-based matcher ([`matcher`]); the instruction generator
//! ([`generate`]) and the checker ([`check`]).

pub mod attr;
pub mod check;
pub mod concepts;
pub mod description;
pub mod generate;
pub mod language;
pub mod likeness;
pub mod matcher;
pub mod reading;
pub mod slider;
pub mod spelling;

pub use attr::{Attr, Dir, Magnitude, Target};
pub use matcher::{match_instruction, Match};
pub use reading::{Aspect, Fix, Reading, Request};
