//! The instruction generator: from known targets to varied sentences, with ground truth.
//!
//! Phrases come in forms with a slot for magnitude (`{tail}` after an imperative, `{pre}`
//! before a comparative, `{too}` in a problem statement). Sentences combine 1-4 edits in several
//! registers: terse ("warmer, +contrast"), casual ("way too dark lol"), professional ("lift the
//! shadows, add a touch of vibrance"), problem statements ("it's too yellow"), constraints
//! ("brighter but keep the colors"), goals ("make it feel like a summer travel-magazine
//! cover"), local edits ("darken the sky"). A part of the phrases, region words, styles names
//! and two whole registers are *held out*: training sentences never use them, validation
//! sentences always use at least one, to measure generalisation to unseen wording.

use crate::attr::{Attr, Dir, Look, Magnitude, Target, ATOMIC};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use retouch_finish::Region;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Validation,
}

/// The way a generated sentence is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Register {
    /// "warmer, +contrast".
    Terse,
    /// "way too dark lol".
    Casual,
    /// "lift the shadows slightly".
    Professional,
    /// "the shadows are too dark".
    Problem,
    /// "warmer, but keep the brightness".
    Constraint,
    /// "make it look like a travel magazine".
    Goal,
    /// "give it a vintage look".
    Style,
    /// "brighten the sky".
    Local,
}

impl Register {
    pub const ALL: [Register; 8] = [
        Register::Terse,
        Register::Casual,
        Register::Professional,
        Register::Problem,
        Register::Constraint,
        Register::Goal,
        Register::Style,
        Register::Local,
    ];
}

/// A generated instruction with its ground truth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generated {
    pub text: String,
    pub targets: Vec<Target>,
    pub kept: Vec<Attr>,
    pub register: Register,
    pub holdout: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Form {
    Imp,
    Comp,
    Prob,
    Terse,
}

struct Phrase {
    text: &'static str,
    form: Form,
    holdout: bool,
}

const fn p(text: &'static str, form: Form) -> Phrase {
    Phrase {
        text,
        form,
        holdout: false,
    }
}
const fn h(text: &'static str, form: Form) -> Phrase {
    Phrase {
        text,
        form,
        holdout: true,
    }
}

use Form::{Comp, Imp, Prob, Terse};

fn phrases(attr: &Attr, dir: Dir) -> Vec<Phrase> {
    match (attr, dir) {
        (Attr::Brightness, Dir::Up) => vec![
            p("brighten it{tail}", Imp),
            p("raise the exposure{tail}", Imp),
            p("increase the brightness{tail}", Imp),
            p("lighten it up{tail}", Imp),
            p("make it {pre}brighter", Comp),
            p("{pre}brighter", Comp),
            p("+exposure", Terse),
            p("it's {too}dark", Prob),
            p("{too}dark", Prob),
            p("it looks underexposed", Prob),
            p("the photo is {too}dim", Prob),
            h("boost the exposure{tail}", Imp),
            h("make it {pre}lighter", Comp),
            h("this is {too}murky", Prob),
            h("bump up the brightness{tail}", Imp),
        ],
        (Attr::Brightness, Dir::Down) => vec![
            p("darken it{tail}", Imp),
            p("lower the exposure{tail}", Imp),
            p("reduce the brightness{tail}", Imp),
            p("make it {pre}darker", Comp),
            p("{pre}darker", Comp),
            p("-exposure", Terse),
            p("it's {too}bright", Prob),
            p("{too}bright", Prob),
            p("it looks overexposed", Prob),
            h("pull down the exposure{tail}", Imp),
            h("make it {pre}dimmer", Comp),
            h("the image is {too}bright", Prob),
        ],
        (Attr::Contrast, Dir::Up) => vec![
            p("add contrast{tail}", Imp),
            p("increase the contrast{tail}", Imp),
            p("boost the contrast{tail}", Imp),
            p("{pre}more contrast", Comp),
            p("+contrast", Terse),
            p("it's {too}flat", Prob),
            p("{too}flat", Prob),
            h("make it {pre}crisper", Comp),
            h("crank up the contrast{tail}", Imp),
            h("looks {too}flat", Prob),
        ],
        (Attr::Contrast, Dir::Down) => vec![
            p("reduce the contrast{tail}", Imp),
            p("lower the contrast{tail}", Imp),
            p("{pre}less contrast", Comp),
            p("-contrast", Terse),
            p("make it {pre}softer", Comp),
            p("it's {too}harsh", Prob),
            p("{too}contrasty", Prob),
            h("tone down the contrast{tail}", Imp),
            h("make it {pre}flatter", Comp),
            h("there is too much contrast", Prob),
        ],
        (Attr::Shadows, Dir::Up) => vec![
            p("lift the shadows{tail}", Imp),
            p("open up the shadows{tail}", Imp),
            p("brighten the shadows{tail}", Imp),
            p("raise the shadows{tail}", Imp),
            p("the shadows are {too}dark", Prob),
            p("+shadows", Terse),
            h("recover detail in the shadows{tail}", Imp),
            h("lighten the shadows{tail}", Imp),
            h("shadows are {too}murky", Prob),
        ],
        (Attr::Shadows, Dir::Down) => vec![
            p("deepen the shadows{tail}", Imp),
            p("darken the shadows{tail}", Imp),
            p("lower the shadows{tail}", Imp),
            p("-shadows", Terse),
            p("the shadows are {too}bright", Prob),
            h("crush the shadows{tail}", Imp),
            h("make the shadows {pre}darker", Comp),
        ],
        (Attr::Highlights, Dir::Up) => vec![
            p("brighten the highlights{tail}", Imp),
            p("boost the highlights{tail}", Imp),
            p("raise the highlights{tail}", Imp),
            p("+highlights", Terse),
            h("lift the highlights{tail}", Imp),
            h("make the highlights {pre}brighter", Comp),
        ],
        (Attr::Highlights, Dir::Down) => vec![
            p("recover the highlights{tail}", Imp),
            p("tone down the highlights{tail}", Imp),
            p("pull back the highlights{tail}", Imp),
            p("reduce the highlights{tail}", Imp),
            p("-highlights", Terse),
            p("the highlights are {too}bright", Prob),
            p("the highlights are blown out", Prob),
            h("tame the highlights{tail}", Imp),
            h("darken the highlights{tail}", Imp),
        ],
        (Attr::Blacks, Dir::Up) => vec![
            p("lift the blacks{tail}", Imp),
            p("raise the black point{tail}", Imp),
            p("fade the blacks{tail}", Imp),
            p("+blacks", Terse),
            h("make it {pre}faded", Comp),
            h("lift the black level{tail}", Imp),
        ],
        (Attr::Blacks, Dir::Down) => vec![
            p("crush the blacks{tail}", Imp),
            p("deepen the blacks{tail}", Imp),
            p("lower the black point{tail}", Imp),
            p("-blacks", Terse),
            h("darken the blacks{tail}", Imp),
        ],
        (Attr::Temperature, Dir::Up) => vec![
            p("warm it up{tail}", Imp),
            p("make it {pre}warmer", Comp),
            p("{pre}warmer", Comp),
            p("add warmth{tail}", Imp),
            p("+warmth", Terse),
            p("it's {too}blue", Prob),
            p("{too}cold", Prob),
            p("it's {too}cool", Prob),
            p("increase the temperature{tail}", Imp),
            h("make it {pre}more yellow", Comp),
            h("this looks {too}bluish", Prob),
            h("remove the blue cast", Prob),
            h("bump the warmth{tail}", Imp),
        ],
        (Attr::Temperature, Dir::Down) => vec![
            p("cool it down{tail}", Imp),
            p("make it {pre}cooler", Comp),
            p("{pre}cooler", Comp),
            p("reduce the warmth{tail}", Imp),
            p("-warmth", Terse),
            p("it's {too}yellow", Prob),
            p("{too}warm", Prob),
            p("it's {too}orange", Prob),
            p("lower the temperature{tail}", Imp),
            h("make it {pre}bluer", Comp),
            h("get rid of the yellow cast", Prob),
            h("looks {too}orange", Prob),
            h("make it {pre}colder", Comp),
        ],
        (Attr::Tint, Dir::Up) => vec![
            p("it's {too}green", Prob),
            p("remove the green cast", Prob),
            p("add {pre}more magenta", Comp),
            p("+tint", Terse),
            h("make it {pre}more pink", Comp),
            h("looks {too}greenish", Prob),
        ],
        (Attr::Tint, Dir::Down) => vec![
            p("it's {too}magenta", Prob),
            p("it's {too}pink", Prob),
            p("make it {pre}greener", Comp),
            p("-tint", Terse),
            h("remove the magenta cast", Prob),
            h("looks {too}purple", Prob),
        ],
        (Attr::Saturation, Dir::Up) => vec![
            p("increase the saturation{tail}", Imp),
            p("boost the colors{tail}", Imp),
            p("make it {pre}more colorful", Comp),
            p("{pre}more saturated", Comp),
            p("+saturation", Terse),
            p("it's {too}dull", Prob),
            p("the colors are {too}dull", Prob),
            p("{too}washed out", Prob),
            p("saturate it{tail}", Imp),
            h("make the colors {pre}richer", Comp),
            h("looks {too}drab", Prob),
            h("+sat", Terse),
            h("make it {pre}more vivid", Comp),
        ],
        (Attr::Saturation, Dir::Down) => vec![
            p("reduce the saturation{tail}", Imp),
            p("desaturate it{tail}", Imp),
            p("tone down the colors{tail}", Imp),
            p("{pre}less saturated", Comp),
            p("-saturation", Terse),
            p("it's {too}saturated", Prob),
            p("the colors are {too}loud", Prob),
            p("mute the colors{tail}", Imp),
            h("lower the saturation{tail}", Imp),
            h("colors look {too}garish", Prob),
            h("-sat", Terse),
        ],
        (Attr::Vibrance, Dir::Up) => vec![
            p("add vibrance{tail}", Imp),
            p("increase the vibrance{tail}", Imp),
            p("make it {pre}more vibrant", Comp),
            p("+vibrance", Terse),
            p("boost the vibrance{tail}", Imp),
            h("add some vibrancy{tail}", Imp),
            h("raise the vibrance{tail}", Imp),
        ],
        (Attr::Vibrance, Dir::Down) => vec![
            p("reduce the vibrance{tail}", Imp),
            p("lower the vibrance{tail}", Imp),
            p("{pre}less vibrance", Comp),
            p("-vibrance", Terse),
            h("tone down the vibrance{tail}", Imp),
            h("less vibrancy", Terse),
        ],
        (Attr::Monochrome, _) => vec![
            p("make it black and white", Imp),
            p("convert to black and white", Imp),
            p("black and white", Terse),
            p("make it monochrome", Imp),
            p("b&w", Terse),
            h("turn it grayscale", Imp),
            h("go monochrome", Imp),
        ],
        (Attr::Style(_), _) => vec![],
    }
}

/// Style names by style, held-out names marked.
fn style_names(style: Look) -> Vec<(&'static str, bool)> {
    match style {
        Look::Cinematic => vec![
            ("cinematic", false),
            ("teal and orange", false),
            ("Hollywood", true),
        ],
        Look::Vintage => vec![
            ("vintage", false),
            ("retro", false),
            ("faded film", false),
            ("nostalgic", true),
        ],
        Look::Matte => vec![("matte", false)],
        Look::HighKey => vec![
            ("bright and airy", false),
            ("high-key", false),
            ("light and airy", true),
        ],
        Look::LowKey => vec![
            ("dark and moody", false),
            ("moody", false),
            ("low-key", true),
        ],
        Look::GoldenHour => vec![
            ("golden hour", false),
            ("golden", false),
            ("sunset glow", true),
        ],
        Look::Winter => vec![("wintry", false), ("winter", false), ("frosty", true)],
        Look::Pastel => vec![("pastel", false)],
        Look::Punchy => vec![("punchy", false)],
        Look::Dreamy => vec![
            ("dreamy", false),
            ("soft and dreamy", false),
            ("ethereal", true),
        ],
        Look::BleachBypass => vec![("bleach bypass", false), ("bleached", true)],
        Look::Sepia => vec![("sepia", false)],
        Look::Noir => vec![("noir", false), ("film noir", true)],
    }
}

const STYLE_TEMPLATES: [(&str, bool); 8] = [
    ("give it a {s} look", false),
    ("make it {s}", false),
    ("{s} please", false),
    ("I want a {s} feel", false),
    ("go for a {s} vibe", false),
    ("{s} style", false),
    ("turn it into something {s}", true),
    ("could it look more {s}", true),
];

/// Regions with their words (held-out words marked).
const REGIONS: [(Region, &[(&str, bool)]); 4] = [
    (Region::Sky, &[("the sky", false), ("the clouds", true)]),
    (
        Region::Greens,
        &[
            ("the greens", false),
            ("the foliage", false),
            ("the grass", true),
            ("the trees", true),
        ],
    ),
    (
        Region::Skin,
        &[
            ("the skin tones", false),
            ("the skin", false),
            ("the complexion", true),
        ],
    ),
    (Region::Top, &[("the top", false), ("the upper part", true)]),
];

/// Local edits: (attr, dir, template with {r}).
const LOCAL: [(Attr, Dir, &str, bool); 8] = [
    (Attr::Brightness, Dir::Down, "darken {r}{tail}", false),
    (Attr::Brightness, Dir::Up, "brighten {r}{tail}", false),
    (Attr::Saturation, Dir::Up, "make {r} {pre}more vivid", false),
    (Attr::Saturation, Dir::Down, "desaturate {r}{tail}", false),
    (Attr::Temperature, Dir::Up, "warm up {r}{tail}", false),
    (Attr::Temperature, Dir::Down, "make {r} {pre}cooler", false),
    (Attr::Contrast, Dir::Up, "add contrast to {r}{tail}", true),
    (Attr::Brightness, Dir::Down, "make {r} {pre}darker", true),
];

/// Goal sentences and what they mean.
fn goals() -> Vec<(&'static str, Vec<Target>, bool)> {
    let t = |a: Attr, d: Dir| Target::new(a, d);
    vec![
        (
            "make it feel like a summer travel-magazine cover",
            vec![
                t(Attr::Temperature, Dir::Up),
                t(Attr::Vibrance, Dir::Up),
                t(Attr::Contrast, Dir::Up),
            ],
            false,
        ),
        (
            "give it a travel magazine feel",
            vec![t(Attr::Vibrance, Dir::Up), t(Attr::Contrast, Dir::Up)],
            false,
        ),
        (
            "make it look summery",
            vec![t(Attr::Temperature, Dir::Up), t(Attr::Vibrance, Dir::Up)],
            false,
        ),
        (
            "make it more dramatic",
            vec![t(Attr::Contrast, Dir::Up)],
            false,
        ),
        (
            "it needs more drama",
            vec![t(Attr::Contrast, Dir::Up)],
            true,
        ),
        (
            "I want it to look like a magazine cover",
            vec![t(Attr::Vibrance, Dir::Up), t(Attr::Contrast, Dir::Up)],
            true,
        ),
        (
            "give it a warm, cozy feel",
            vec![t(Attr::Temperature, Dir::Up)],
            false,
        ),
    ]
}

/// Things a constraint may name: (words, attribute).
const KEEPABLE: [(&str, Attr, bool); 5] = [
    ("the colors", Attr::Saturation, false),
    ("the brightness", Attr::Brightness, false),
    ("the contrast", Attr::Contrast, false),
    ("the white balance", Attr::Temperature, true),
    ("the exposure", Attr::Brightness, true),
];

const CONSTRAINT_TEMPLATES: [(&str, bool); 4] = [
    (" but keep {k}", false),
    (", keep {k} the same", false),
    (" without changing {k}", false),
    (" while preserving {k}", true),
];

pub struct Generator {
    rng: ChaCha8Rng,
    split: Split,
}

fn mag_words(form: Form, m: Magnitude, r: &mut ChaCha8Rng) -> String {
    let pick = |v: &[&str], r: &mut ChaCha8Rng| v.choose(r).copied().unwrap_or("").to_string();
    match (form, m) {
        (_, Magnitude::Moderate) => String::new(),
        (Form::Imp, Magnitude::Slight) => pick(
            &[
                " slightly",
                " a bit",
                " a little",
                " a touch",
                " subtly",
                " a tad",
            ],
            r,
        ),
        (Form::Imp, Magnitude::Strong) => pick(
            &[" a lot", " dramatically", " significantly", " heavily"],
            r,
        ),
        (Form::Comp, Magnitude::Slight) => {
            pick(&["slightly ", "a bit ", "a little ", "a touch "], r)
        }
        (Form::Comp, Magnitude::Strong) => pick(&["much ", "way ", "a lot ", "significantly "], r),
        (Form::Prob, Magnitude::Slight) => {
            pick(&["a bit too ", "slightly too ", "a little too "], r)
        }
        (Form::Prob, Magnitude::Strong) => pick(&["way too ", "much too ", "far too "], r),
        (Form::Terse, _) => String::new(),
    }
}

fn fill(text: &str, form: Form, m: Magnitude, r: &mut ChaCha8Rng) -> String {
    let w = mag_words(form, m, r);
    let too = if form == Form::Prob && m == Magnitude::Moderate {
        "too ".to_string()
    } else {
        w.clone()
    };
    text.replace("{tail}", if form == Form::Imp { &w } else { "" })
        .replace("{pre}", if form == Form::Comp { &w } else { "" })
        .replace("{too}", &too)
}

/// Whether a phrase conveys a magnitude (terse forms and fixed problem phrases do not).
fn carries_magnitude(text: &str) -> bool {
    text.contains("{tail}") || text.contains("{pre}") || text.contains("{too}")
}

/// The generator's training words for `targets` in `register`, the same words every time
/// (one fixed seed): what the generator network's sentence encoder is shown for a reading,
/// whatever words the reading came from. The network was trained on these words only, and
/// the embedding of words outside them moves its edit: on the validation split's held-out
/// wordings ("could it look more low-key") the looks were made at 0.11-0.98 of the reference
/// edit's strength, and at 0.96-1.24 when the same targets were given in these words
/// (`cargo run --release -p retouch-eval --example wording_gap`). `None` for no targets.
pub fn training_words(targets: &[Target], register: Register) -> Option<String> {
    const SEED: u64 = 0x7e47_0000_0000_0001;
    if targets.is_empty() {
        return None;
    }
    Some(
        Generator::new(SEED, Split::Train)
            .describe(targets, &[register])
            .text,
    )
}

impl Generator {
    pub fn new(seed: u64, split: Split) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            split,
        }
    }

    fn allowed(&self, holdout: bool) -> bool {
        self.split == Split::Validation || !holdout
    }

    fn magnitude(&mut self) -> Magnitude {
        *[
            Magnitude::Slight,
            Magnitude::Moderate,
            Magnitude::Moderate,
            Magnitude::Strong,
        ]
        .choose(&mut self.rng)
        .unwrap_or(&Magnitude::Moderate)
    }

    /// One atomic edit as a phrase: (text, target, used a held-out phrase).
    fn atom(&mut self, attr: &Attr, dir: Dir, forms: &[Form]) -> Option<(String, Target, bool)> {
        let split = self.split;
        let all = phrases(attr, dir);
        let cands: Vec<&Phrase> = all
            .iter()
            .filter(|p| forms.contains(&p.form) && (split == Split::Validation || !p.holdout))
            .collect();
        let ph = cands.choose(&mut self.rng)?;
        let mut m = self.magnitude();
        if !carries_magnitude(ph.text) {
            m = Magnitude::Moderate;
        }
        let text = fill(ph.text, ph.form, m, &mut self.rng);
        let mut t = Target::new(*attr, if attr.one_way() { Dir::Up } else { dir });
        t.magnitude = m;
        Some((text, t, ph.holdout))
    }

    /// Put given targets into words, in one of `registers` (terse, casual, professional,
    /// problem; the others are written as professional). Styles become style phrases;
    /// targets with a region become local phrases.
    /// The returned targets carry the magnitude the *text* expresses (a terse "+exposure" says
    /// nothing about how much).
    pub fn describe(&mut self, targets: &[Target], registers: &[Register]) -> Generated {
        let register = *registers
            .choose(&mut self.rng)
            .unwrap_or(&Register::Professional);
        let forms: &[Form] = match register {
            Register::Terse => &[Terse, Comp],
            Register::Casual => &[Comp, Prob, Imp],
            Register::Problem => &[Prob],
            _ => &[Imp, Comp],
        };
        let mut parts = Vec::new();
        let mut said = Vec::new();
        let mut holdout = false;
        for t in targets {
            if let Attr::Style(name) = &t.attr {
                let mut names: Vec<(&str, bool)> = style_names(*name)
                    .into_iter()
                    .filter(|n| self.allowed(n.1))
                    .collect();
                let mut tmpls: Vec<&(&str, bool)> = STYLE_TEMPLATES
                    .iter()
                    .filter(|x| self.allowed(x.1))
                    .collect();
                if self.split == Split::Validation {
                    if names.iter().any(|n| n.1) {
                        names.retain(|n| n.1);
                    }
                    tmpls.retain(|t| t.1);
                }
                let (n, ho) = *names.choose(&mut self.rng).unwrap_or(&("vintage", false));
                let (tm, ho2) = **tmpls.choose(&mut self.rng).unwrap_or(&&STYLE_TEMPLATES[0]);
                parts.push(tm.replace("{s}", n));
                let mut u = *t;
                u.magnitude = Magnitude::Moderate;
                said.push(u);
                holdout |= ho || ho2;
                continue;
            }
            if let Some(region) = t.region {
                let mut words: Vec<(&str, bool)> = REGIONS
                    .iter()
                    .filter(|(r, _)| *r == region.trained_as())
                    .flat_map(|(_, ws)| ws.iter().copied())
                    .filter(|w| self.allowed(w.1))
                    .collect();
                if self.split == Split::Validation && words.iter().any(|w| w.1) {
                    words.retain(|w| w.1);
                }
                let locals: Vec<&(Attr, Dir, &str, bool)> = LOCAL
                    .iter()
                    .filter(|l| l.0 == t.attr && l.1 == t.dir && self.allowed(l.3))
                    .collect();
                if let (Some((w, ho1)), Some((_, _, tmpl, ho2))) = (
                    words.choose(&mut self.rng).copied(),
                    locals.choose(&mut self.rng).copied(),
                ) {
                    let form = if tmpl.contains("{pre}") {
                        Form::Comp
                    } else {
                        Form::Imp
                    };
                    parts.push(fill(
                        &tmpl.replace("{r}", w),
                        form,
                        t.magnitude,
                        &mut self.rng,
                    ));
                    said.push(*t);
                    holdout |= ho1 || *ho2;
                    continue;
                }
            }
            // Prefer phrases that carry the magnitude; a problem form needs a problem phrase.
            let all = phrases(&t.attr, t.dir);
            let mut cands: Vec<&Phrase> = all
                .iter()
                .filter(|p| forms.contains(&p.form) && self.allowed(p.holdout))
                .collect();
            if cands.is_empty() {
                cands = all.iter().filter(|p| self.allowed(p.holdout)).collect();
            }
            // Validation sentences are for unseen wording: use held-out phrases where they exist.
            if self.split == Split::Validation {
                let held: Vec<&Phrase> = all.iter().filter(|p| p.holdout).collect();
                if !held.is_empty() {
                    cands = held;
                }
            }
            let with_mag: Vec<&Phrase> = cands
                .iter()
                .copied()
                .filter(|p| carries_magnitude(p.text))
                .collect();
            let pool = if t.magnitude != Magnitude::Moderate && !with_mag.is_empty() {
                with_mag
            } else {
                cands
            };
            if let Some(ph) = pool.choose(&mut self.rng) {
                let m = if carries_magnitude(ph.text) {
                    t.magnitude
                } else {
                    Magnitude::Moderate
                };
                parts.push(fill(ph.text, ph.form, m, &mut self.rng));
                let mut u = *t;
                u.magnitude = m;
                u.region = None;
                said.push(u);
                holdout |= ph.holdout;
            }
        }
        let text = match register {
            Register::Terse => parts.join(", "),
            Register::Problem => parts.join(" and "),
            _ => join_natural(&parts, &mut self.rng),
        };
        Generated {
            text,
            targets: said,
            kept: vec![],
            register,
            holdout,
        }
    }

    /// A sentence; validation sentences always contain something held out.
    pub fn random(&mut self) -> Generated {
        for _ in 0..50 {
            let g = self.try_random();
            if self.split == Split::Train || g.holdout {
                return g;
            }
        }
        self.try_random()
    }

    fn pick_attrs(&mut self, k: usize) -> Vec<(Attr, Dir)> {
        let mut attrs: Vec<Attr> = ATOMIC.to_vec();
        attrs.shuffle(&mut self.rng);
        attrs
            .into_iter()
            .take(k)
            .map(|a| {
                let d = if a.one_way() || self.rng.gen_bool(0.5) {
                    Dir::Up
                } else {
                    Dir::Down
                };
                (a, d)
            })
            .collect()
    }

    fn try_random(&mut self) -> Generated {
        let register = *Register::ALL
            .choose(&mut self.rng)
            .unwrap_or(&Register::Professional);
        let mut holdout = false;
        let mut targets = Vec::new();
        let mut kept = Vec::new();
        let mut parts: Vec<String> = Vec::new();
        let k = *[1usize, 1, 2, 2, 3, 4].choose(&mut self.rng).unwrap_or(&1);
        let text = match register {
            Register::Terse
            | Register::Professional
            | Register::Casual
            | Register::Problem
            | Register::Constraint => {
                let forms: &[Form] = match register {
                    Register::Terse => &[Terse, Comp],
                    Register::Professional => &[Imp],
                    Register::Casual => &[Comp, Prob, Imp],
                    Register::Problem => &[Prob],
                    _ => &[Imp, Comp],
                };
                for (a, d) in self.pick_attrs(k) {
                    if let Some((t, tg, ho)) = self.atom(&a, d, forms) {
                        parts.push(t);
                        targets.push(tg);
                        holdout |= ho;
                    }
                }
                if parts.is_empty() {
                    let (t, tg, ho) = self
                        .atom(&Attr::Brightness, Dir::Up, &[Imp])
                        .unwrap_or_default_atom();
                    parts.push(t);
                    targets.push(tg);
                    holdout |= ho;
                }
                let body = match register {
                    Register::Terse => parts.join(", "),
                    Register::Problem => {
                        let joiner = *[" and ", ", ", " and also "]
                            .choose(&mut self.rng)
                            .unwrap_or(&" and ");
                        parts.join(joiner)
                    }
                    _ => join_natural(&parts, &mut self.rng),
                };
                match register {
                    Register::Casual => {
                        let statement = [
                            "it", "the ", "this", "looks", "too", "a bit", "way", "much", "far",
                            "slightly", "a little",
                        ]
                        .iter()
                        .any(|w| body.starts_with(w));
                        let pre = if statement {
                            *["", "hmm, ", "ugh, ", "honestly "]
                                .choose(&mut self.rng)
                                .unwrap_or(&"")
                        } else {
                            *["", "can you ", "pls ", "could you ", "hey, "]
                                .choose(&mut self.rng)
                                .unwrap_or(&"")
                        };
                        let post = *["", " lol", " pls", " thx", "!", " thanks"]
                            .choose(&mut self.rng)
                            .unwrap_or(&"");
                        format!("{pre}{body}{post}")
                    }
                    Register::Constraint => {
                        let options: Vec<&(&str, Attr, bool)> = KEEPABLE
                            .iter()
                            .filter(|(_, a, ho)| {
                                !targets.iter().any(|t: &Target| &t.attr == a) && self.allowed(*ho)
                            })
                            .collect();
                        let tmpl: Vec<&(&str, bool)> = CONSTRAINT_TEMPLATES
                            .iter()
                            .filter(|(_, ho)| self.allowed(*ho))
                            .collect();
                        match (options.choose(&mut self.rng), tmpl.choose(&mut self.rng)) {
                            (Some((words, attr, ho1)), Some((t, ho2))) => {
                                kept.push(*attr);
                                holdout |= *ho1 || *ho2;
                                format!("{body}{}", t.replace("{k}", words))
                            }
                            _ => body,
                        }
                    }
                    _ => body,
                }
            }
            Register::Goal => {
                let gs: Vec<(&str, Vec<Target>, bool)> =
                    goals().into_iter().filter(|g| self.allowed(g.2)).collect();
                let (t, ts, ho) =
                    gs.choose(&mut self.rng)
                        .cloned()
                        .unwrap_or(("make it summery", vec![], false));
                targets.extend(ts);
                holdout |= ho;
                t.to_string()
            }
            Register::Style => {
                let style = *Look::ALL.choose(&mut self.rng).unwrap_or(&Look::Vintage);
                let names: Vec<(&str, bool)> = style_names(style)
                    .into_iter()
                    .filter(|n| self.allowed(n.1))
                    .collect();
                let tmpls: Vec<&(&str, bool)> = STYLE_TEMPLATES
                    .iter()
                    .filter(|t| self.allowed(t.1))
                    .collect();
                let (name, ho1) = *names.choose(&mut self.rng).unwrap_or(&("vintage", false));
                let (tmpl, ho2) = **tmpls.choose(&mut self.rng).unwrap_or(&&STYLE_TEMPLATES[0]);
                holdout |= ho1 || ho2;
                targets.push(Target::new(Attr::Style(style), Dir::Up));
                let mut s = tmpl.replace("{s}", name);
                // Sometimes one more atomic edit.
                if self.rng.gen_bool(0.4) {
                    let (a, d) = self.pick_attrs(1)[0];
                    if let Some((t, tg, ho)) = self.atom(&a, d, &[Imp, Comp]) {
                        s = format!("{s}, and {t}");
                        targets.push(tg);
                        holdout |= ho;
                    }
                }
                s
            }
            _ => {
                // Local.
                let regions: Vec<(Region, &str, bool)> = REGIONS
                    .iter()
                    .flat_map(|(r, ws)| ws.iter().map(move |(w, ho)| (*r, *w, *ho)))
                    .filter(|x| self.allowed(x.2))
                    .collect();
                let locals: Vec<&(Attr, Dir, &str, bool)> =
                    LOCAL.iter().filter(|l| self.allowed(l.3)).collect();
                let (region, words, ho1) =
                    *regions
                        .choose(&mut self.rng)
                        .unwrap_or(&(Region::Sky, "the sky", false));
                let (attr, dir, tmpl, ho2) = *locals.choose(&mut self.rng).unwrap_or(&&LOCAL[0]);
                holdout |= ho1 || *ho2;
                let form = if tmpl.contains("{pre}") {
                    Form::Comp
                } else {
                    Form::Imp
                };
                let m = self.magnitude();
                let text = fill(&tmpl.replace("{r}", words), form, m, &mut self.rng);
                let mut t = Target::new(*attr, *dir);
                t.magnitude = m;
                t.region = Some(region);
                targets.push(t);
                text
            }
        };
        let text = if self.rng.gen_bool(0.3) {
            capitalise(&text)
        } else {
            text
        };
        Generated {
            text,
            targets,
            kept,
            register,
            holdout,
        }
    }
}

trait OrDefaultAtom {
    fn unwrap_or_default_atom(self) -> (String, Target, bool);
}
impl OrDefaultAtom for Option<(String, Target, bool)> {
    fn unwrap_or_default_atom(self) -> (String, Target, bool) {
        self.unwrap_or_else(|| {
            (
                "brighten it".into(),
                Target::new(Attr::Brightness, Dir::Up),
                false,
            )
        })
    }
}

fn join_natural(parts: &[String], r: &mut ChaCha8Rng) -> String {
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => {
            let last = *[", and ", " and ", ", then ", "; "]
                .choose(r)
                .unwrap_or(&" and ");
            format!("{}{last}{}", parts[..n - 1].join(", "), parts[n - 1])
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
