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
measurements = { rows = 450_000_000, bytes = "120 GB" }
devices = { rows = 20_000 }
"#;

/// The table with markup in its name has no size hint: its work is of unknown length.
const CREATE: &str = "\
CREATE TABLE devices (id bigint PRIMARY KEY, serial text);
CREATE TABLE measurements (id bigint PRIMARY KEY, device_id bigint, value float8, taken_at timestamptz);
CREATE TABLE \"</script><img src=x onerror=document.title='pwned'>\" (id bigint, note text);
";

/// One transaction: ADD COLUMN, then a backfill, then an index build, all under the ACCESS
/// EXCLUSIVE lock of the first until COMMIT.
const BACKFILL: &str = "\
BEGIN;
ALTER TABLE measurements ADD COLUMN unit text;
UPDATE measurements SET unit = 'celsius';
CREATE INDEX measurements_unit_idx ON measurements (unit);
COMMIT;
";

/// The index built without blocking writes, and a scan of a table of unknown size.
const CONCURRENTLY: &str = "\
CREATE INDEX CONCURRENTLY measurements_taken_at_idx ON measurements (taken_at);
ALTER TABLE \"</script><img src=x onerror=document.title='pwned'>\" ALTER COLUMN note SET NOT NULL;
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
        ("migrations/0003_backfill.sql", BACKFILL),
        ("migrations/0004_concurrently.sql", CONCURRENTLY),
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
    // The table whose name is markup: in the drawing (row name, bars, window label), in the
    // overview tables and in the messages, always as text.
    assert!(!html.contains("<img"), "no image element from a table name");
    const NAME: &str = "&lt;/script&gt;&lt;img src=x onerror=document.title=&#39;pwned&#39;&gt;";
    let svg = between(&html, "<svg class=\"timeline\" id=\"timeline-4\"", "</svg>")
        .expect("the CONCURRENTLY file has a timeline");
    assert!(svg.contains(&format!("<g class=\"row\" data-table=\"{NAME}\">")));
    assert!(svg.contains(&format!("<rect class=\"bar reads\" data-table=\"{NAME}\"")));
    assert!(svg.contains(&format!(
        "<title>reads and writes to {NAME} blocked for an unknown time: line 2</title>"
    )));
    assert!(html.contains(&format!(
        "<tr data-table=\"{NAME}\"><td><code>{NAME}</code></td>"
    )));
    assert!(html.contains(&format!("<code>{NAME}</code>")));
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

    // The escaped table name shows as text in the drawing and in the tables.
    assert!(
        !dom.contains("<img"),
        "a table name became an image element"
    );
    assert!(dom.contains("&lt;/script&gt;&lt;img src=x onerror=document.title='pwned'&gt;"));

    // Measure the drawing as laid out, at both widths: a small script the test adds (the page
    // itself has none) writes what it sees into the DOM.
    for width in [1400, 800] {
        let measured = dir.path().join(format!("measure-{width}.html"));
        let page = page().replace("</body>", &format!("<script>{MEASURE}</script></body>"));
        std::fs::write(&measured, page).expect("write the measuring page");
        let dom = run_chromium(
            &bin,
            &profile,
            &[
                "--dump-dom".to_string(),
                format!("--window-size={width},2000"),
            ],
            &format!("file://{}", measured.display()),
        );
        let m = Measured::parse(&dom);
        m.check(width);
    }

    for width in [1400u32, 800] {
        let shot = dir.path().join(format!("shot-{width}.png"));
        run_chromium(
            &bin,
            &profile,
            &[
                format!("--screenshot={}", shot.display()),
                format!("--window-size={width},2400"),
                "--hide-scrollbars".to_string(),
            ],
            &url,
        );
        let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
        let png_width = png
            .get(16..20)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        assert_eq!(png_width, Some(width));
        // A blank page of this size compresses to a few kilobytes; text, bars and badges make
        // it far larger.
        assert!(png.len() > 40_000, "screenshot only {} bytes", png.len());
    }
}

/// Writes one line per bar, work bar and window label of every timeline, and the page's
/// scroll width, into `<pre id="measure">`.
const MEASURE: &str = r#"
(() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.timeline')) {
    for (const r of svg.querySelectorAll('rect.bar')) {
      out.push(['bar', svg.id, r.dataset.table, r.dataset.blocks, r.dataset.fromLine,
        r.getBoundingClientRect().width.toFixed(2)].join('\t'));
    }
    for (const r of svg.querySelectorAll('rect.work')) {
      out.push(['work', svg.id, r.dataset.table, r.dataset.kind, r.dataset.seconds,
        r.classList.contains('nonblocking') ? 'nonblocking' : 'blocking',
        r.getBoundingClientRect().width.toFixed(2)].join('\t'));
    }
    for (const t of svg.querySelectorAll('text.window')) {
      const lines = [...t.querySelectorAll('tspan')].map(s => s.textContent);
      out.push(['window', svg.id, t.dataset.table, lines.join(' / ')].join('\t'));
    }
    for (const r of svg.querySelectorAll('rect.unknown')) {
      out.push(['unknown', svg.id, r.getBoundingClientRect().width.toFixed(2)].join('\t'));
    }
  }
  out.push(['scroll', document.documentElement.scrollWidth, window.innerWidth].join('\t'));
  const pre = document.createElement('pre');
  pre.id = 'measure';
  pre.textContent = out.join('\n');
  document.body.append(pre);
})();
"#;

/// What the measuring script saw.
struct Measured {
    rows: Vec<Vec<String>>,
}

impl Measured {
    fn parse(dom: &str) -> Measured {
        let text = between(dom, "<pre id=\"measure\">", "</pre>").expect("the script ran");
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        Measured {
            rows: text
                .lines()
                .map(|l| l.split('\t').map(str::to_string).collect())
                .collect(),
        }
    }

    fn of<'a>(&'a self, kind: &'a str, svg: &'a str) -> impl Iterator<Item = &'a Vec<String>> {
        self.rows
            .iter()
            .filter(move |r| r[0] == kind && r.get(1).map(String::as_str) == Some(svg))
    }

    fn check(&self, width: u32) {
        let px = |r: &Vec<String>| r.last().unwrap().parse::<f64>().unwrap();
        // The transaction: one bar on measurements blocking reads from ADD COLUMN to COMMIT,
        // with the backfill (4500 s) and the index build (1500 s) under it, drawn 3 : 1.
        let bars: Vec<_> = self.of("bar", "timeline-3").collect();
        assert_eq!(bars.len(), 1, "{bars:?}");
        assert_eq!(
            (&bars[0][2][..], &bars[0][3][..]),
            ("measurements", "reads")
        );
        let work: Vec<_> = self.of("work", "timeline-3").collect();
        assert_eq!(work.len(), 2, "{work:?}");
        assert_eq!((&work[0][3][..], &work[0][4][..]), ("row updates", "4500"));
        assert_eq!((&work[1][3][..], &work[1][4][..]), ("index build", "1500"));
        let ratio = px(work[0]) / px(work[1]);
        assert!((ratio - 3.0).abs() < 0.05, "widths {work:?} at {width} px");
        // The whole bar is the work plus the instants (ADD COLUMN, BEGIN/COMMIT ticks).
        assert!(px(bars[0]) >= px(work[0]) + px(work[1]));
        let labels: Vec<_> = self.of("window", "timeline-3").collect();
        assert_eq!(
            labels[0][3], "reads and writes to measurements / blocked ~1.7 h",
            "one label on two lines"
        );

        // CONCURRENTLY: the index build lets reads and writes go on; only DDL waits.
        let work: Vec<_> = self.of("work", "timeline-4").collect();
        assert!(
            work.iter()
                .any(|w| w[2] == "measurements" && w[5] == "nonblocking" && w[4] == "1500"),
            "{work:?}"
        );
        assert!(
            self.of("bar", "timeline-4")
                .any(|b| b[2] == "measurements" && b[3] == "ddl")
        );
        // The table without a size hint: a bar that blocks reads, hatched, never zero wide.
        let name = "</script><img src=x onerror=document.title='pwned'>";
        assert!(
            self.of("bar", "timeline-4")
                .any(|b| b[2] == name && b[3] == "reads")
        );
        let unknown: Vec<_> = self.of("unknown", "timeline-4").collect();
        assert!(
            !unknown.is_empty() && unknown.iter().all(|u| px(u) > 10.0),
            "{unknown:?}"
        );
        assert!(
            self.of("window", "timeline-4")
                .any(|w| w[2] == name && w[3].contains("unknown time")),
        );

        // The file with the validated foreign key: a bar per locked table.
        for table in ["measurements", "devices"] {
            assert!(
                self.of("bar", "timeline-2").any(|b| b[2] == table),
                "no bar for {table}"
            );
        }
        // Nothing wider than the window.
        let scroll = self.rows.iter().find(|r| r[0] == "scroll").unwrap();
        let (page, window): (f64, f64) = (scroll[1].parse().unwrap(), scroll[2].parse().unwrap());
        assert!(
            page <= window,
            "page {page} px wide in a {window} px window"
        );
    }
}
