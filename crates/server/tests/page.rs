//! The web editor in a real browser: Debian's Chromium, headless, driven through ChromeDriver's
//! WebDriver API, against a real server on loopback with the shipped model. A photo is chosen,
//! an instruction typed, the edit made and looked at, the strength slider moved and the edit
//! undone; a screenshot is left in the test's temporary folder.
//!
//! Where Chromium or ChromeDriver is not installed the test says so and passes, unless
//! `RETOUCH_BROWSER_TESTS=1` (CI sets it, and installs both).

use retouch_server::{AppState, Config};
use retouch_service::{ModelPaths, Service};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn start(profile: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let t = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await {
                let v: Value = r.json().await.unwrap_or_default();
                if v["value"]["ready"] == true {
                    break;
                }
            }
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut d = Driver {
            child,
            base,
            session: String::new(),
            http,
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1400,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let v = d.call("POST", "session", caps).await;
        d.session = v["sessionId"].as_str().expect("a session").to_string();
        d
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if self.session.is_empty() {
            format!("{}/{path}", self.base)
        } else {
            let sep = if path.is_empty() { "" } else { "/" };
            format!("{}/session/{}{sep}{path}", self.base, self.session)
        };
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(v["value"]["error"].is_null(), "webdriver {path}: {v}");
        v["value"].clone()
    }

    async fn element(&self, css: &str) -> String {
        let v = self
            .call(
                "POST",
                "element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_string()
    }

    async fn script(&self, js: &str) -> Value {
        self.call("POST", "execute/sync", json!({"script": js, "args": []}))
            .await
    }

    /// Run `js` (an async function body) and return its value.
    async fn run_async(&self, js: &str) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1]; (async () => {{ {js} }})().then(done, e => done('error: ' + e));"
        );
        self.call(
            "POST",
            "execute/async",
            json!({"script": script, "args": []}),
        )
        .await
    }

    async fn status_until(&self, pred: impl Fn(&str) -> bool, what: &str) -> String {
        let t = Instant::now();
        loop {
            let s = self
                .script("return document.getElementById('status').textContent")
                .await;
            let s = s.as_str().unwrap_or_default().to_string();
            if pred(&s) {
                return s;
            }
            let err = self
                .script("return document.getElementById('status').className")
                .await;
            assert_ne!(err, "error", "the page reported an error: {s}");
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "waiting for {what}; status: {s}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Mean red minus blue (0-255) of the before and after images as the page shows them.
    async fn warmth(&self) -> (f64, f64) {
        let v = self
            .run_async(
                "const m = async (id) => { const i = document.getElementById(id); await i.decode();
                   const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
                   const g = c.getContext('2d'); g.drawImage(i, 0, 0);
                   const d = g.getImageData(0, 0, c.width, c.height).data; let s = 0;
                   for (let k = 0; k < d.length; k += 4) s += d[k] - d[k + 2];
                   return s / (d.length / 4); };
                 return [await m('before'), await m('after')];",
            )
            .await;
        let a = v.as_array().unwrap_or_else(|| panic!("{v}"));
        (a[0].as_f64().unwrap(), a[1].as_f64().unwrap())
    }
}

fn have_browser() -> bool {
    let required = std::env::var("RETOUCH_BROWSER_TESTS").is_ok_and(|v| v == "1");
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            !required,
            "RETOUCH_BROWSER_TESTS=1 but {CHROMIUM} or {CHROMEDRIVER} is missing"
        );
        eprintln!("skipped: install Debian's chromium and chromium-driver to run the browser test");
    }
    present
}

#[tokio::test(flavor = "multi_thread")]
async fn the_web_editor_edits_a_photo_in_a_real_browser() {
    if !have_browser() {
        return;
    }
    let service =
        Arc::new(Service::load(&ModelPaths::default(), retouch_engine::Kernel::best()).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let state = Arc::new(AppState::new(service, Config::default()));
    tokio::spawn(retouch_server::serve(
        listener,
        state,
        std::future::pending(),
    ));

    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("page-test");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let d = Driver::start(&tmp.join("profile")).await;
    d.call("POST", "url", json!({"url": url})).await;
    let title = d.call("GET", "title", json!({})).await;
    assert_eq!(title, "InstantRetouch");

    // Choose a photo.
    let photo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/photos/coffee.png")
        .canonicalize()
        .unwrap();
    let input = d.element("#file").await;
    d.call(
        "POST",
        &format!("element/{input}/value"),
        json!({"text": photo.to_str().unwrap()}),
    )
    .await;
    d.status_until(|s| s.contains("KB"), "the photo to open")
        .await;

    // Type an instruction (in French) and retouch.
    d.script("document.getElementById('instruction').value = 'rends-la plus chaude'")
        .await;
    let go = d.element("#go").await;
    d.call("POST", &format!("element/{go}/click"), json!({}))
        .await;
    d.status_until(|s| s.starts_with("done"), "the edit").await;
    let understood = d
        .script("return document.getElementById('understood').textContent")
        .await;
    assert!(
        understood.as_str().unwrap().contains("warmer"),
        "{understood}"
    );
    let warnings = d
        .script("return document.getElementById('warnings').textContent")
        .await;
    assert!(warnings.as_str().unwrap().contains("French"), "{warnings}");
    let explained = d
        .script("return document.getElementById('explained').textContent")
        .await;
    assert!(
        explained.as_str().unwrap().contains("warmer"),
        "{explained}"
    );
    let (before, after) = d.warmth().await;
    assert!(after > before + 2.0, "warmer: {before} -> {after}");

    let shot = d.call("GET", "screenshot", json!({})).await;
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot.as_str().unwrap())
        .unwrap();
    std::fs::write(tmp.join("editor.png"), png).unwrap();

    // The strength slider at 0 re-applies the edit file: the photo as it was.
    d.script(
        "const s = document.getElementById('strength'); s.value = 0;
         s.dispatchEvent(new Event('input'));",
    )
    .await;
    let t = Instant::now();
    loop {
        let (b, a) = d.warmth().await;
        if (a - b).abs() < 0.5 {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "strength 0: {b} vs {a}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Undo empties the history.
    let undo = d.element("#undo").await;
    d.call("POST", &format!("element/{undo}/click"), json!({}))
        .await;
    let n = d
        .script("return document.querySelectorAll('#history li').length")
        .await;
    assert_eq!(n, 0);

    // A TIFF, which Chromium cannot show: the page asks the server for its preview.
    let tiff = tmp.join("coffee.tif");
    let original = image::open(&photo).unwrap();
    original.save(&tiff).unwrap();
    d.call(
        "POST",
        &format!("element/{input}/value"),
        json!({"text": tiff.to_str().unwrap()}),
    )
    .await;
    let status = d
        .status_until(|s| s.starts_with("coffee.tif ("), "the TIFF to open")
        .await;
    assert!(status.contains("KB"), "{status}");
    let shown = d
        .script(
            "const i = document.getElementById('before'); return [i.naturalWidth, i.naturalHeight]",
        )
        .await;
    assert_eq!(
        shown,
        json!([original.width(), original.height()]),
        "the TIFF's preview"
    );
    d.call("DELETE", "", json!({})).await;
}
