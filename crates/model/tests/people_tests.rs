//! "The person" and "the background" on a real portrait (the committed astronaut photo): the
//! segmentation's mask covers her and not the backdrop, and the shipped model's edit for one
//! leaves the other untouched.

use retouch_engine::{ImageMut, ImageRef, Kernel};
use retouch_finish::Region;
use retouch_model::{apply_edits, default_model_path, regions, Retoucher};

fn portrait() -> (Vec<u8>, usize, usize) {
    let p =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos/astronaut.png");
    let img = image::open(p).unwrap().to_rgb8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    (img.into_raw(), w, h)
}

/// The mask's value at a fraction of the frame.
fn at(m: &retouch_engine::Mask, fx: f32, fy: f32) -> f32 {
    m.data[(fy * m.height as f32) as usize * m.width + (fx * m.width as f32) as usize]
}

#[test]
fn the_person_mask_covers_the_astronaut_and_the_background_is_its_complement() {
    let (px, w, h) = portrait();
    let (_, person) = regions::render(Region::Person, &px, w, h, 3)
        .unwrap()
        .unwrap();
    let (_, background) = regions::render(Region::Background, &px, w, h, 3)
        .unwrap()
        .unwrap();
    // Her face (about (0.44, 0.2) of the 512 px frame) and her suit; the backdrop beside her
    // head on both sides and the shuttle on the right.
    for (fx, fy) in [(0.44, 0.2), (0.3, 0.65)] {
        assert!(
            at(&person, fx, fy) > 0.9,
            "person at {fx},{fy}: {}",
            at(&person, fx, fy)
        );
        assert_eq!(at(&background, fx, fy), 0.0, "background at {fx},{fy}");
    }
    for (fx, fy) in [(0.2, 0.1), (0.66, 0.1), (0.8, 0.3)] {
        assert!(
            at(&person, fx, fy) < 0.1,
            "person at {fx},{fy}: {}",
            at(&person, fx, fy)
        );
        assert!(at(&background, fx, fy) > 0.9, "background at {fx},{fy}");
    }
    for (p, b) in person.data.iter().zip(&background.data) {
        let (p, b) = (*p, *b);
        // Complements, except where snapping made one side exactly 0 or 1.
        assert!((p + b - 1.0).abs() < 2e-3, "{p} + {b}");
    }
    // A mask renders from the probability it is given, and asks for one when it needs it.
    let view = regions::mask_view(&px, w, h, 3).unwrap();
    assert!(regions::render_on(Region::Person, &view, None, None).is_err());
    assert!(regions::render_on(Region::Person, &view, Some(&[0.5; 3]), None).is_err());
}

#[test]
fn the_face_mask_covers_her_face_and_not_her_suit_and_without_a_face_is_the_skin() {
    let (px, w, h) = portrait();
    let (drawn, face) = regions::render(Region::Face, &px, w, h, 3)
        .unwrap()
        .unwrap();
    assert_eq!(drawn, Region::Face);
    // Her face is at about (0.44, 0.2) of the frame; her suit, the backdrop and the shuttle
    // are not face.
    assert!(at(&face, 0.44, 0.22) > 0.99, "{}", at(&face, 0.44, 0.22));
    for (fx, fy) in [(0.3, 0.65), (0.1, 0.2), (0.85, 0.5), (0.44, 0.6)] {
        assert_eq!(at(&face, fx, fy), 0.0, "({fx}, {fy})");
    }
    // The face is a small part of the frame (the skin prior would take her hands and more).
    let mean = face.data.iter().sum::<f32>() / face.data.len() as f32;
    assert!(mean > 0.01 && mean < 0.1, "{mean}");
    // A photo without a face: the skin prior stands in, and says so by the region drawn.
    let flat: Vec<u8> = (0..64 * 48)
        .flat_map(|i| [(i % 200) as u8 + 30, 120, 90])
        .collect();
    let (drawn, _) = regions::render(Region::Face, &flat, 64, 48, 3)
        .unwrap()
        .unwrap();
    assert_eq!(drawn, Region::Skin);
    // The face mask needs the faces found.
    let view = regions::mask_view(&px, w, h, 3).unwrap();
    assert!(regions::render_on(Region::Face, &view, None, None).is_err());
}

#[test]
fn darkening_the_background_leaves_the_person_alone_and_brightening_the_person_the_background() {
    let (px, w, h) = portrait();
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir()).unwrap();
    let run = |text: &str| {
        let enc = r.encode(text).unwrap();
        let edits = r.predict_edits(&px, w, h, 3, &enc).unwrap();
        let mut out = vec![0u8; px.len()];
        apply_edits(
            Kernel::Portable,
            &edits,
            r.guide(),
            ImageRef::new(&px, w, h, 3).unwrap(),
            ImageMut::new(&mut out, w, h, 3).unwrap(),
            1.0,
            None,
        )
        .unwrap();
        (edits, out)
    };
    // Mean luma change inside a box of the frame (fractions).
    let change = |out: &[u8], (x0, y0, x1, y1): (f32, f32, f32, f32)| {
        let (mut s, mut n) = (0f64, 0f64);
        for y in (y0 * h as f32) as usize..(y1 * h as f32) as usize {
            for x in (x0 * w as f32) as usize..(x1 * w as f32) as usize {
                let i = 3 * (y * w + x);
                for c in 0..3 {
                    s += out[i + c] as f64 - px[i + c] as f64;
                }
                n += 3.0;
            }
        }
        s / n
    };
    let face = (0.38, 0.14, 0.5, 0.3);
    let backdrop = (0.62, 0.02, 0.72, 0.2);

    let (edits, dark) = run("darken the background");
    assert!(
        matches!(edits.as_slice(), [e] if e.region.as_ref().is_some_and(|r| r.0 == Region::Background))
    );
    assert!(
        change(&dark, backdrop) < -5.0,
        "backdrop {}",
        change(&dark, backdrop)
    );
    assert!(
        change(&dark, face).abs() < 0.5,
        "face {}",
        change(&dark, face)
    );

    let (_, bright) = run("brighten the person");
    assert!(
        change(&bright, face) > 5.0,
        "face {}",
        change(&bright, face)
    );
    assert!(
        change(&bright, backdrop).abs() < 0.5,
        "backdrop {}",
        change(&bright, backdrop)
    );
}
