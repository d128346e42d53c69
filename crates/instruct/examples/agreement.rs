//! Generator vs matcher agreement, with the mismatches:
//! `cargo run --release -p retouch-instruct --example agreement -- [N] [train|validation]`
use retouch_instruct::generate::{Generator, Split};
use retouch_instruct::match_instruction;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(5000);
    let split = if args.get(2).map(String::as_str) == Some("validation") {
        Split::Validation
    } else {
        Split::Train
    };
    let mut g = Generator::new(7, split);
    let (mut ok, mut mag_ok, mut shown) = (0, 0, 0);
    for _ in 0..n {
        let s = g.random();
        let m = match_instruction(&s.text);
        let mut want: Vec<String> = s.targets.iter().map(|t| t.label()).collect();
        want.sort();
        want.dedup();
        let kept_ok = s.kept.iter().all(|k| m.kept.contains(k));
        if m.labels() == want && kept_ok {
            ok += 1;
            let mags = s.targets.iter().all(|t| {
                m.targets
                    .iter()
                    .any(|(u, _)| u.label() == t.label() && u.magnitude == t.magnitude)
            });
            if mags {
                mag_ok += 1;
            }
        } else if shown < 40 {
            shown += 1;
            println!(
                "{:70} want {:?} got {:?} kept {:?}",
                s.text,
                want,
                m.labels(),
                m.kept
            );
        }
    }
    println!(
        "{split:?}: {ok}/{n} = {:.2}% exact; magnitudes right in {:.2}% of those",
        100.0 * ok as f64 / n as f64,
        100.0 * mag_ok as f64 / ok.max(1) as f64
    );
}
