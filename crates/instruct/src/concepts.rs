//! The concept lexicon: scenes, moods, seasons, weather, times of day, places, eras, film
//! stocks and genres ("foggy", "candle-lit", "kodachrome"), each with a recipe of attribute
//! changes, from `data/concepts.txt`. The matcher reads these words like its multi-word styles
//! and goals, so "a foggy harbour at dawn" is the sum of "foggy" (lower contrast, lifted
//! blacks, a little less saturation) and "dawn" (a little cooler and brighter, a little less
//! contrast).

use crate::attr::{Attr, Dir, Magnitude, Target};
use std::sync::OnceLock;

/// One concept: its words (each normalised like an instruction) and its recipe.
#[derive(Clone, Debug, PartialEq)]
pub struct Concept {
    pub words: Vec<String>,
    pub recipe: Vec<Target>,
}

fn attr(name: &str) -> Option<Attr> {
    Some(match name {
        "brightness" => Attr::Brightness,
        "contrast" => Attr::Contrast,
        "shadows" => Attr::Shadows,
        "highlights" => Attr::Highlights,
        "blacks" => Attr::Blacks,
        "temperature" => Attr::Temperature,
        "tint" => Attr::Tint,
        "saturation" => Attr::Saturation,
        "vibrance" => Attr::Vibrance,
        "monochrome" | "black and white" => Attr::Monochrome,
        s => Attr::Style(s.strip_prefix("style:")?.parse().ok()?),
    })
}

/// One change of a recipe: `contrast-`, `blacks+~`, `temperature+!`, `style:vintage`,
/// `black and white`.
fn change(s: &str) -> Option<Target> {
    let s = s.trim();
    let (s, magnitude) = match s.strip_suffix('~') {
        Some(r) => (r, Magnitude::Slight),
        None => match s.strip_suffix('!') {
            Some(r) => (r, Magnitude::Strong),
            None => (s, Magnitude::Moderate),
        },
    };
    let (name, dir) = match s.strip_suffix('+') {
        Some(r) => (r, Dir::Up),
        None => match s.strip_suffix('-') {
            Some(r) => (r, Dir::Down),
            None => (s, Dir::Up),
        },
    };
    let a = attr(name.trim())?;
    if a.one_way() && dir == Dir::Down {
        return None;
    }
    let mut t = Target::new(a, dir);
    t.magnitude = magnitude;
    Some(t)
}

/// Parse the lexicon's text; a line that does not parse is an error naming it.
pub fn parse(text: &str) -> Result<Vec<Concept>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (words, recipe) = line
            .split_once(':')
            .ok_or_else(|| format!("line {}: no ':' in {line:?}", i + 1))?;
        let words: Vec<String> = words
            .split(',')
            .map(|w| crate::matcher::normalise(w.trim()))
            .filter(|w| !w.is_empty())
            .collect();
        let recipe = recipe
            .split(',')
            .map(|c| change(c).ok_or_else(|| format!("line {}: bad change {c:?}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        if words.is_empty() || recipe.is_empty() {
            return Err(format!("line {}: no words or no recipe", i + 1));
        }
        out.push(Concept { words, recipe });
    }
    Ok(out)
}

/// The shipped lexicon (`data/concepts.txt`; a test checks that it parses).
pub fn concepts() -> &'static [Concept] {
    static C: OnceLock<Vec<Concept>> = OnceLock::new();
    C.get_or_init(|| parse(include_str!("../data/concepts.txt")).unwrap_or_default())
}
