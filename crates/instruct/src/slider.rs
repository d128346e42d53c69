//! Slider syntax, as editing software shows it: "exposure +0.5", "+1 stop", "-0.7 EV",
//! "temperature +500K", "warmer by 800 k", "contrast: -30", "shadows +40", "saturation 20%".
//! Each setting is rewritten into the words the matcher reads ("exposure +0.5" -> "brighter",
//! "contrast -30" -> "less contrast", "+2 stops" -> "much brighter"), its size turned into the
//! matcher's three amounts:
//!
//! | unit | slight | moderate | strong |
//! |---|---|---|---|
//! | stops / EV (exposure) | <= 0.35 | <= 1.0 | above |
//! | kelvin (temperature; more K is warmer, as in raw converters) | <= 400 | <= 1200 | above |
//! | slider points or % (-100..100) | <= 20 | <= 50 | above |
//!
//! A number with no sign counts as an increase ("saturation 20%"), except for exposure written
//! without a sign, which is read the same way. A value of 0 removes the setting. A white point
//! ("6500K", "kelvin 3200", "set the white balance to 4000 K": a kelvin value of 2000 or more
//! without a sign) is read against daylight, 5500 K, as a raw converter sets it on a daylight
//! photo: above is warmer, below cooler, within 100 K of it no change.

use crate::attr::Magnitude;

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Stops,
    Kelvin,
    Points,
}

/// The attribute words a setting can name, and the phrases that say "up" and "down" for it.
const SETTINGS: &[(&str, &str, &str)] = &[
    ("exposure", "brighter", "darker"),
    ("brightness", "brighter", "darker"),
    ("ev", "brighter", "darker"),
    ("stops", "brighter", "darker"),
    ("stop", "brighter", "darker"),
    ("contrast", "more contrast", "less contrast"),
    ("saturation", "more saturation", "less saturation"),
    ("sat", "more saturation", "less saturation"),
    ("vibrance", "more vibrance", "less vibrance"),
    ("temperature", "warmer", "cooler"),
    ("temp", "warmer", "cooler"),
    ("warmth", "warmer", "cooler"),
    ("kelvin", "warmer", "cooler"),
    ("warmer", "warmer", "cooler"),
    ("cooler", "cooler", "warmer"),
    ("tint", "more magenta tint", "more green tint"),
    ("shadows", "lift the shadows", "deepen the shadows"),
    (
        "highlights",
        "brighten the highlights",
        "recover the highlights",
    ),
    (
        "whites",
        "brighten the highlights",
        "recover the highlights",
    ),
    ("blacks", "lift the blacks", "crush the blacks"),
    ("brighter", "brighter", "darker"),
    ("darker", "darker", "brighter"),
];

/// The white point a kelvin value is read against ("6500K" is warmer than daylight).
const DAYLIGHT_K: f32 = 5500.0;

fn number(tok: &str) -> Option<f32> {
    let t = tok.replace(',', ".");
    let t = t.trim_end_matches('%');
    let t = t.strip_suffix("ev").unwrap_or(t);
    let t = t.strip_suffix('k').unwrap_or(t);
    if t.is_empty() || !t.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse::<f32>().ok().filter(|v| v.is_finite())
}

fn setting(word: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    SETTINGS.iter().find(|(w, _, _)| *w == word)
}

/// Rewrite the slider settings in a folded, lower-case sentence; other text is kept.
pub fn rewrite(text: &str) -> String {
    // Words, with a sign glued to its number and the unit split off: "+0.5ev" -> ["+0.5", "ev"].
    let spaced = text.replace([':', '='], " ");
    let mut toks: Vec<String> = Vec::new();
    for raw in spaced.split_whitespace() {
        let trimmed = raw.trim_end_matches(['.', ',', ';', '!', '?']);
        let tail = &raw[trimmed.len()..];
        let num_end = trimmed
            .char_indices()
            .find(|(i, c)| {
                !(c.is_ascii_digit()
                    || *c == '.'
                    || *c == ','
                    || (*i == 0 && (*c == '+' || *c == '-')))
            })
            .map_or(trimmed.len(), |(i, _)| i);
        let (num, unit) = trimmed.split_at(num_end);
        if number(num).is_some()
            && !unit.is_empty()
            && unit.chars().all(|c| c.is_alphabetic() || c == '%')
        {
            toks.push(num.to_string());
            toks.push(unit.to_string());
        } else {
            toks.push(trimmed.to_string());
        }
        if !tail.is_empty() {
            toks.push(tail.to_string());
        }
    }
    // (first token, last token, rewrite) of each setting found.
    let mut spans: Vec<(usize, usize, Option<String>)> = Vec::new();
    let mut used = vec![false; toks.len()];
    for i in 0..toks.len() {
        if used[i] {
            continue;
        }
        let Some(v) = number(&toks[i]) else {
            continue;
        };
        let signed = toks[i].starts_with(['+', '-']);
        // Unit right after the number.
        let unit_tok = toks.get(i + 1).map(String::as_str);
        let unit = match unit_tok {
            Some("ev" | "stop" | "stops") => Some(Unit::Stops),
            Some("k" | "kelvin") => Some(Unit::Kelvin),
            Some("%" | "points" | "pts" | "percent") => Some(Unit::Points),
            _ if toks[i].ends_with('%') => Some(Unit::Points),
            _ => None,
        };
        let unit_len = usize::from(unit_tok.is_some_and(|u| {
            matches!(
                u,
                "ev" | "stop" | "stops" | "k" | "kelvin" | "%" | "points" | "pts" | "percent"
            )
        }));
        // The setting's name: just before the number (skipping one word such as "by"), else
        // implied by the unit, else just after the number ("+30 contrast").
        let before = (1..=2)
            .filter_map(|k| i.checked_sub(k))
            .find(|&j| !used[j] && setting(&toks[j]).is_some());
        let name = match (before, unit) {
            (Some(j), _) => setting(&toks[j]).map(|s| (j, s)),
            (None, Some(Unit::Stops)) => setting("exposure").map(|s| (i, s)),
            (None, Some(Unit::Kelvin)) => setting("temperature").map(|s| (i, s)),
            _ => {
                let j = i + 1 + unit_len;
                toks.get(j).and_then(|t| setting(t)).map(|s| (j, s))
            }
        };
        let Some((j, (word, up, down))) = name else {
            continue;
        };
        let unit = unit.unwrap_or(match *word {
            "exposure" | "ev" | "stops" | "stop" => Unit::Stops,
            "kelvin" => Unit::Kelvin,
            _ => Unit::Points,
        });
        // "6500K" is a white point: its change from daylight.
        let v = if unit == Unit::Kelvin && !signed && v >= 2000.0 {
            let change = v - DAYLIGHT_K;
            if change.abs() < 100.0 {
                0.0
            } else {
                change
            }
        } else {
            v
        };
        let size = v.abs();
        let (slight, moderate) = match unit {
            Unit::Stops => (0.35, 1.0),
            Unit::Kelvin => (400.0, 1200.0),
            Unit::Points => (20.0, 50.0),
        };
        let amount = if size <= slight {
            Magnitude::Slight
        } else if size <= moderate {
            Magnitude::Moderate
        } else {
            Magnitude::Strong
        };
        let lo = j.min(i);
        let hi = j.max(i + unit_len);
        for u in used.iter_mut().take(hi + 1).skip(lo) {
            *u = true;
        }
        let phrase = (size > 0.0).then(|| {
            let prefix = match amount {
                Magnitude::Slight => "slightly ",
                Magnitude::Moderate => "",
                Magnitude::Strong => "much ",
            };
            format!("{prefix}{}", if v < 0.0 { down } else { up })
        });
        spans.push((lo, hi, phrase));
    }
    let mut result: Vec<String> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match spans.iter().find(|(lo, _, _)| *lo == i) {
            Some((_, hi, phrase)) => {
                if let Some(p) = phrase {
                    // Settings in a row are separate requests.
                    if result.last().is_some_and(|l| l != ",") && i > 0 && used[i - 1] {
                        result.push(",".into());
                    }
                    result.push(p.clone());
                }
                i = hi + 1;
            }
            None => {
                if !used[i] {
                    result.push(toks[i].clone());
                }
                i += 1;
            }
        }
    }
    result.join(" ")
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn a_white_point_is_read_against_daylight() {
        assert_eq!(rewrite("6500k"), "warmer");
        assert_eq!(rewrite("kelvin 6500"), "warmer");
        assert_eq!(rewrite("8000 kelvin"), "much warmer");
        assert_eq!(
            rewrite("set the temperature to 5800 k"),
            "set the slightly warmer"
        );
        assert_eq!(rewrite("3200k"), "much cooler");
        assert_eq!(rewrite("5500k"), "");
        // Changes keep their sign.
        assert_eq!(rewrite("temperature +500k"), "warmer");
        assert_eq!(rewrite("temperature -800k"), "cooler");
    }
}
