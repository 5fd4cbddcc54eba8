//! `report --format html` rendered by a real browser: headless Chromium (Debian's `chromium`
//! package, which `.ci/run` installs) loads the page, and the test checks the DOM it built and
//! the screenshot it took. Without Chromium the browser test prints why and passes, unless
//! `LOCKLINT_REQUIRE_CHROMIUM=1` (as in CI), which makes a missing browser a failure.

use locklint::config;
use locklint::report::FileResult;
use locklint::report::annotated;
use locklint::rules;
use locklint::source::SourceFile;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONFIG: &str = r#"
[tables]
measurements = { rows = 450_000_000 }
devices = { rows = 20_000 }
"#;

const CREATE: &str = "\
CREATE TABLE devices (id bigint PRIMARY KEY, serial text);
CREATE TABLE measurements (id bigint PRIMARY KEY, device_id bigint, value float8);
";

/// A migration whose SQL and path both carry markup that must show as text, never run.
const CHANGE: &str = "\
BEGIN;
ALTER TABLE measurements ADD COLUMN note text DEFAULT '<script>document.title=\"pwned\"</script> & <b>bold</b>';
ALTER TABLE measurements
  ADD CONSTRAINT measurements_device_fk FOREIGN KEY (device_id) REFERENCES devices (id);
ALTER TABLE measurements ALTER COLUMN value TYPE numeric;
COMMIT;
CREATE INDEX measurements_device_idx ON measurements (device_id);
";

const CHANGE_PATH: &str = "migrations/0002_<script>document.title='pwned'</script>&co.sql";

fn fixture() -> Vec<FileResult> {
    let settings = config::parse_str(CONFIG, Path::new("locklint.toml"), &rules::names())
        .expect("fixture config is valid");
    let sources = [
        ("migrations/0001_create.sql", CREATE),
        (CHANGE_PATH, CHANGE),
    ]
    .iter()
    .map(|(name, text)| (SourceFile::new(*name, text.to_string()), Vec::new()))
    .collect();
    locklint::pipeline::lint_sources(sources, &settings)
}

fn page() -> String {
    let settings = config::parse_str(CONFIG, Path::new("locklint.toml"), &rules::names())
        .expect("fixture config is valid");
    annotated::html::render(&fixture(), &settings)
}

#[test]
fn html_escapes_everything_from_the_input() {
    let html = page();
    assert!(!html.contains("<script"), "no script element at all");
    assert!(!html.contains("<b>bold"), "SQL is text, not markup");
    assert!(
        html.contains(
            "0002_&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&amp;co.sql"
        )
    );
    assert!(html.contains(
        "&#39;&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;&#39;"
    ));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external asset"
    );
    assert_eq!(html, page(), "deterministic");
}

/// The Chromium binary, or why there is none.
fn chromium() -> Result<PathBuf, String> {
    let name = std::env::var("LOCKLINT_CHROMIUM").unwrap_or_else(|_| "chromium".to_string());
    match Command::new(&name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(s) if s.success() => Ok(PathBuf::from(name)),
        Ok(s) => Err(format!("`{name} --version` exited with {s}")),
        Err(e) => Err(format!("`{name}` not runnable: {e}")),
    }
}

/// Run Chromium headless on `url` with `extra` arguments; stdout, or a failure after 120 s.
fn run_chromium(bin: &Path, profile: &Path, extra: &[String], url: &str) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Read the pipes on threads so a chatty browser cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("stdout piped");
    let mut stderr = child.stderr.take().expect("stderr piped");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s: {extra:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    assert!(status.success(), "chromium failed ({status}): {stderr}");
    stdout
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

#[test]
fn chromium_renders_the_report() {
    let bin = match chromium() {
        Ok(bin) => bin,
        Err(reason) => {
            if std::env::var("LOCKLINT_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
                panic!("LOCKLINT_REQUIRE_CHROMIUM=1 but {reason}");
            }
            println!("skipping chromium test: {reason}");
            return;
        }
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let html_path = dir.path().join("report.html");
    std::fs::write(&html_path, page()).expect("write the page");
    let url = format!("file://{}", html_path.display());
    let profile = dir.path().join("profile");

    let dom = run_chromium(&bin, &profile, &["--dump-dom".to_string()], &url);
    // The injected scripts would have set the title: it is unchanged, and no script element exists.
    assert_eq!(
        between(&dom, "<title>", "</title>"),
        Some("locklint report"),
        "{dom}"
    );
    assert!(!dom.contains("<script"), "a script element was created");
    assert!(!dom.contains("<b>bold"), "SQL markup became elements");
    // The markup from the SQL and the path is visible as text.
    assert!(dom.contains(
        "&lt;script&gt;document.title=\"pwned\"&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    ));
    assert!(dom.contains("0002_&lt;script&gt;document.title='pwned'&lt;/script&gt;&amp;co.sql"));
    // Summary, lock badges, work, estimates and findings with their help.
    assert!(dom.contains("<li class=\"errors nonzero\"><b>"), "{dom}");
    assert!(dom.contains("class=\"badge lock blocks-reads\""));
    assert!(
        dom.contains("<span class=\"mode\">AccessExclusiveLock</span> · blocks reads, writes, DDL")
    );
    assert!(dom.contains("class=\"badge lock blocks-writes\""));
    assert!(dom.contains("<span class=\"mode\">ShareRowExclusiveLock</span> · blocks writes, DDL"));
    assert!(dom.contains("<span class=\"badge work rewrite\">rewrite <code>measurements</code>"));
    assert!(dom.contains("<span class=\"badge txn\">in transaction</span>"));
    assert!(dom.contains("<span class=\"badge autocommit\">outside transaction</span>"));
    assert!(
        dom.contains("est. work ~25 min"),
        "450M rows validated at 300k rows/s"
    );
    for rule in [
        "add-foreign-key-validated",
        "alter-column-type-rewrite",
        "create-index-non-concurrently",
    ] {
        assert!(
            dom.contains(&format!("<span class=\"rule\">{rule}</span>")),
            "finding {rule} missing"
        );
    }
    assert!(dom.contains("<pre class=\"help\">"));
    assert!(dom.contains("CONCURRENTLY"), "the safe SQL is shown");

    let shot = dir.path().join("shot.png");
    run_chromium(
        &bin,
        &profile,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".to_string(),
            "--hide-scrollbars".to_string(),
        ],
        &url,
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let width = png
        .get(16..20)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    assert_eq!(width, Some(1280));
    // A blank page of this size compresses to a few kilobytes; text and badges make it far larger.
    assert!(png.len() > 40_000, "screenshot only {} bytes", png.len());
}
