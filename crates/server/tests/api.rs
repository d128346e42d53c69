//! `retouch serve`'s API on a real server on loopback, with the shipped model, through a real
//! HTTP client (reqwest) and, for slow and stalled clients, raw TCP.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use retouch_server::{AppState, Config};
use retouch_service::{ModelPaths, Service};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn photo_bytes(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/photos")
        .join(name);
    std::fs::read(p).unwrap()
}

/// The shipped model, loaded once for all the servers below.
fn service() -> Arc<Service> {
    static S: OnceLock<Arc<Service>> = OnceLock::new();
    S.get_or_init(|| {
        Arc::new(Service::load(&ModelPaths::default(), retouch_engine::Kernel::best()).unwrap())
    })
    .clone()
}

/// A server on an ephemeral loopback port; it stops with the test's runtime.
async fn start(config: Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(AppState::new(service(), config));
    tokio::spawn(retouch_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

fn file(bytes: Vec<u8>, name: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_string())
}

fn edit_form(instruction: &str) -> Form {
    Form::new()
        .part("image", file(photo_bytes("coffee.png"), "coffee.png"))
        .text("instruction", instruction.to_string())
}

fn rgb8(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let im = image::load_from_memory(bytes).unwrap().to_rgb8();
    (im.width(), im.height(), im.into_raw())
}

/// Mean of red minus blue, 0-255: warmer photos have more.
fn warmth(rgb: &[u8]) -> f64 {
    rgb.chunks_exact(3)
        .map(|p| p[0] as f64 - p[2] as f64)
        .sum::<f64>()
        / (rgb.len() / 3) as f64
}

fn report(r: &reqwest::Response) -> Value {
    let h = r
        .headers()
        .get("x-retouch-report")
        .expect("a report header")
        .to_str()
        .unwrap();
    serde_json::from_str(h).unwrap()
}

async fn post(c: &reqwest::Client, url: String, form: Form) -> reqwest::Response {
    c.post(url).multipart(form).send().await.unwrap()
}

/// A PNG whose header claims `w x h` pixels, with one tiny compressed row of data: what a
/// decompression bomb looks like before it is decoded.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in bytes {
            c ^= *b as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// An error answer: the status, JSON, and a message.
async fn expect_error(r: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(r.status(), status);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let v: Value = r.json().await.unwrap();
    let msg = v["error"].as_str().expect("an error message").to_string();
    assert!(!msg.is_empty());
    msg
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_the_openapi_document_match_the_routes() {
    let base = start(Config::default()).await;
    let c = reqwest::Client::new();
    let h: Value = c
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["in_progress"], 0);

    let doc: Value = c
        .get(format!("{base}/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), retouch_server::openapi::OPERATIONS.len());
    // Every documented operation is routed: a GET answers, a POST without its fields is told
    // which are missing (422), never 404 or 405.
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let url = format!("{base}{path}");
            let r = match method.as_str() {
                "get" => c.get(&url).send().await.unwrap(),
                "post" => c.post(&url).multipart(Form::new()).send().await.unwrap(),
                m => panic!("unexpected method {m}"),
            };
            let expected = if method == "get" {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            assert_eq!(r.status(), expected, "{method} {path}");
            if method == "post" {
                for code in ["400", "413", "415", "422", "503"] {
                    assert!(op["responses"][code].is_object(), "{path} documents {code}");
                }
                let fields = op["requestBody"]["content"]["multipart/form-data"]["schema"]
                    ["properties"]
                    .as_object()
                    .unwrap();
                assert!(fields.contains_key("image"), "{path}");
                // An edit file is made at full strength: /v1/grid does not take one, nor
                // does /v1/preview, which edits nothing.
                assert_eq!(
                    fields.contains_key("strength"),
                    path != "/v1/grid" && path != "/v1/preview",
                    "{path}"
                );
            }
        }
    }
    // What is not documented is not there, and says so in JSON.
    expect_error(
        c.get(format!("{base}/v2/edit")).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_error(
        c.get(format!("{base}/v1/edit")).send().await.unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
    )
    .await;
    let page = c.get(format!("{base}/")).send().await.unwrap();
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

#[tokio::test(flavor = "multi_thread")]
async fn edit_returns_the_photo_edited_as_asked_with_its_report() {
    let base = start(Config::default()).await;
    let c = reqwest::Client::new();
    let (w0, h0, before) = rgb8(&photo_bytes("coffee.png"));

    let r = post(
        &c,
        format!("{base}/v1/edit"),
        edit_form("rends-la plus chaude"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    let rep = report(&r);
    assert!(
        rep["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "temperature:up"),
        "{rep}"
    );
    assert_eq!(rep["reading"]["language"], "french");
    assert_eq!(rep["understood"], "warmer");
    // What it did, measured on the photo.
    let t = rep["explained"]["whole"]["temperature"].as_f64().unwrap();
    assert!(t > 1.0, "{rep}");
    assert!(rep["explained"]["whole"]["words"]
        .as_str()
        .unwrap()
        .contains("warmer"));
    let png = r.bytes().await.unwrap();
    let (w, h, after) = rgb8(&png);
    assert_eq!((w, h), (w0, h0));
    assert!(
        warmth(&after) > warmth(&before) + 2.0,
        "{} -> {}",
        warmth(&before),
        warmth(&after)
    );

    // ?report=1: the same edit as JSON, the image in base64.
    let r = post(
        &c,
        format!("{base}/v1/edit?report=1"),
        edit_form("rends-la plus chaude"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["content_type"], "image/png");
    use base64::Engine as _;
    let img = base64::engine::general_purpose::STANDARD
        .decode(v["image_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(rgb8(&img).2, after, "the same edit both ways");
    assert!(v["report"]["timings_ms"]["network"].as_f64().unwrap() > 0.0);

    // A JPEG asked for: a JPEG of the same size comes back.
    let r = post(
        &c,
        format!("{base}/v1/edit"),
        edit_form("brighter")
            .text("format", "jpeg")
            .text("quality", "80"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let (w, h, _) = rgb8(&r.bytes().await.unwrap());
    assert_eq!((w, h), (w0, h0));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_file_applies_the_same_edit_at_any_strength() {
    let base = start(Config::default()).await;
    let c = reqwest::Client::new();
    let (_, _, before) = rgb8(&photo_bytes("coffee.png"));
    let edited = post(
        &c,
        format!("{base}/v1/edit"),
        edit_form("warmer, lift the shadows"),
    )
    .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let edited = rgb8(&edited.bytes().await.unwrap()).2;

    let g = post(
        &c,
        format!("{base}/v1/grid"),
        edit_form("warmer, lift the shadows"),
    )
    .await;
    assert_eq!(g.status(), StatusCode::OK);
    assert!(report(&g)["attributes"].as_array().unwrap().len() >= 2);
    // What an edit file cannot hold is refused, not ignored: it is given to /v1/apply.
    for (field, value) in [("strength", "0.5"), ("format", "png"), ("quality", "90")] {
        let r = post(
            &c,
            format!("{base}/v1/grid"),
            edit_form("warmer").text(field, value),
        )
        .await;
        let m = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(m.contains(field) && m.contains("does not apply"), "{m}");
    }
    let edit_file = g.bytes().await.unwrap().to_vec();

    let apply = |strength: &str| {
        Form::new()
            .part("image", file(photo_bytes("coffee.png"), "coffee.png"))
            .part("edit", file(edit_file.clone(), "edit.retouch"))
            .text("strength", strength.to_string())
    };
    let at = |r: reqwest::Response| async move {
        assert_eq!(r.status(), StatusCode::OK);
        rgb8(&r.bytes().await.unwrap()).2
    };
    let one = at(post(&c, format!("{base}/v1/apply"), apply("1")).await).await;
    assert_eq!(one, edited, "the edit file reproduces the edit exactly");
    let zero = at(post(&c, format!("{base}/v1/apply"), apply("0")).await).await;
    assert_eq!(zero, before, "strength 0 is the photo");
    let half = at(post(&c, format!("{base}/v1/apply"), apply("0.5")).await).await;
    let (wb, wh, we) = (warmth(&before), warmth(&half), warmth(&edited));
    assert!(wb < wh && wh < we, "{wb} < {wh} < {we}");

    // A LUT of it, from the file and from the photo and instruction: the same table.
    let lut_file = post(
        &c,
        format!("{base}/v1/lut"),
        Form::new().part("edit", file(edit_file.clone(), "edit.retouch")),
    )
    .await;
    assert_eq!(lut_file.status(), StatusCode::OK);
    let text = lut_file.text().await.unwrap();
    assert!(text.contains("LUT_3D_SIZE 33"));
    let entries = text
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!(entries, 33 * 33 * 33);
    let lut_photo = post(
        &c,
        format!("{base}/v1/lut"),
        edit_form("warmer, lift the shadows"),
    )
    .await;
    assert_eq!(lut_photo.status(), StatusCode::OK);
    assert_eq!(lut_photo.text().await.unwrap(), text);
    let small = post(
        &c,
        format!("{base}/v1/lut"),
        Form::new()
            .part("edit", file(edit_file.clone(), "e.retouch"))
            .text("size", "9"),
    )
    .await;
    assert!(small.text().await.unwrap().contains("LUT_3D_SIZE 9"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_a_json_error_with_the_right_status() {
    let base = start(Config::default()).await;
    let c = reqwest::Client::new();
    let edit = format!("{base}/v1/edit");
    let post_edit = |form: Form| c.post(&edit).multipart(form).send();
    let png = photo_bytes("coffee.png");

    let r = c
        .post(&edit)
        .body("instruction=warmer")
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let m = expect_error(
        post_edit(Form::new().text("instruction", "warmer"))
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(m.contains("image"), "{m}");
    let m = expect_error(
        post_edit(edit_form("warmer").text("strenght", "2"))
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(m.contains("strenght"), "{m}");
    for (field, value) in [
        ("strength", "abc"),
        ("strength", "NaN"),
        ("format", "gif"),
        ("quality", "0"),
        ("quality", "101"),
    ] {
        let r = post_edit(edit_form("warmer").text(field, value))
            .await
            .unwrap();
        let m = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(m.contains(field), "{field}={value}: {m}");
    }
    let r = post_edit(
        Form::new()
            .part("image", file(b"not a photo".to_vec(), "x.png"))
            .text("instruction", "warmer"),
    )
    .await
    .unwrap();
    expect_error(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let r = post_edit(
        Form::new()
            .part("image", file(png[..2000].to_vec(), "cut.png"))
            .text("instruction", "warmer"),
    )
    .await
    .unwrap();
    expect_error(r, StatusCode::BAD_REQUEST).await;
    expect_error(
        post_edit(edit_form("   ")).await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    let m = expect_error(
        post_edit(edit_form("keep the colours")).await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(m.contains("nothing to do"), "{m}");
    let r = post(
        &c,
        format!("{base}/v1/apply"),
        Form::new()
            .part("image", file(png.clone(), "a.png"))
            .part("edit", file(b"garbage".to_vec(), "e.retouch")),
    )
    .await;
    let m = expect_error(r, StatusCode::BAD_REQUEST).await;
    assert!(m.contains("edit file"), "{m}");
    let r = post(
        &c,
        format!("{base}/v1/lut"),
        edit_form("warmer").part("edit", file(b"x".to_vec(), "e.retouch")),
    )
    .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let r = post(
        &c,
        format!("{base}/v1/lut"),
        edit_form("warmer").text("size", "1"),
    )
    .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Empty and bomb-like files, a page of text as the instruction.
    let r = post_edit(
        Form::new()
            .part("image", file(Vec::new(), "empty.png"))
            .text("instruction", "warmer"),
    )
    .await
    .unwrap();
    expect_error(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let r = post_edit(
        Form::new()
            .part("image", file(png_claiming(100_000, 100_000), "bomb.png"))
            .text("instruction", "warmer"),
    )
    .await
    .unwrap();
    let m = expect_error(r, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(m.contains("100000x100000"), "{m}");
    let r = post_edit(edit_form(&"warmer ".repeat(3000))).await.unwrap();
    let m = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(m.contains("characters"), "{m}");

    // Limits: the body and the photo's pixels.
    let small = start(Config {
        max_body: 20_000,
        ..Config::default()
    })
    .await;
    let r = post(&c, format!("{small}/v1/edit"), edit_form("warmer")).await;
    expect_error(r, StatusCode::PAYLOAD_TOO_LARGE).await;
    let few = start(Config {
        read: retouch_io::ReadOptions {
            max_pixels: 10_000,
            strict: false,
        },
        ..Config::default()
    })
    .await;
    let r = post(&c, format!("{few}/v1/edit"), edit_form("warmer")).await;
    expect_error(r, StatusCode::PAYLOAD_TOO_LARGE).await;
}

/// Send a request's head and part of a multipart body that announces more, then stall.
async fn stalled_upload(base: &str) -> tokio::net::TcpStream {
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/edit HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: 100000\r\n\r\n--XX\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n\u{89}PNG"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

async fn in_progress(c: &reqwest::Client, base: &str) -> u64 {
    let h: Value = c
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    h["in_progress"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_server_says_retry_later_and_a_stalled_upload_is_cut_off() {
    let base = start(Config {
        workers: 1,
        queue: 0,
        body_timeout: Duration::from_secs(2),
        ..Config::default()
    })
    .await;
    let c = reqwest::Client::new();
    let mut stalled = stalled_upload(&base).await;
    let mut waited = 0;
    while in_progress(&c, &base).await == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += 1;
        assert!(waited < 250, "the stalled upload never got in");
    }
    let r = post(&c, format!("{base}/v1/edit"), edit_form("warmer")).await;
    assert!(r.headers().contains_key("retry-after"));
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE).await;

    // The stalled client is answered 408 when its time is up, and the slot is free again.
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stalled.read_to_end(&mut answer))
        .await
        .expect("the server cut the stalled upload off")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\""), "{answer}");
    let r = post(&c, format!("{base}/v1/edit"), edit_form("warmer")).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_region_chosen_in_the_form_restricts_the_edit() {
    let base = start(Config::default()).await;
    let c = reqwest::Client::new();
    let form = |region: &str| {
        Form::new()
            .part("image", file(photo_bytes("rocket.jpg"), "rocket.jpg"))
            .text("instruction", "darker")
            .text("region", region.to_string())
    };
    let r = post(&c, format!("{base}/v1/edit"), form("sky")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let rep = report(&r);
    assert_eq!(
        rep["attributes"],
        serde_json::json!(["brightness:down@sky"]),
        "{rep}"
    );
    assert_eq!(rep["regions"], serde_json::json!(["sky"]));
    assert_eq!(rep["explained"]["regions"][0]["region"], "sky");
    // The whole photo, named or left empty: no region.
    for whole in ["photo", ""] {
        let r = post(&c, format!("{base}/v1/edit"), form(whole)).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(report(&r)["regions"], serde_json::json!([]));
    }
    let m = expect_error(
        post(&c, format!("{base}/v1/edit"), form("nowhere")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(m.contains("sky"), "{m}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tiff_gets_a_png_preview_the_browser_can_show() {
    let base = start(Config::default()).await;
    let c = reqwest::Client::new();
    // A 16-bit TIFF, 2000 px wide: coffee.png tiled and widened.
    let (w, h, rgb) = rgb8(&photo_bytes("coffee.png"));
    let (tw, th) = (2000u32, 1000u32);
    let mut px = Vec::with_capacity((tw * th * 3) as usize);
    for y in 0..th {
        for x in 0..tw {
            let i = (((y % h) * w + x % w) * 3) as usize;
            px.extend(rgb[i..i + 3].iter().map(|v| u16::from(*v) * 257));
        }
    }
    let mut tiff = Vec::new();
    image::ImageBuffer::<image::Rgb<u16>, _>::from_raw(tw, th, px)
        .unwrap()
        .write_to(
            &mut std::io::Cursor::new(&mut tiff),
            image::ImageFormat::Tiff,
        )
        .unwrap();
    let r = post(
        &c,
        format!("{base}/v1/preview"),
        Form::new().part("image", file(tiff, "photo.tif")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    let rep = report(&r);
    assert_eq!(
        (rep["width"].as_u64(), rep["height"].as_u64()),
        (Some(2000), Some(1000))
    );
    let bytes = r.bytes().await.unwrap();
    let (pw, ph, prgb) = rgb8(&bytes);
    assert_eq!((pw, ph), (1280, 640));
    // The same picture: its mean warmth within a unit of the original's.
    assert!(
        (warmth(&prgb) - warmth(&rgb)).abs() < 4.0,
        "{} {}",
        warmth(&prgb),
        warmth(&rgb)
    );
    // Not an image: a 4xx JSON error.
    let r = post(
        &c,
        format!("{base}/v1/preview"),
        Form::new().part("image", file(b"not an image".to_vec(), "x.tif")),
    )
    .await;
    let msg = expect_error(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(!msg.is_empty());
}
