//! The instruction probe read as text (no photo, no retouching model): the share of
//! sentences whose reading says what they expect, by the rules alone and with the learned
//! reader, per group. `cargo run --release -p retouch-eval --example probe_reading [HEAD]`
//! (HEAD: a reader head other than the shipped one). Per-sentence lines with `-v` (the
//! development part only). The fresh set is read only with `--fresh`, the reserve set only
//! with `--reserve`, the sealed set only with `--sealed`, the negation set only with
//! `--negation`, the similes set only with `--similes`, the everyday set only with `--everyday`
//! (totals only). `--languages` adds a
//! row per part and language.
use retouch_eval::probe::{cases, reading_follows, Part};
use retouch_instruct::Reading;
use retouch_model::reader::{default_head_path, LearnedReader};
use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let fresh = args.iter().any(|a| a == "--fresh");
    let reserve = args.iter().any(|a| a == "--reserve");
    let sealed = args.iter().any(|a| a == "--sealed");
    let negation = args.iter().any(|a| a == "--negation");
    let similes = args.iter().any(|a| a == "--similes");
    let everyday = args.iter().any(|a| a == "--everyday");
    let by_language = args.iter().any(|a| a == "--languages");
    let head = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(std::path::PathBuf::from)
        .unwrap_or_else(default_head_path);
    let lr = LearnedReader::load(
        &retouch_text::e5::default_dir().join(retouch_text::e5::FILE),
        &head,
    )?;
    let mut acc: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for c in cases()?
        .into_iter()
        .filter(|c| fresh || c.part != Part::Fresh)
        .filter(|c| reserve || c.part != Part::Reserve)
        .filter(|c| sealed || c.part != Part::Sealed)
        .filter(|c| negation || c.part != Part::Negation)
        .filter(|c| similes || c.part != Part::Similes)
        .filter(|c| everyday || c.part != Part::Everyday)
    {
        let rules = Reading::new(&c.sentence);
        let mut both = rules.clone();
        lr.complete(&mut both)?;
        let (a, b) = (reading_follows(&c, &rules), reading_follows(&c, &both));
        let group = c.part.name();
        let mut keys = vec![
            "all".to_string(),
            group.to_string(),
            format!("{group} / {:?}", c.kind).to_lowercase(),
        ];
        if by_language {
            keys.push(format!("{group} / language {}", c.language));
        }
        for k in keys {
            let e = acc.entry(k).or_default();
            e[0] += 1;
            e[1] += usize::from(a);
            e[2] += usize::from(b);
        }
        // Only the development part is shown: the held-out parts are not looked at.
        if verbose && c.part == Part::Development {
            println!(
                "{} {} [{}] {} -> {}",
                if b { "ok  " } else { "MISS" },
                c.language,
                group,
                c.sentence,
                both.summary()
            );
        }
    }
    println!("| group | sentences | rules alone | rules + learned reader |");
    println!("|---|---|---|---|");
    for (k, [n, a, b]) in acc {
        println!(
            "| {k} | {n} | {:.1} % | {:.1} % |",
            100.0 * a as f64 / n as f64,
            100.0 * b as f64 / n as f64
        );
    }
    Ok(())
}
