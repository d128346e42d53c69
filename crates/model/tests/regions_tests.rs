//! Region edits: how an instruction is split into passes, the masks they get, and how the
//! edits are applied (outside a region the photo is untouched, bit for bit).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use retouch_engine::{
    slice_apply_with, ApplyParams, BilateralGrid, GuideMap, ImageMut, ImageRef, Kernel, Mask,
};
use retouch_finish::Region;
use retouch_instruct::attr::{Attr, Dir, Target};
use retouch_instruct::generate::{training_words, Register};
use retouch_instruct::match_instruction;
use retouch_model::regions::{self, passes, MASK_SIZE};
use retouch_model::{apply_edits, Edit};

fn regions_of(text: &str) -> Vec<Option<Region>> {
    passes(&match_instruction(text))
        .into_iter()
        .map(|p| p.region)
        .collect()
}

#[test]
fn an_instruction_is_split_into_a_whole_photo_pass_and_one_pass_per_region() {
    assert_eq!(regions_of("make it warmer"), [None]);
    assert_eq!(regions_of("darken the sky"), [Some(Region::Sky)]);
    assert_eq!(
        regions_of("make it warmer, and darken the sky"),
        [None, Some(Region::Sky)]
    );
    assert_eq!(
        regions_of("brighten the foliage and darken the sky a bit"),
        [Some(Region::Greens), Some(Region::Sky)]
    );
    // The people and what is behind them, from the segmentation; the faces from the detector,
    // the skin tones from their prior.
    assert_eq!(regions_of("brighten the person"), [Some(Region::Person)]);
    assert_eq!(
        regions_of("darken the background a little, make the woman warmer"),
        [Some(Region::Background), Some(Region::Person)]
    );
    assert_eq!(regions_of("brighten her face"), [Some(Region::Face)]);
    assert_eq!(regions_of("warm up the skin tones"), [Some(Region::Skin)]);
    // A region no prior describes stays in the whole-photo pass (as before: unlocalised).
    assert_eq!(regions_of("brighten the edges"), [None]);
    // Nothing read at all: one whole-photo pass (the sentence embedding alone conditions it).
    assert_eq!(regions_of("qwerty"), [None]);

    let ps = passes(&match_instruction("make it warmer, and darken the sky"));
    let keys = |i: usize| -> Vec<String> {
        ps[i]
            .matched
            .targets
            .iter()
            .map(|(t, _)| t.label())
            .collect()
    };
    assert_eq!(keys(0), ["temperature:up"]);
    assert_eq!(keys(1), ["brightness:down@sky"]);
    // Each pass's attribute vector holds only its own targets.
    let whole = ps[0].matched.attribute_vector();
    let sky = ps[1].matched.attribute_vector();
    let all = match_instruction("make it warmer, and darken the sky").attribute_vector();
    for ((w, s), a) in whole.iter().zip(&sky).zip(&all) {
        assert!(*w == 0.0 || *s == 0.0);
        assert_eq!(w + s, *a);
    }
}

/// Each pass's encoder text ([`retouch_model::pass_text`]) for a sentence.
fn pass_texts(text: &str) -> Vec<Option<String>> {
    let reading = retouch_instruct::Reading::new(text);
    passes(&reading.matched)
        .iter()
        .map(|p| retouch_model::pass_text(&reading, p))
        .collect()
}

/// One target in the generator's training words.
fn said(attr: Attr, dir: Dir, region: Option<Region>) -> Option<String> {
    let mut t = Target::new(attr, dir);
    t.region = region;
    training_words(&[t], Register::Professional)
}

#[test]
fn each_pass_is_told_only_its_own_targets() {
    use Attr::{Brightness, Contrast, Temperature};
    assert_eq!(
        pass_texts("make it warmer and darken the sky"),
        [
            said(Temperature, Dir::Up, None),
            said(Brightness, Dir::Down, Some(Region::Sky))
        ]
    );
    // However the sentence is written, in whatever order.
    assert_eq!(
        pass_texts("the sky should be darker; also warm it up"),
        pass_texts("make it warmer and darken the sky")
    );
    let three = pass_texts("darken the sky, brighten the foliage, add contrast");
    assert_eq!(three.len(), 3);
    assert_eq!(three[0], said(Contrast, Dir::Up, None));
    assert_eq!(three[2], said(Brightness, Dir::Up, Some(Region::Greens)));
    // Nothing of another pass is in a pass's words.
    let sky = three[1].clone().unwrap_or_default();
    assert!(sky.contains("sky") && !sky.contains("contrast"), "{sky}");
}

/// A photo with a blue sky over the top 40 % and dark green ground below.
fn landscape(w: usize, h: usize) -> Vec<f32> {
    (0..h)
        .flat_map(|y| {
            (0..w).flat_map(move |_| {
                if y * 10 < h * 4 {
                    [0.35, 0.55, 0.9]
                } else {
                    [0.15, 0.35, 0.1]
                }
            })
        })
        .collect()
}

#[test]
fn a_region_mask_is_rendered_small_and_covers_its_region() {
    let (w, h) = (600, 400);
    let img = landscape(w, h);
    let (_, m) = regions::render(Region::Sky, &img, w, h, 3)
        .unwrap()
        .unwrap();
    assert_eq!((m.width, m.height), (MASK_SIZE, 171));
    let at = |fx: f32, fy: f32| {
        m.data[(fy * m.height as f32) as usize * m.width + (fx * m.width as f32) as usize]
    };
    assert!(at(0.5, 0.1) > 0.5, "sky {}", at(0.5, 0.1));
    assert_eq!(at(0.5, 0.9), 0.0);
    // A bad buffer is an error, not a panic.
    assert!(regions::render(Region::Sky, &img[..10], w, h, 3).is_err());
    // No mask describes the frame's edges.
    assert!(regions::render(Region::Edges, &img, w, h, 3)
        .unwrap()
        .is_none());
}

fn random_grid(r: &mut ChaCha8Rng) -> BilateralGrid {
    let id = [1f32, 0., 0., 0., 0., 1., 0., 0., 0., 0., 1., 0.];
    let data = (0..4 * 4 * 4)
        .flat_map(|_| id.map(|v| v + r.gen_range(-0.2..0.2)))
        .collect();
    BilateralGrid::from_data(4, 4, 4, data).unwrap()
}

fn slice(grid: &BilateralGrid, src: &[f32], w: usize, h: usize, mask: Option<&Mask>) -> Vec<f32> {
    let mut out = vec![0f32; src.len()];
    slice_apply_with(
        Kernel::Reference,
        grid,
        &GuideMap::luma(),
        ImageRef::new(src, w, h, 3).unwrap(),
        ImageMut::new(&mut out, w, h, 3).unwrap(),
        &ApplyParams {
            strength: 1.0,
            mask,
        },
    )
    .unwrap();
    out
}

#[test]
fn region_edits_leave_the_rest_of_the_photo_untouched_and_chain_in_order() {
    let (w, h) = (90, 60);
    let img = landscape(w, h);
    let (_, sky) = regions::render(Region::Sky, &img, w, h, 3)
        .unwrap()
        .unwrap();
    let mut r = ChaCha8Rng::seed_from_u64(5);
    let (g1, g2) = (random_grid(&mut r), random_grid(&mut r));
    let guide = GuideMap::luma();
    let run = |edits: &[Edit], user: Option<&Mask>| {
        let mut out = vec![0f32; img.len()];
        apply_edits(
            Kernel::Reference,
            edits,
            &guide,
            ImageRef::new(&img, w, h, 3).unwrap(),
            ImageMut::new(&mut out, w, h, 3).unwrap(),
            1.0,
            user,
        )
        .unwrap();
        out
    };
    let whole = Edit {
        grid: g1.clone(),
        region: None,
        source: retouch_model::Source::Network,
    };
    let local = Edit {
        grid: g2.clone(),
        region: Some((Region::Sky, sky.clone())),
        source: retouch_model::Source::Network,
    };

    // One region edit: outside the mask the input, bit for bit; inside, the engine's masked
    // slice; where the mask is 1, the full edit.
    let out = run(std::slice::from_ref(&local), None);
    assert_eq!(out, slice(&g2, &img, w, h, Some(&sky)));
    let full = slice(&g2, &img, w, h, None);
    let (mut outside, mut inside) = (0, 0);
    for i in 0..w * h {
        let k = sky.sample_f64(i % w, i / w, w, h);
        if k == 0.0 {
            assert_eq!(out[3 * i..3 * i + 3], img[3 * i..3 * i + 3]);
            outside += 1;
        } else if k == 1.0 {
            assert_eq!(out[3 * i..3 * i + 3], full[3 * i..3 * i + 3]);
            inside += 1;
        }
    }
    assert!(
        outside > w * h / 3 && inside > w * h / 10,
        "{outside} {inside}"
    );

    // Two edits: the whole-photo one, then the region one on its result (not the other way
    // round, and each with its own mask).
    let out = run(&[whole.clone(), local.clone()], None);
    let first = slice(&g1, &img, w, h, None);
    let want = slice(&g2, &first, w, h, Some(&sky));
    let err = out
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(err < 1e-5, "chain differs by {err}");

    // A user's mask and the region multiply: where the user's mask is 0, nothing changes.
    let user = Mask::new(
        2,
        1,
        vec![1.0, 0.0], // left half edited, right half not (bilinear between)
    )
    .unwrap();
    let out = run(std::slice::from_ref(&local), Some(&user));
    for y in 0..h {
        let i = 3 * (y * w + w - 1);
        assert_eq!(out[i..i + 3], img[i..i + 3]);
    }
    let prod = regions::product(&user, &sky).unwrap();
    assert_eq!((prod.width, prod.height), (sky.width, sky.height));
    let (pw, ph) = (prod.width, prod.height);
    for (i, v) in prod.data.iter().enumerate() {
        let u = user.sample_f64(i % pw, i / pw, pw, ph) as f32;
        assert!((v - u * sky.data[i]).abs() < 1e-6);
    }
    assert_eq!(regions::product(&sky, &user).unwrap().data, prod.data);

    // No edit is an error, not a panic.
    let mut out = vec![0f32; img.len()];
    assert!(apply_edits(
        Kernel::Reference,
        &[],
        &guide,
        ImageRef::new(&img, w, h, 3).unwrap(),
        ImageMut::new(&mut out, w, h, 3).unwrap(),
        1.0,
        None,
    )
    .is_err());
}
