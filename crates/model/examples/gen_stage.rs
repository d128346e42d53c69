//! Where a generic request's network stage goes at 4K (`retouch bench --edit` reports only its
//! total): the thumbnail, the statistics, the estimator (statistics again + heads), the
//! shaped correction applied to the thumbnail, and the fitted grid. Three runs, the first
//! warm-up: `cargo run --release -p retouch-model --example gen_stage`.
use std::time::Instant;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (w, h) = (3840usize, 2160usize);
    let src = retouch_engine::benchdata::test_image(w, h);
    let est = retouch_model::estimate::Estimator::shipped()?;
    let spec = retouch_finish::auto::AutoSpec::generic();
    let guide = retouch_engine::GuideMap::luma();
    for _ in 0..3 {
        let t0 = Instant::now();
        let thumb = retouch_model::lowres::thumbnail(&src, w, h, 3, 128);
        let t1 = Instant::now();
        let f = retouch_finish::features::features(&thumb, 128, 128);
        let t2 = Instant::now();
        let c = est.predict(&thumb, 128, 128)?;
        let t3 = Instant::now();
        let target = retouch_model::adjust::shape(c, &spec).apply(&thumb);
        let t4 = Instant::now();
        let _g = retouch_model::adjust::fit(&thumb, &target, 128, 128, &guide)?;
        let t5 = Instant::now();
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        println!(
            "thumbnail {:.1} ms, statistics {:.1} ms, estimator {:.1} ms, shape + apply {:.1} ms, fit {:.1} ms",
            ms(t0, t1),
            ms(t1, t2),
            ms(t2, t3),
            ms(t3, t4),
            ms(t4, t5)
        );
        std::hint::black_box(f);
    }
    Ok(())
}
