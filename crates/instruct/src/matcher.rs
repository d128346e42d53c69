//! The rule-based matcher (paper section 3.4.2): instruction text -> attributes with direction,
//! magnitude, region and confidence. It works from general rules, not from the generator's
//! phrase lists:
//!
//! 1. normalise (case, British spelling, `b&w`, hyphenation);
//! 2. multi-word styles and goals first ("dark and moody", "teal and orange", "travel
//!    magazine"), so their words are not read again as atoms;
//! 3. split into clauses at punctuation and connectives (and, but, then, while, without, ...);
//! 4. in each clause find concept words: comparatives and verbs carry a direction ("warmer",
//!    "darken"), adjectives carry one that *flips* in a problem statement ("too dark", "it's
//!    dark", "blue cast"), nouns take it from a direction word ("reduce the contrast", "+sat",
//!    "too much contrast", "not enough contrast"), default up;
//! 5. a clause with keep / preserve / without / don't change lists constraints, not targets;
//!    a content verb (remove, add, replace, ...) with no photometric concept is a content edit.

use crate::attr::{Attr, Dir, Magnitude, Target};
use serde::{Deserialize, Serialize};

/// What the matcher found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// Requested changes with a confidence in (0, 1].
    pub targets: Vec<(Target, f32)>,
    /// Attributes the user asked to keep.
    pub kept: Vec<Attr>,
    /// Clauses that ask for a content edit (add/remove/replace objects).
    pub content_edits: Vec<String>,
    /// Attributes requested in both directions.
    pub contradictions: Vec<Attr>,
    /// Targets whose direction came from a problem statement ("too dark", "a blue cast",
    /// "too much contrast", "underexposed"): how far to go depends on the photo.
    #[serde(default)]
    pub problems: Vec<Attr>,
}

/// Length of [`Match::attribute_vector`]: (10 atomic + 13 styles) x (whole photo, a region).
pub const ATTRIBUTE_VECTOR_LEN: usize = 2 * (crate::attr::ATOMIC.len() + crate::attr::STYLES.len());

impl Match {
    /// The matcher's reading as a fixed-length vector a network can be conditioned on: one
    /// entry per (attribute, whole photo | region), `direction * magnitude scale * confidence`
    /// (0 when not asked for). Atomic attributes first in `ATOMIC` order, then styles in
    /// `STYLES` order; the region half follows the whole-photo half.
    pub fn attribute_vector(&self) -> Vec<f32> {
        let n = crate::attr::ATOMIC.len() + crate::attr::STYLES.len();
        let mut v = vec![0f32; 2 * n];
        for (t, conf) in &self.targets {
            let i = match &t.attr {
                crate::attr::Attr::Style(s) => crate::attr::STYLES
                    .iter()
                    .position(|l| *l == s.as_str())
                    .map(|i| crate::attr::ATOMIC.len() + i),
                a => crate::attr::ATOMIC.iter().position(|b| b == a),
            };
            if let Some(i) = i {
                let j = if t.region.is_some() { n + i } else { i };
                v[j] += t.dir.sign() * t.magnitude.scale() * conf;
            }
        }
        v
    }

    /// Sorted labels (`brightness:up`, ...), the form tests compare.
    pub fn labels(&self) -> Vec<String> {
        let mut v: Vec<String> = self.targets.iter().map(|(t, _)| t.label()).collect();
        v.sort();
        v.dedup();
        v
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Comparative or verb: the direction is what is asked.
    Directed(Dir),
    /// Adjective: asked as is after make/more; flipped in a problem statement.
    Adjective(Dir),
    /// Noun: direction from a nearby direction word (default up).
    Noun,
    /// A problem noun whose fix has this direction ("underexposed" -> up).
    Problem(Dir),
}

struct Concept {
    words: &'static [&'static str],
    attr: Attr,
    kind: Kind,
}

use Dir::{Down, Up};

fn concepts() -> Vec<Concept> {
    let c = |words: &'static [&'static str], attr: Attr, kind: Kind| Concept { words, attr, kind };
    vec![
        // Brightness.
        c(
            &[
                "brighter",
                "lighter",
                "brighten",
                "brightened",
                "lighten",
                "lightened",
                "brighten up",
                "lighten up",
            ],
            Attr::Brightness,
            Kind::Directed(Up),
        ),
        c(
            &["darker", "darken", "darkened", "dimmer", "dim down"],
            Attr::Brightness,
            Kind::Directed(Down),
        ),
        c(&["bright"], Attr::Brightness, Kind::Adjective(Up)),
        c(
            &["dark", "dim", "murky", "gloomy", "muddy"],
            Attr::Brightness,
            Kind::Adjective(Down),
        ),
        c(
            &["brightness", "exposure", "luminosity"],
            Attr::Brightness,
            Kind::Noun,
        ),
        c(
            &["underexposed", "under exposed", "underexposure"],
            Attr::Brightness,
            Kind::Problem(Up),
        ),
        c(
            &[
                "overexposed",
                "over exposed",
                "overexposure",
                "blown out",
                "washed out by light",
            ],
            Attr::Brightness,
            Kind::Problem(Down),
        ),
        // Contrast.
        c(
            &["contrastier", "crisper", "punchier contrast"],
            Attr::Contrast,
            Kind::Directed(Up),
        ),
        c(&["flatter"], Attr::Contrast, Kind::Directed(Down)),
        c(
            &["contrasty", "crisp", "harsh", "harsher"],
            Attr::Contrast,
            Kind::Adjective(Up),
        ),
        c(
            &["flat", "soft", "softer"],
            Attr::Contrast,
            Kind::Adjective(Down),
        ),
        c(&["contrast"], Attr::Contrast, Kind::Noun),
        // Tonal ranges.
        c(
            &["shadows", "shadow", "shadow detail", "dark areas", "darks"],
            Attr::Shadows,
            Kind::Noun,
        ),
        c(
            &[
                "highlights",
                "highlight",
                "bright areas",
                "brights",
                "whites",
                "white point",
            ],
            Attr::Highlights,
            Kind::Noun,
        ),
        c(
            &["blacks", "black point", "black level", "black levels"],
            Attr::Blacks,
            Kind::Noun,
        ),
        c(
            &["faded", "fade", "fade out"],
            Attr::Blacks,
            Kind::Directed(Up),
        ),
        // Temperature and tint.
        c(
            &[
                "warmer",
                "warm up",
                "warm it up",
                "warmen",
                "more yellow",
                "more orange",
                "yellower",
            ],
            Attr::Temperature,
            Kind::Directed(Up),
        ),
        c(
            &[
                "cooler",
                "colder",
                "cool down",
                "cool it down",
                "bluer",
                "more blue",
            ],
            Attr::Temperature,
            Kind::Directed(Down),
        ),
        c(
            &[
                "warm",
                "yellow",
                "yellowish",
                "orange",
                "orangey",
                "amber",
                "cozy",
                "cosy",
            ],
            Attr::Temperature,
            Kind::Adjective(Up),
        ),
        c(
            &["cool", "cold", "blue", "bluish", "blueish", "icy blue"],
            Attr::Temperature,
            Kind::Adjective(Down),
        ),
        c(
            &["warmth", "temperature", "white balance"],
            Attr::Temperature,
            Kind::Noun,
        ),
        c(
            &["magenta", "pink", "pinkish", "purple", "purplish"],
            Attr::Tint,
            Kind::Adjective(Up),
        ),
        c(
            &["green", "greenish", "greener"],
            Attr::Tint,
            Kind::Adjective(Down),
        ),
        c(&["tint"], Attr::Tint, Kind::Noun),
        // Colourfulness.
        c(
            &[
                "saturate",
                "more colorful",
                "more saturated",
                "richer colors",
                "richer",
            ],
            Attr::Saturation,
            Kind::Directed(Up),
        ),
        c(
            &[
                "desaturate",
                "desaturated",
                "mute",
                "muted",
                "tone down the colors",
            ],
            Attr::Saturation,
            Kind::Directed(Down),
        ),
        c(
            &["saturated", "colorful", "vivid", "rich", "garish", "loud"],
            Attr::Saturation,
            Kind::Adjective(Up),
        ),
        c(
            &["dull", "drab", "lifeless", "washed out", "pale"],
            Attr::Saturation,
            Kind::Adjective(Down),
        ),
        c(
            &["saturation", "sat", "color", "colors", "colour", "chroma"],
            Attr::Saturation,
            Kind::Noun,
        ),
        c(
            &["vibrant", "more vibrant"],
            Attr::Vibrance,
            Kind::Adjective(Up),
        ),
        c(&["vibrance", "vibrancy"], Attr::Vibrance, Kind::Noun),
        c(
            &[
                "black and white",
                "monochrome",
                "grayscale",
                "mono",
                "b and w",
            ],
            Attr::Monochrome,
            Kind::Directed(Up),
        ),
    ]
}

/// The phrases read before atoms: [`phrases`] (recipe amounts replaced by the clause's, flag
/// false), then the concept lexicon's words ([`crate::concepts`], flag true) that are neither
/// one of those phrases nor a word the atom table reads on its own ("soft", "crisp" stay
/// atoms).
fn phrase_table() -> &'static [(String, Vec<Target>, bool)] {
    static T: std::sync::OnceLock<Vec<(String, Vec<Target>, bool)>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut out: Vec<(String, Vec<Target>, bool)> = phrases()
            .into_iter()
            .map(|(p, t)| (p.to_string(), t, false))
            .collect();
        let atoms: Vec<&str> = concepts()
            .iter()
            .flat_map(|c| c.words.iter().copied())
            .collect();
        for c in crate::concepts::concepts() {
            for w in &c.words {
                if atoms.contains(&w.as_str()) || out.iter().any(|(p, _, _)| p == w) {
                    continue;
                }
                out.push((w.clone(), c.recipe.clone(), true));
            }
        }
        out
    })
}

/// The matcher's phrases that contain a clause joiner ("black and white", "dark and moody",
/// "teal and orange"): a clause splitter must keep them whole.
pub fn joined_phrases() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = phrase_table()
        .iter()
        .map(|(p, _, _)| p.as_str())
        .chain(std::iter::once("black and white"))
        .filter(|p| p.split(' ').any(|w| SPLITTERS.contains(&w)))
        .collect();
    v.sort_by_key(|p| std::cmp::Reverse(p.len()));
    v
}

/// Every single word the matcher's tables contain (the spelling corrector's vocabulary).
pub fn vocabulary() -> Vec<&'static str> {
    static V: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let mut v: Vec<String> = Vec::new();
        let mut add = |phrase: &str| v.extend(phrase.split(' ').map(str::to_string));
        for c in concepts() {
            c.words.iter().for_each(|w| add(w));
        }
        for (p, _, _) in phrase_table() {
            add(p);
        }
        for list in [
            UP_WORDS,
            DOWN_WORDS,
            PROBLEM_WORDS,
            IMPERATIVE,
            CONSTRAINT,
            CONTENT_VERBS,
            SLIGHT,
            STRONG,
            STRONG_WORDS,
            WEAK_WORDS,
            REDUCE_VERBS,
            FADED_WORDS,
        ] {
            list.iter().for_each(|w| add(w));
        }
        for (w, _) in REGIONS {
            add(w);
        }
        v.retain(|w| w.chars().all(|c| c.is_ascii_alphabetic()) && w.len() >= 3);
        v.sort();
        v.dedup();
        v
    })
    .iter()
    .map(String::as_str)
    .collect()
}

/// Multi-word styles, goals and colour words that must be read before atoms: phrase -> targets.
fn phrases() -> Vec<(&'static str, Vec<Target>)> {
    let s = |name: &str| Target::new(Attr::Style(name.into()), Up);
    let t = |a: Attr, d: Dir| Target::new(a, d);
    vec![
        ("film noir", vec![s("noir")]),
        ("noir", vec![s("noir")]),
        ("teal and orange", vec![s("cinematic")]),
        ("orange and teal", vec![s("cinematic")]),
        ("cinematic", vec![s("cinematic")]),
        ("like a movie", vec![s("cinematic")]),
        ("movie look", vec![s("cinematic")]),
        ("movie still", vec![s("cinematic")]),
        ("hollywood", vec![s("cinematic")]),
        ("blockbuster", vec![s("cinematic")]),
        ("faded film", vec![s("vintage")]),
        ("faded vintage", vec![s("vintage")]),
        ("old film", vec![s("vintage")]),
        ("analog film", vec![s("vintage")]),
        ("vintage", vec![s("vintage")]),
        ("retro", vec![s("vintage")]),
        ("nostalgic", vec![s("vintage")]),
        ("70s", vec![s("vintage")]),
        ("matte", vec![s("matte")]),
        ("bright and airy", vec![s("high-key")]),
        ("light and airy", vec![s("high-key")]),
        ("high key", vec![s("high-key")]),
        ("airy", vec![s("high-key")]),
        ("dark and moody", vec![s("low-key")]),
        ("low key", vec![s("low-key")]),
        ("moody", vec![s("low-key")]),
        ("golden hour", vec![s("golden-hour")]),
        ("sunset glow", vec![s("golden-hour")]),
        ("golden light", vec![s("golden-hour")]),
        ("golden", vec![s("golden-hour")]),
        ("wintry", vec![s("winter")]),
        ("winter", vec![s("winter")]),
        ("frosty", vec![s("winter")]),
        ("pastel", vec![s("pastel")]),
        ("punchy", vec![s("punchy")]),
        ("make it pop", vec![s("punchy")]),
        ("pop", vec![s("punchy")]),
        ("soft and dreamy", vec![s("dreamy")]),
        ("dreamy", vec![s("dreamy")]),
        ("dreamlike", vec![s("dreamy")]),
        ("ethereal", vec![s("dreamy")]),
        ("bleach bypass", vec![s("bleach-bypass")]),
        ("bleached", vec![s("bleach-bypass")]),
        ("sepia", vec![s("sepia")]),
        // Goals.
        (
            "travel magazine",
            vec![t(Attr::Vibrance, Up), t(Attr::Contrast, Up)],
        ),
        (
            "magazine cover",
            vec![t(Attr::Vibrance, Up), t(Attr::Contrast, Up)],
        ),
        (
            "summer",
            vec![t(Attr::Temperature, Up), t(Attr::Vibrance, Up)],
        ),
        (
            "summery",
            vec![t(Attr::Temperature, Up), t(Attr::Vibrance, Up)],
        ),
        ("dramatic", vec![t(Attr::Contrast, Up)]),
        ("more drama", vec![t(Attr::Contrast, Up)]),
    ]
}

const UP_WORDS: &[&str] = &[
    "increase",
    "raise",
    "boost",
    "more",
    "add",
    "bump",
    "lift",
    "up",
    "enhance",
    "higher",
    "push",
    "pump",
    "amp",
    "crank",
    "strengthen",
    "intensify",
    "brighten",
    "open",
    "recover detail",
    "bring out",
    "bring up",
    "plus",
    "+",
    "extra",
    "stronger",
    "heighten",
    "elevate",
    "deepen the colors",
];
const DOWN_WORDS: &[&str] = &[
    "decrease",
    "reduce",
    "lower",
    "less",
    "cut",
    "drop",
    "minus",
    "-",
    "tone down",
    "dial back",
    "dial down",
    "pull back",
    "pull down",
    "tame",
    "soften",
    "kill",
    "lessen",
    "weaken",
    "subdue",
    "knock down",
    "darken",
    "crush",
    "deepen",
    "recover",
    "control",
    "tone",
    "weaker",
    "lose",
    "get rid of",
    "remove",
    "fewer",
];
const PROBLEM_WORDS: &[&str] = &[
    "too",
    "overly",
    "so",
    "is",
    "are",
    "s",
    "looks",
    "look",
    "seems",
    "feels",
    "appears",
    "kinda",
    "kind of",
    "bit",
    "rather",
    "quite",
    "excessively",
    "super",
    "way",
    "very",
    "really",
    "pretty",
];
/// Verbs that take away what the next word names ("reduce the orange").
const REDUCE_VERBS: &[&str] = &[
    "reduce",
    "remove",
    "decrease",
    "lower",
    "cut",
    "kill",
    "minimise",
    "minimize",
    "eliminate",
    "get rid of",
    "take out",
    "take away",
    "drop",
];

/// Sizes said after a noun ("the colours are too strong"): too much of it.
const STRONG_WORDS: &[&str] = &[
    "strong",
    "intense",
    "much",
    "high",
    "heavy",
    "loud",
    "punchy",
    "harsh",
    "extreme",
    "hard",
    "aggressive",
    "saturated",
    "vivid",
    "overdone",
    "overpowering",
    "garish",
    "crazy",
    "big",
];

/// ... too little of it ("the contrast is too low").
const WEAK_WORDS: &[&str] = &["weak", "low", "faint", "little", "subtle", "small", "timid"];

/// What lifted blacks look like ("the blacks look washed out").
const FADED_WORDS: &[&str] = &[
    "washed", "faded", "grey", "gray", "greyish", "grayish", "milky", "muddy", "lifted", "hazy",
];

const IMPERATIVE: &[&str] = &[
    "make", "go", "turn", "give", "get", "render", "want", "like", "more", "less",
];
const CONSTRAINT: &[&str] = &[
    "keep",
    "keeping",
    "preserve",
    "preserving",
    "maintain",
    "maintaining",
    "without",
    "don t",
    "do not",
    "dont",
    "leave",
    "unchanged",
    "untouched",
    "same",
    "as is",
    "intact",
    "not touch",
    "not change",
];
const CONTENT_VERBS: &[&str] = &[
    "add",
    "remove",
    "replace",
    "insert",
    "erase",
    "delete",
    "put",
    "draw",
    "paint",
    "crop",
    "rotate",
    "move",
    "swap",
    "place",
    "get rid of",
    "clone",
    "change the background",
    "smile",
    "take out",
    "cut out",
    "photoshop in",
    "photoshop out",
];
const SLIGHT: &[&str] = &[
    "slightly",
    "slight",
    "subtle",
    "light touch",
    "lightly",
    "a bit",
    "a little",
    "a touch",
    "subtly",
    "gently",
    "a tad",
    "a hair",
    "somewhat",
    "mildly",
    "a little bit",
    "a smidge",
    "hint of",
    "barely",
    "marginally",
    "just a bit",
    "a notch",
];
const STRONG: &[&str] = &[
    "much",
    "a lot",
    "way",
    "very",
    "strongly",
    "dramatically",
    "significantly",
    "really",
    "heavily",
    "massively",
    "hugely",
    "super",
    "extremely",
    "lots",
    "tons",
    "seriously",
    "considerably",
    "substantially",
    "drastically",
    "a ton",
    "heaps",
    "far",
];
/// Region words -> region name.
const REGIONS: &[(&str, &str)] = &[
    ("sky", "sky"),
    ("skies", "sky"),
    ("clouds", "sky"),
    ("greens", "greens"),
    ("foliage", "greens"),
    ("grass", "greens"),
    ("trees", "greens"),
    ("leaves", "greens"),
    ("vegetation", "greens"),
    ("skin", "skin"),
    ("skin tones", "skin"),
    ("face", "skin"),
    ("faces", "skin"),
    ("top", "top"),
    ("upper half", "top"),
    ("upper part", "top"),
    ("bottom", "bottom"),
    ("lower half", "bottom"),
    ("lower part", "bottom"),
    ("foreground", "bottom"),
    ("left side", "left"),
    ("right side", "right"),
    ("center", "center"),
    ("middle", "center"),
    ("edges", "edges"),
    ("corners", "edges"),
];

/// Lowercase, unify spelling and punctuation; words separated by single spaces, with
/// clause punctuation kept as its own token.
pub fn normalise(text: &str) -> String {
    let mut s = text.to_lowercase();
    for (a, b) in [
        ("colour", "color"),
        ("grey", "gray"),
        ("b&w", "black and white"),
        ("b/w", "black and white"),
        ("w/o", "without"),
        ("w/", "with"),
        ("&", " and "),
        ("high-key", "high key"),
        ("low-key", "low key"),
        ("over-exposed", "overexposed"),
        ("under-exposed", "underexposed"),
        ("'", " "),
        ("\u{2019}", " "),
        ("+", " + "),
    ] {
        s = s.replace(a, b);
    }
    // A hyphen inside a word joins words ("travel-magazine"); elsewhere it means "less".
    let chars: Vec<char> = s.chars().collect();
    let mut h = String::with_capacity(s.len());
    for (i, &ch) in chars.iter().enumerate() {
        if ch == '-' {
            let joined = i > 0
                && i + 1 < chars.len()
                && chars[i - 1].is_alphanumeric()
                && chars[i + 1].is_alphanumeric();
            h.push_str(if joined { " " } else { " - " });
        } else {
            h.push(ch);
        }
    }
    let s = h;
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch.is_alphanumeric() || ch == ' ' || ch == '+' || ch == '-' {
            out.push(ch);
        } else if matches!(
            ch,
            ',' | ';' | '.' | '!' | '?' | ':' | '/' | '(' | ')' | '\n'
        ) {
            out.push_str(" , ");
        } else {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has_phrase(tokens: &[&str], at: usize, phrase: &str) -> bool {
    let p: Vec<&str> = phrase.split(' ').collect();
    at + p.len() <= tokens.len() && tokens[at..at + p.len()] == p[..]
}

fn find_any(tokens: &[&str], list: &[&str]) -> Option<usize> {
    (0..tokens.len()).find(|&i| list.iter().any(|w| has_phrase(tokens, i, w)))
}

fn magnitude(tokens: &[&str]) -> Magnitude {
    if find_any(tokens, SLIGHT).is_some() {
        Magnitude::Slight
    } else if find_any(tokens, STRONG).is_some() {
        Magnitude::Strong
    } else {
        Magnitude::Moderate
    }
}

const SPLITTERS: &[&str] = &[
    ",", "and", "but", "then", "plus", "also", "while", "whilst", "yet", "with",
];

/// Match an instruction.
pub fn match_instruction(text: &str) -> Match {
    let norm = normalise(text);
    let mut tokens: Vec<String> = norm.split(' ').map(str::to_string).collect();
    let mut out = Match::default();
    let phrase_table = phrase_table();
    // Clause boundaries are decided on the original tokens so that "dark and moody" stays one.
    // Pass 1: styles/goals consume their words (replaced by a marker).
    let mut found_phrases: Vec<(usize, Vec<Target>, bool)> = Vec::new();
    {
        let mut i = 0;
        while i < tokens.len() {
            let toks: Vec<&str> = tokens.iter().map(String::as_str).collect();
            let hit = phrase_table
                .iter()
                .filter(|(p, _, _)| has_phrase(&toks, i, p))
                .max_by_key(|(p, _, _)| p.len());
            if let Some((p, targets, concept)) = hit {
                let n = p.split(' ').count();
                found_phrases.push((i, targets.clone(), *concept));
                for t in tokens.iter_mut().skip(i).take(n) {
                    *t = "§".into();
                }
                i += n;
            } else {
                i += 1;
            }
        }
    }
    // Monochrome phrase "black and white" contains a splitter: protect it.
    let joined = tokens
        .join(" ")
        .replace("black and white", "black_and_white");
    let tokens: Vec<String> = joined.split(' ').map(str::to_string).collect();
    // Pass 2: clauses.
    let mut clauses: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        let boundary =
            SPLITTERS.contains(&t.as_str()) || t == "without" || t == "keep" || t == "keeping";
        if boundary && i > start {
            clauses.push((start, i));
            start = if SPLITTERS.contains(&t.as_str()) {
                i + 1
            } else {
                i
            };
        } else if boundary {
            start = if SPLITTERS.contains(&t.as_str()) {
                i + 1
            } else {
                i
            };
        }
    }
    if start < tokens.len() {
        clauses.push((start, tokens.len()));
    }
    let table = concepts();
    for (a, b) in clauses {
        let clause: Vec<String> = tokens[a..b]
            .iter()
            .map(|t| {
                if t == "black_and_white" {
                    "black and white".to_string()
                } else {
                    t.clone()
                }
            })
            .collect();
        let joined = clause.join(" ");
        let toks: Vec<&str> = joined.split(' ').collect();
        let is_constraint = find_any(&toks, CONSTRAINT).is_some();
        let mag = magnitude(&toks);
        let region = REGIONS
            .iter()
            .find(|(w, _)| (0..toks.len()).any(|i| has_phrase(&toks, i, w)))
            .map(|(_, r)| r.to_string());
        let mut clause_targets: Vec<(Target, f32)> = Vec::new();
        // Styles/goals that started inside this clause.
        for (pos, ts, concept) in &found_phrases {
            if *pos >= a && *pos < b {
                for t in ts {
                    let mut t = t.clone();
                    // A concept's recipe has its own amounts; the clause's amount word moves
                    // them one step ("very foggy").
                    t.magnitude = if *concept {
                        match (mag, t.magnitude) {
                            (Magnitude::Moderate, m) => m,
                            (Magnitude::Strong, Magnitude::Slight) => Magnitude::Moderate,
                            (Magnitude::Strong, _) => Magnitude::Strong,
                            (Magnitude::Slight, Magnitude::Strong) => Magnitude::Moderate,
                            (Magnitude::Slight, _) => Magnitude::Slight,
                        }
                    } else {
                        mag
                    };
                    let conf = if matches!(t.attr, Attr::Style(_)) {
                        0.9
                    } else {
                        0.6
                    };
                    clause_targets.push((t, conf));
                }
            }
        }
        // Atomic concepts, longest phrase first at each position.
        let mut i = 0;
        while i < toks.len() {
            let mut best: Option<(&Concept, usize)> = None;
            for c in &table {
                for w in c.words {
                    if has_phrase(&toks, i, w) {
                        let n = w.split(' ').count();
                        if best.is_none_or(|(_, m)| n > m) {
                            best = Some((c, n));
                        }
                    }
                }
            }
            let Some((c, n)) = best else {
                i += 1;
                continue;
            };
            let before = &toks[..i];
            let after = &toks[i + n..];
            let near_before = &before[before.len().saturating_sub(4)..];
            // "less warm", "not as saturated", "reduce the orange": the word's direction
            // flips (a cast, "reduce the blue cast", is a problem already and is not flipped
            // twice: see `cast` below).
            let reducing = matches!(c.kind, Kind::Adjective(_))
                && find_any(near_before, REDUCE_VERBS).is_some()
                && !after
                    .first()
                    .is_some_and(|w| ["cast", "casts", "tint", "tone", "tones", "hue"].contains(w));
            let less =
                near_before.contains(&"less") || has_seq(near_before, &["not", "as"]) || reducing;
            // "the colours are too strong", "the contrast is too low": the size of the noun's
            // quantity, said after it.
            let after_too = after
                .iter()
                .take(4)
                .position(|w| ["too", "overly", "excessively"].contains(w))
                .and_then(|k| after.get(k + 1));
            let said_strong = after_too.is_some_and(|w| STRONG_WORDS.contains(w));
            let said_weak = after_too.is_some_and(|w| WEAK_WORDS.contains(w));
            let noun = matches!(c.kind, Kind::Noun);
            let too_much = has_seq(near_before, &["too", "much"])
                || has_seq(near_before, &["too", "many"])
                || has_seq(near_before, &["so", "much"])
                || (noun && said_strong);
            // "the blacks look washed out / grey / milky": lifted blacks, to be deepened.
            let lifted_blacks = noun
                && matches!(c.attr, Attr::Blacks)
                && after.iter().take(4).any(|w| FADED_WORDS.contains(w));
            // ... and that "washed out" describes the blacks, not the colours.
            if matches!(c.attr, Attr::Saturation)
                && matches!(c.kind, Kind::Adjective(_))
                && near_before
                    .iter()
                    .any(|w| ["blacks", "black", "shadows", "darks"].contains(w))
            {
                i += n;
                continue;
            }
            let not_enough = (noun && said_weak)
                || has_seq(before, &["not", "enough"])
                || after.first() == Some(&"enough") && before.contains(&"not")
                || has_seq(near_before, &["too", "little"])
                || has_seq(near_before, &["lack", "of"])
                || near_before.contains(&"lacks")
                || near_before.contains(&"lacking");
            // "brighten the shadows": the verb acts on the tonal range, not on the whole image.
            let tonal_next = after.iter().take(3).any(|w| {
                [
                    "shadows",
                    "shadow",
                    "highlights",
                    "highlight",
                    "blacks",
                    "darks",
                    "brights",
                    "whites",
                ]
                .contains(w)
            });
            if matches!(c.attr, Attr::Brightness)
                && matches!(c.kind, Kind::Directed(_) | Kind::Adjective(_))
                && tonal_next
            {
                i += n;
                continue;
            }
            // "a blue cast" is a problem to fix; "give it a magenta tint" asks for one.
            let asked = find_any(before, IMPERATIVE).is_some()
                || find_any(
                    before,
                    &[
                        "add", "apply", "with", "want", "slight", "slightly", "subtle", "bit",
                        "touch", "more", "some",
                    ],
                )
                .is_some();
            let cast = matches!(c.kind, Kind::Adjective(_))
                && after.first().is_some_and(|w| {
                    *w == "cast"
                        || *w == "casts"
                        || (["tint", "tone", "tones", "hue"].contains(w) && !asked)
                });
            let requested_tint = matches!(c.kind, Kind::Adjective(_))
                && !cast
                && after
                    .first()
                    .is_some_and(|w| ["tint", "tone", "tones", "hue"].contains(w));
            let mut problem_read = matches!(c.kind, Kind::Problem(_));
            let (dir, conf) = match c.kind {
                Kind::Directed(d) => (if less { d.flip() } else { d }, 1.0),
                Kind::Problem(d) => (d, 1.0),
                Kind::Adjective(d) => {
                    let imperative = find_any(before, IMPERATIVE).is_some();
                    let problem = !not_enough
                        && (cast
                            || near_before
                                .iter()
                                .any(|w| ["too", "overly", "excessively"].contains(w))
                            || (!imperative
                                && near_before.iter().any(|w| PROBLEM_WORDS.contains(w)))
                            || (!imperative
                                && before.is_empty()
                                && after.iter().any(|w| ["lol", "haha", "ugh"].contains(w))));
                    problem_read = problem && !less;
                    let d = if problem { d.flip() } else { d };
                    (if less { d.flip() } else { d }, 0.9)
                }
                Kind::Noun => {
                    problem_read = too_much || not_enough || lifted_blacks;
                    if too_much || lifted_blacks {
                        (Down, 1.0)
                    } else if not_enough {
                        (Up, 1.0)
                    } else if after.first() == Some(&"down") {
                        // "bring the highlights down", "turn the saturation down".
                        (Down, 1.0)
                    } else if after.first() == Some(&"up") {
                        (Up, 1.0)
                    } else {
                        let word_dir = |ws: &[&str]| -> Option<Dir> {
                            // The nearest direction word wins.
                            for k in (0..ws.len()).rev() {
                                if UP_WORDS.iter().any(|u| has_phrase(ws, k, u)) {
                                    return Some(Up);
                                }
                                if DOWN_WORDS.iter().any(|u| has_phrase(ws, k, u)) {
                                    return Some(Down);
                                }
                            }
                            None
                        };
                        // Tonal ranges: verbs mean what they do to the range.
                        let tonal =
                            matches!(c.attr, Attr::Shadows | Attr::Highlights | Attr::Blacks);
                        let tonal_dir = if tonal {
                            // "recover detail in the shadows" lifts them; "recover the highlights"
                            // pulls them down: detail-recovery phrases are checked first.
                            if find_any(
                                before,
                                &[
                                    "recover detail",
                                    "bring out detail",
                                    "bring back detail",
                                    "detail in",
                                ],
                            )
                            .is_some()
                            {
                                Some(Up)
                            } else if find_any(
                                before,
                                &[
                                    "deepen",
                                    "darken",
                                    "crush",
                                    "recover",
                                    "tame",
                                    "tone down",
                                    "pull back",
                                    "pull down",
                                    "control",
                                    "reduce",
                                    "lower",
                                    "dim",
                                    "deep",
                                    "deeper",
                                    "dark",
                                    "darker",
                                    "rich",
                                    "richer",
                                    "inky",
                                    "dense",
                                    "solid",
                                    "true",
                                ],
                            )
                            .is_some()
                            {
                                Some(Down)
                            } else if find_any(
                                before,
                                &[
                                    "lift",
                                    "open",
                                    "open up",
                                    "brighten",
                                    "raise",
                                    "boost",
                                    "lighten",
                                    "bring out",
                                    "fade",
                                    "bright",
                                    "brighter",
                                    "light",
                                    "lighter",
                                    "lifted",
                                    "clean",
                                    "crisp",
                                ],
                            )
                            .is_some()
                            {
                                Some(Up)
                            } else {
                                None
                            }
                        } else {
                            None
                        };
                        match tonal_dir
                            .or_else(|| word_dir(before))
                            .or_else(|| word_dir(&after[..after.len().min(2)]))
                        {
                            Some(d) => (d, 1.0),
                            // "cool the highlights": the range is where another edit happens.
                            None if tonal && !clause_targets.is_empty() => {
                                i += n;
                                continue;
                            }
                            None => (Up, 0.7),
                        }
                    }
                }
            };
            // "the shadows are too dark", "highlights are blown out": the judgement is about the
            // tonal range named before it.
            // Also "make the highlights brighter": a comparative whose object is a tonal range.
            let tonal_subject = if matches!(c.attr, Attr::Brightness) {
                before.iter().rev().find_map(|w| match *w {
                    "shadows" | "shadow" | "darks" => Some(Attr::Shadows),
                    "highlights" | "highlight" | "brights" => Some(Attr::Highlights),
                    "blacks" => Some(Attr::Blacks),
                    _ => None,
                })
            } else {
                None
            };
            let mut t = Target::new(tonal_subject.unwrap_or_else(|| c.attr.clone()), dir);
            t.magnitude = mag;
            if !matches!(c.attr, Attr::Shadows | Attr::Highlights | Attr::Blacks) {
                t.region = region.clone();
            }
            if problem_read && !is_constraint && !out.problems.contains(&t.attr) {
                out.problems.push(t.attr.clone());
            }
            clause_targets.push((t, conf));
            // "green tint", "yellow cast": the following word belongs to this colour.
            i += n + usize::from(cast || requested_tint);
        }
        if is_constraint {
            for (t, _) in clause_targets {
                if !out.kept.contains(&t.attr) {
                    out.kept.push(t.attr);
                }
            }
            continue;
        }
        if clause_targets.is_empty() && find_any(&toks, CONTENT_VERBS).is_some() {
            out.content_edits.push(joined.clone());
            continue;
        }
        out.targets.extend(clause_targets);
    }
    // Deduplicate; explicit words outrank goal-derived targets; two explicit opposite requests
    // are a contradiction.
    let mut ordered: Vec<(usize, (Target, f32))> = out.targets.into_iter().enumerate().collect();
    ordered.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1).then(a.0.cmp(&b.0)));
    let mut uniq: Vec<(Target, f32)> = Vec::new();
    for (_, (t, c)) in ordered {
        if let Some(existing) = uniq
            .iter()
            .find(|(u, _)| u.attr == t.attr && u.region == t.region)
        {
            if existing.0.dir != t.dir && c >= 0.9 && !out.contradictions.contains(&t.attr) {
                out.contradictions.push(t.attr.clone());
            }
            continue;
        }
        uniq.push((t, c));
    }
    out.targets = uniq;
    out
}

fn has_seq(ws: &[&str], seq: &[&str]) -> bool {
    ws.windows(seq.len()).any(|w| w == seq)
}
