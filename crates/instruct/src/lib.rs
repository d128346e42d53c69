//! # retouch-instruct
//!
//! Instructions and attributes: the attribute bank with its measurable image statistics
//! ([`attr`]), the rule-based matcher ([`matcher`]), the instruction generator ([`generate`])
//! and the checker ([`check`]).

pub mod attr;
pub mod check;
pub mod generate;
pub mod matcher;

pub use attr::{Attr, Dir, Magnitude, Target};
pub use matcher::{match_instruction, Match};
