//! The matcher's lexicon: concept words and the attribute each names with its kind of
//! direction, the phrase table (multi-word styles and goals, merged with the concept lexicon
//! of `crate::concepts`), and the word lists the resolution reads (direction words, problem
//! words, imperatives, constraints, content verbs, amounts, regions).

use crate::attr::{Attr, Dir, Look, Target};
use retouch_finish::Region;
use Dir::{Down, Up};

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// Comparative or verb: the direction is what is asked.
    Directed(Dir),
    /// Adjective: asked as is after make/more; flipped in a problem statement.
    Adjective(Dir),
    /// Noun: direction from a nearby direction word (default up).
    Noun,
    /// A problem noun whose fix has this direction ("underexposed" -> up).
    Problem(Dir),
}

pub(super) struct Concept {
    pub(super) words: &'static [&'static str],
    pub(super) attr: Attr,
    pub(super) kind: Kind,
}

pub(super) fn concepts() -> Vec<Concept> {
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
                "brightening",
                "lightening",
                "more light",
                "add light",
                "lift it",
            ],
            Attr::Brightness,
            Kind::Directed(Up),
        ),
        c(
            &[
                "darker",
                "darken",
                "darkened",
                "darkening",
                "dimmer",
                "dim down",
            ],
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
                "blown",
                "glare",
                "clipped",
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
        c(
            &["high contrast", "higher contrast", "hard contrast"],
            Attr::Contrast,
            Kind::Directed(Up),
        ),
        c(
            &["flatter", "low contrast", "lower contrast"],
            Attr::Contrast,
            Kind::Directed(Down),
        ),
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
        c(&["blacker"], Attr::Blacks, Kind::Directed(Down)),
        c(&["whiter"], Attr::Highlights, Kind::Directed(Up)),
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
            &[
                "cool",
                "cold",
                "blue",
                "bluish",
                "blueish",
                "icy blue",
                "teal",
                "cyan",
                "turquoise",
            ],
            Attr::Temperature,
            Kind::Adjective(Down),
        ),
        c(
            &["warmth", "temperature", "white balance"],
            Attr::Temperature,
            Kind::Noun,
        ),
        c(
            &[
                "magenta", "pink", "pinkish", "purple", "purplish", "red", "reddish", "rosy",
            ],
            Attr::Tint,
            Kind::Adjective(Up),
        ),
        c(
            &["redder", "pinker", "more magenta", "more pink", "more red"],
            Attr::Tint,
            Kind::Directed(Up),
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
pub(super) fn phrase_table() -> &'static [(String, Vec<Target>, bool)] {
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
            NEGATORS,
            OVERDO,
            DISLIKE,
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
pub(super) fn phrases() -> Vec<(&'static str, Vec<Target>)> {
    let s = |look: Look| Target::new(Attr::Style(look), Up);
    let t = |a: Attr, d: Dir| Target::new(a, d);
    vec![
        ("film noir", vec![s(Look::Noir)]),
        ("noir", vec![s(Look::Noir)]),
        ("teal and orange", vec![s(Look::Cinematic)]),
        ("orange and teal", vec![s(Look::Cinematic)]),
        ("cinematic", vec![s(Look::Cinematic)]),
        ("like a movie", vec![s(Look::Cinematic)]),
        ("movie look", vec![s(Look::Cinematic)]),
        ("movie still", vec![s(Look::Cinematic)]),
        ("hollywood", vec![s(Look::Cinematic)]),
        ("blockbuster", vec![s(Look::Cinematic)]),
        ("faded film", vec![s(Look::Vintage)]),
        ("faded vintage", vec![s(Look::Vintage)]),
        ("old film", vec![s(Look::Vintage)]),
        ("analog film", vec![s(Look::Vintage)]),
        ("vintage", vec![s(Look::Vintage)]),
        ("retro", vec![s(Look::Vintage)]),
        ("nostalgic", vec![s(Look::Vintage)]),
        ("70s", vec![s(Look::Vintage)]),
        ("matte", vec![s(Look::Matte)]),
        ("bright and airy", vec![s(Look::HighKey)]),
        ("light and airy", vec![s(Look::HighKey)]),
        ("high key", vec![s(Look::HighKey)]),
        ("airy", vec![s(Look::HighKey)]),
        ("dark and moody", vec![s(Look::LowKey)]),
        ("low key", vec![s(Look::LowKey)]),
        ("moody", vec![s(Look::LowKey)]),
        ("golden hour", vec![s(Look::GoldenHour)]),
        ("sunset glow", vec![s(Look::GoldenHour)]),
        ("golden light", vec![s(Look::GoldenHour)]),
        ("golden", vec![s(Look::GoldenHour)]),
        ("wintry", vec![s(Look::Winter)]),
        ("winter", vec![s(Look::Winter)]),
        ("frosty", vec![s(Look::Winter)]),
        ("pastel", vec![s(Look::Pastel)]),
        ("punchy", vec![s(Look::Punchy)]),
        ("make it pop", vec![s(Look::Punchy)]),
        ("pop", vec![s(Look::Punchy)]),
        ("soft and dreamy", vec![s(Look::Dreamy)]),
        ("dreamy", vec![s(Look::Dreamy)]),
        ("dreamlike", vec![s(Look::Dreamy)]),
        ("ethereal", vec![s(Look::Dreamy)]),
        ("bleach bypass", vec![s(Look::BleachBypass)]),
        ("bleached", vec![s(Look::BleachBypass)]),
        ("sepia", vec![s(Look::Sepia)]),
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

/// What asking for less of a look asks for ("less punchy", "not so moody", "tone down the
/// vintage look"): the changes that take the look's character back, since the network makes a
/// look only one way. Looks without a clear opposite take back their strongest trait.
pub(super) fn taken_away(look: Look) -> Vec<Target> {
    let t = |a: Attr, d: Dir| Target::new(a, d);
    match look {
        Look::Punchy => vec![t(Attr::Contrast, Down), t(Attr::Saturation, Down)],
        Look::LowKey => vec![t(Attr::Brightness, Up), t(Attr::Shadows, Up)],
        Look::HighKey => vec![t(Attr::Brightness, Down)],
        Look::Matte => vec![t(Attr::Blacks, Down)],
        Look::Vintage => vec![t(Attr::Blacks, Down), t(Attr::Saturation, Up)],
        Look::Pastel => vec![t(Attr::Saturation, Up), t(Attr::Contrast, Up)],
        Look::Dreamy => vec![t(Attr::Contrast, Up)],
        Look::GoldenHour => vec![t(Attr::Temperature, Down)],
        Look::Winter => vec![t(Attr::Temperature, Up)],
        Look::BleachBypass => vec![t(Attr::Saturation, Up), t(Attr::Contrast, Down)],
        Look::Sepia => vec![t(Attr::Saturation, Up)],
        Look::Noir => vec![t(Attr::Saturation, Up), t(Attr::Contrast, Down)],
        Look::Cinematic => vec![t(Attr::Contrast, Down)],
    }
}

/// Words before a look or recipe that ask for less of it ("less", "too", "not so", "tone
/// down", the reducing verbs).
pub(super) const LESSENING: &[&str] = &[
    "less",
    "too",
    "overly",
    "clear up",
    "cut through",
    "not so",
    "not as",
    "not that",
    "tone down",
    "dial back",
    "dial down",
];

pub(super) const UP_WORDS: &[&str] = &[
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
pub(super) const DOWN_WORDS: &[&str] = &[
    "decrease",
    "reduce",
    "lower",
    "less",
    "cut",
    "drop",
    "minus",
    "-",
    "tone down",
    "down",
    "knock back",
    "back off",
    "scale back",
    "ease off",
    "go easy on",
    "rein in",
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
pub(super) const PROBLEM_WORDS: &[&str] = &[
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
pub(super) const REDUCE_VERBS: &[&str] = &[
    "reduce",
    "undo",
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
    "tone down",
    "dial back",
    "dial down",
];

/// Sizes said after a noun ("the colours are too strong"): too much of it.
pub(super) const STRONG_WORDS: &[&str] = &[
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
pub(super) const WEAK_WORDS: &[&str] =
    &["weak", "low", "faint", "little", "subtle", "small", "timid"];

/// What lifted blacks look like ("the blacks look washed out").
pub(super) const FADED_WORDS: &[&str] = &[
    "washed", "faded", "grey", "gray", "greyish", "grayish", "milky", "muddy", "lifted", "hazy",
];

/// Nouns after a colour word that make it a cast to remove ("a blue cast").
pub(super) const CAST_WORDS: &[&str] = &["cast", "casts"];

/// ... or, unless the sentence asks for one ("give it a magenta tint"), a tint.
pub(super) const TINT_WORDS: &[&str] = &["tint", "tone", "tones", "hue"];

pub(super) const IMPERATIVE: &[&str] = &[
    "make", "go", "turn", "give", "get", "render", "want", "like", "more", "less", "add",
];
/// Words that say a quantity is too much without "too" ("the colours are screaming").
pub(super) const EXCESSIVE_WORDS: &[&str] = &[
    "screaming",
    "shouting",
    "garish",
    "overdone",
    "overpowering",
    "oversaturated",
    "nuclear",
    "radioactive",
    "neon",
    "blinding",
    "over the top",
];
pub(super) const CONSTRAINT: &[&str] = &[
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
    "as it is",
    "as they are",
    "stay",
    "stays",
    "remain",
    "remains",
    "intact",
    "not touch",
    "not change",
    "no need",
];

/// Words that say what the user dislikes ("i don't like the green", "i hate the yellow"):
/// less of what follows, not a constraint.
pub(crate) const DISLIKE: &[&str] = &[
    "don t like",
    "do not like",
    "dont like",
    "dislike",
    "hate",
    "can t stand",
    "not a fan of",
    "not fond of",
];
/// Words that refuse what follows them ("no sepia", "not so cold", "avoid making it any
/// darker", "stop making everything so yellow", "it shouldn't be this loud").
pub(super) const NEGATORS: &[&str] = &[
    "no",
    "not",
    "never",
    "avoid",
    "avoiding",
    "nope",
    "stop",
    "nothing",
    "neither",
    "nor",
    "shouldn t",
    "shouldnt",
    "mustn t",
    "mustnt",
];

/// Words that may stand between a negator and what it refuses ("no more contrast", "not so
/// cold", "avoid making it any darker").
pub(super) const NEGATION_GAP: &[&str] = &[
    "make",
    "the",
    "a",
    "an",
    "any",
    "more",
    "it",
    "its",
    "making",
    "getting",
    "so",
    "this",
    "that",
    "such",
    "be",
    "look",
    "looking",
    "everything",
    "all",
    "of",
    "things",
    "very",
    "overly",
];

/// Words of restraint that turn a "don't" clause into a request for a little ("don't overdo
/// the saturation", "don't go overboard with the warmth").
pub(crate) const OVERDO: &[&str] = &[
    "overdo",
    "overdoing",
    "overboard",
    "go too far",
    "overcook",
    "overcooking",
];

pub(super) const CONTENT_VERBS: &[&str] = &[
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
pub(super) const SLIGHT: &[&str] = &[
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
pub(super) const STRONG: &[&str] = &[
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
/// Region words -> region, first match wins: specific places (the sky, the face) before the
/// people, the people before the frame's parts.
pub(super) const REGIONS: &[(&str, Region)] = &[
    ("sky", Region::Sky),
    ("skies", Region::Sky),
    ("clouds", Region::Sky),
    ("greens", Region::Greens),
    ("foliage", Region::Greens),
    ("grass", Region::Greens),
    ("trees", Region::Greens),
    ("leaves", Region::Greens),
    ("vegetation", Region::Greens),
    ("skin", Region::Skin),
    ("skin tones", Region::Skin),
    ("complexion", Region::Skin),
    ("face", Region::Face),
    ("faces", Region::Face),
    ("person", Region::Person),
    ("people", Region::Person),
    ("persons", Region::Person),
    ("subject", Region::Person),
    ("subjects", Region::Person),
    ("man", Region::Person),
    ("men", Region::Person),
    ("woman", Region::Person),
    ("women", Region::Person),
    ("girl", Region::Person),
    ("boy", Region::Person),
    ("child", Region::Person),
    ("children", Region::Person),
    ("kid", Region::Person),
    ("kids", Region::Person),
    ("baby", Region::Person),
    ("couple", Region::Person),
    ("bride", Region::Person),
    ("groom", Region::Person),
    ("model", Region::Person),
    ("background", Region::Background),
    ("backdrop", Region::Background),
    ("surroundings", Region::Background),
    ("behind them", Region::Background),
    ("behind her", Region::Background),
    ("behind him", Region::Background),
    ("top", Region::Top),
    ("upper half", Region::Top),
    ("upper part", Region::Top),
    ("bottom", Region::Bottom),
    ("lower half", Region::Bottom),
    ("lower part", Region::Bottom),
    ("foreground", Region::Bottom),
    ("left side", Region::Left),
    ("right side", Region::Right),
    ("center", Region::Center),
    ("middle", Region::Center),
    ("edges", Region::Edges),
    ("corners", Region::Edges),
];

/// Where clauses split (punctuation and connectives).
pub(super) const SPLITTERS: &[&str] = &[
    ",", "and", "but", "then", "plus", "also", "while", "whilst", "yet", "with",
];
