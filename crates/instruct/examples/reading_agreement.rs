//! Where the typed reading departs from the matcher on generated sentences (requests plus
//! fixes against the generator's targets):
//! `cargo run --release -p retouch-instruct --example reading_agreement -- [N] [train|validation]`
use retouch_instruct::generate::{Generator, Split};
use retouch_instruct::{match_instruction, Aspect, Reading};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(2000);
    let split = if args.get(2).map(String::as_str) == Some("validation") {
        Split::Validation
    } else {
        Split::Train
    };
    let mut g = Generator::new(7, split);
    let (mut same, mut shown) = (0, 0);
    for _ in 0..n {
        let s = g.random();
        let m = match_instruction(&s.text);
        let r = Reading::new(&s.text);
        let mut got: Vec<String> = r.requests.iter().map(|q| q.target.label()).collect();
        // A fix stands for the matcher's target of that aspect.
        for (t, _) in &m.targets {
            if r.fixes
                .iter()
                .any(|f| Aspect::of(&t.attr) == Some(f.aspect))
                && t.region.is_none()
            {
                got.push(t.label());
            }
        }
        got.sort();
        got.dedup();
        if got == m.labels() {
            same += 1;
        } else if shown < 40 {
            shown += 1;
            println!(
                "{:70} matcher {:?} reading {:?} [{}]",
                s.text,
                m.labels(),
                got,
                r.english
            );
        }
    }
    println!("{same}/{n} readings agree with the matcher");
}
