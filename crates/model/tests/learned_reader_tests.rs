//! The shipped learned reader: its head matches the build's output layout and says how it
//! was made; it reads requests in languages no lexicon covers and in misspellings the
//! spelling corrector leaves alone, and reads sentences that ask for nothing as nothing.
//! None of these sentences is in its corpus or in the probe.

use retouch_instruct::Reading;
use retouch_model::reader::LearnedReader;

fn read(lr: &LearnedReader, s: &str) -> Reading {
    let mut r = Reading::new(s);
    lr.complete(&mut r).unwrap();
    r
}

fn labels(r: &Reading) -> Vec<String> {
    let mut v: Vec<String> = r.requests.iter().map(|q| q.target.label()).collect();
    v.extend(r.fixes.iter().map(|f| format!("fix:{}", f.aspect.name())));
    v.sort();
    v
}

#[test]
fn the_learned_reader_reads_what_the_rules_cannot() {
    let lr = LearnedReader::shipped().unwrap();
    assert!(
        lr.head.provenance.contains("retouch train-reader"),
        "{}",
        lr.head.provenance
    );
    // Languages without a lexicon (Norwegian, Danish, Romanian, Hungarian, Croatian, Finnish).
    let cases = [
        ("gjør bildet varmere", "temperature:up"),
        ("gør billedet sort-hvid", "monochrome:up"),
        ("fă poza mai luminoasă", "brightness:up|highlights:up"),
        ("legyen világosabb a kép", "brightness:up|highlights:up"),
        ("učini sliku toplijom", "temperature:up"),
        ("tee kuvasta lämpimämpi", "temperature:up"),
    ];
    let (mut right, mut rules) = (0, 0);
    for (s, want) in cases {
        let alone = labels(&Reading::new(s));
        let got = labels(&read(&lr, s));
        eprintln!("{s:?}: rules {alone:?}, with the learned reader {got:?}");
        let ok = |l: &[String]| want.split('|').any(|w| l.iter().any(|g| g == w));
        rules += usize::from(ok(&alone));
        right += usize::from(ok(&got));
    }
    // The learned reader adds some, far from all (see the unseen part of the probe in
    // README); the counts are printed above.
    assert!(
        right > rules,
        "{right} of {} read ({rules} by the rules alone)",
        cases.len()
    );
}

#[test]
fn sentences_that_ask_for_nothing_stay_nothing() {
    let lr = LearnedReader::shipped().unwrap();
    let mut nothing = 0;
    let cases = [
        "my brother bought a new bike",
        "we had pizza after the concert",
        "das haben wir letztes Jahr gemacht",
        "la reunión fue muy larga",
        "send this to grandma tomorrow",
    ];
    for s in cases {
        let r = read(&lr, s);
        eprintln!("{s:?} -> {}", r.summary());
        nothing += usize::from(r.is_empty());
    }
    assert!(nothing >= 4, "{nothing} of {} read as nothing", cases.len());
}
