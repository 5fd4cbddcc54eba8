//! A file's lock timeline as inline SVG (no external asset, no script): time runs left to
//! right from the estimates, one row per relation, each lock drawn as a bar shaded by what it
//! blocks from the statement that takes it until it is released, the work under it as a thin
//! dark bar (green when reads and writes go on), statements as ticks with their line numbers,
//! and each row's blocking window labelled at the right. Work of unknown length is hatched and
//! says "size unknown", never drawn as zero.
//!
//! Colours come from CSS classes (the page's stylesheet, light and dark); sizes from the
//! `viewBox`, so the drawing scales with the page and prints.

use super::timeline::{Row, Timeline, Window, worse};
use crate::finding::format_duration;
use crate::report::text::{self, html};
use std::fmt::Write;

const WIDTH: f64 = 800.0;
const NAME_W: f64 = 128.0;
const LABEL_W: f64 = 262.0;
const X0: f64 = NAME_W + 8.0;
const PLOT_W: f64 = WIDTH - X0 - LABEL_W - 12.0;
const TOP: f64 = 26.0;
const ROW_H: f64 = 32.0;
const BAR_H: f64 = 16.0;
const WORK_H: f64 = 5.0;
/// Width of a statement that does no work (so its tick stands apart from the next).
const INSTANT_W: f64 = 8.0;
/// Width of a stretch of unknown length.
const UNKNOWN_W: f64 = 80.0;
/// Rows drawn at most; the statements below the drawing list every relation.
pub(crate) const MAX_ROWS: usize = 40;
/// Characters of a relation's name shown before it is cut (the full name is in the tooltip).
const NAME_CHARS: usize = 16;
/// Characters of a label line.
const LABEL_CHARS: usize = 36;

/// Where each statement sits on the x-axis, and the scale for known seconds.
pub(crate) struct Layout {
    /// Start of each step.
    pub x: Vec<f64>,
    /// Width of each step.
    pub w: Vec<f64>,
    /// Units per known second.
    pub per_second: f64,
}

impl Layout {
    /// Known seconds get the room left after instants and unknown stretches, which take at
    /// most half of it (they shrink together when there are many).
    pub(crate) fn of(t: &Timeline) -> Layout {
        let (mut instants, mut unknowns, mut known) = (0usize, 0usize, 0.0f64);
        for s in &t.steps {
            if s.dur.unknown {
                unknowns += 1;
            } else if s.instant || s.dur.secs <= 0.0 {
                instants += 1;
            }
            known += s.dur.secs;
        }
        let fixed = instants as f64 * INSTANT_W + unknowns as f64 * UNKNOWN_W;
        let shrink = if fixed > PLOT_W / 2.0 {
            PLOT_W / 2.0 / fixed
        } else {
            1.0
        };
        let (mut inst_w, mut unk_w) = (INSTANT_W * shrink, UNKNOWN_W * shrink);
        let per_second = if known > 0.0 {
            (PLOT_W - fixed * shrink) / known
        } else {
            if fixed > 0.0 {
                // Nothing known: the fixed widths share the whole axis.
                let grow = PLOT_W / (fixed * shrink);
                inst_w *= grow;
                unk_w *= grow;
            }
            0.0
        };
        let mut x = Vec::with_capacity(t.steps.len());
        let mut w = Vec::with_capacity(t.steps.len());
        let mut at = X0;
        for s in &t.steps {
            let width = if s.dur.unknown {
                unk_w + s.dur.secs * per_second
            } else if s.instant || s.dur.secs <= 0.0 {
                inst_w
            } else {
                s.dur.secs * per_second
            };
            x.push(at);
            w.push(width);
            at += width;
        }
        Layout { x, w, per_second }
    }

    fn end(&self, i: usize) -> f64 {
        self.x[i] + self.w[i]
    }
}

fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        let c: String = s.chars().take(n - 1).collect();
        format!("{c}…")
    } else {
        s.to_string()
    }
}

/// Split a label into at most two lines, at a space, each at most [`LABEL_CHARS`] long.
fn label_lines(s: &str) -> Vec<String> {
    if s.chars().count() <= LABEL_CHARS {
        return vec![s.to_string()];
    }
    // Before "blocked" reads best: what and where on the first line, how long on the second.
    if let Some(i) = s.find(" blocked ")
        && s[..i].chars().count() <= LABEL_CHARS
    {
        return vec![s[..i].to_string(), cut(&s[i + 1..], LABEL_CHARS)];
    }
    let split = s
        .char_indices()
        .filter(|&(i, c)| c == ' ' && s[..i].chars().count() <= LABEL_CHARS)
        .map(|(i, _)| i)
        .next_back();
    match split {
        Some(i) => vec![s[..i].to_string(), cut(&s[i + 1..], LABEL_CHARS)],
        None => vec![cut(s, LABEL_CHARS)],
    }
}

fn row(out: &mut String, t: &Timeline, l: &Layout, r: &Row, n: usize, id: &str) {
    let y = TOP + n as f64 * ROW_H;
    let bar_y = y + (ROW_H - BAR_H) / 2.0;
    let name = html(&r.rel);
    let _ = write!(
        out,
        "<g class=\"row\" data-table=\"{name}\"><rect class=\"row-bg{}\" x=\"0\" y=\"{}\" width=\"{WIDTH}\" height=\"{ROW_H}\"/>\
         <text class=\"name\" x=\"{}\" y=\"{}\" text-anchor=\"end\"><title>{name}</title>{}</text>",
        if n % 2 == 1 { " odd" } else { "" },
        num(y),
        num(NAME_W),
        num(bar_y + BAR_H - 4.0),
        html(&cut(&r.rel, NAME_CHARS)),
    );
    for s in &r.segments {
        let (x0, x1) = (l.x[s.from], l.end(s.to));
        let (from, to) = (t.steps[s.from].line, t.steps[s.to].line);
        let _ = write!(
            out,
            "<rect class=\"bar {lv}\" data-table=\"{name}\" data-blocks=\"{lv}\" data-mode=\"{mode}\" \
             data-from-line=\"{from}\" data-to-line=\"{to}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{BAR_H}\" rx=\"2\">\
             <title>{name}: {mode} from line {from} to line {to}, blocks {}</title></rect>",
            num(x0),
            num(bar_y),
            num((x1 - x0).max(1.0)),
            text::blocks(s.mode.blocks()),
            lv = s.level.name(),
            mode = text::lock_mode(s.mode),
        );
        for k in s.from..=s.to {
            if !t.steps[k].dur.unknown {
                continue;
            }
            let _ = write!(
                out,
                "<rect class=\"unknown\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{BAR_H}\" fill=\"url(#{id}-hatch)\">\
                 <title>line {}: size unknown (no size hint)</title></rect>",
                num(l.x[k]),
                num(bar_y),
                num(l.w[k]),
                t.steps[k].line,
            );
            if l.w[k] >= 72.0 {
                let _ = write!(
                    out,
                    "<text class=\"unknown-text\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">size unknown</text>",
                    num(l.x[k] + l.w[k] / 2.0),
                    num(bar_y + 10.0),
                );
            }
        }
    }
    for w in &r.work {
        let x = l.x[w.step];
        let (width, secs) = match w.secs {
            Some(s) => ((s * l.per_second).max(1.5), num(s)),
            None => (l.w[w.step], "unknown".to_string()),
        };
        let how_long = w.secs.map_or("size unknown".to_string(), format_duration);
        let _ = write!(
            out,
            "<rect class=\"work{}\" data-table=\"{name}\" data-kind=\"{kind}\" data-line=\"{line}\" data-seconds=\"{secs}\" \
             x=\"{}\" y=\"{}\" width=\"{}\" height=\"{WORK_H}\"><title>line {line}: {kind} of {name}, {how_long}{}</title></rect>",
            if w.nonblocking { " nonblocking" } else { "" },
            num(x),
            num(bar_y + BAR_H - WORK_H),
            num(width),
            if w.nonblocking {
                " (reads and writes go on)"
            } else {
                ""
            },
            kind = text::work(w.kind),
            line = t.steps[w.step].line,
        );
    }
    // The row's worst window, labelled; blocking windows before non-blocking ones.
    let worst = r
        .windows
        .iter()
        .filter(|w| w.level.blocks_traffic())
        .fold(None, |best: Option<&Window>, w| match best {
            Some(b) if !worse(w, b) => best,
            _ => Some(w),
        })
        .or_else(|| r.windows.first());
    if let Some(w) = worst {
        // Shown with the name cut to fit; the tooltip has it whole.
        let mut label = t.label(r, w, |s| cut(s, NAME_CHARS));
        let mut full = t.label(r, w, str::to_string);
        let more = r.windows.len() - 1;
        if more > 0 {
            let more = format!(" (+{more} more)");
            label.push_str(&more);
            full.push_str(&more);
        }
        let lines = label_lines(&label);
        let first_y = if lines.len() == 1 {
            y + ROW_H / 2.0 + 4.0
        } else {
            y + ROW_H / 2.0 - 2.5
        };
        let _ = write!(
            out,
            "<text class=\"window {}\" data-table=\"{name}\" x=\"{}\" y=\"{}\"><title>{}: {}</title>",
            w.level.name(),
            num(WIDTH - LABEL_W),
            num(first_y),
            html(&full),
            html(&t.span_text(w)),
        );
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                out,
                "<tspan x=\"{}\" dy=\"{}\">{}</tspan>",
                num(WIDTH - LABEL_W),
                if i == 0 { "0" } else { "13" },
                html(line)
            );
        }
        out.push_str("</text>");
    }
    out.push_str("</g>\n");
}

/// The timeline of one file as an `<svg>` element; `id` makes its pattern ids unique in the
/// page; `None` when no relation is locked in a way that blocks anything or worked on.
pub(crate) fn render(t: &Timeline, id: &str, name: &str) -> Option<String> {
    if t.rows.is_empty() {
        return None;
    }
    let l = Layout::of(t);
    let shown = t.rows.len().min(MAX_ROWS);
    let axis_y = TOP + shown as f64 * ROW_H + 4.0;
    let height = axis_y + 22.0;
    let mut out = String::with_capacity(2048 + shown * 1200);
    let _ = write!(
        out,
        "<svg class=\"timeline\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {h}\" width=\"{WIDTH}\" height=\"{h}\" \
         role=\"img\" aria-labelledby=\"{id}-title\" data-per-second=\"{}\" data-plot-x=\"{X0}\" data-plot-width=\"{}\">\n\
         <title id=\"{id}-title\">Lock timeline of {}</title>\n\
         <defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect class=\"hatch\" width=\"3\" height=\"6\"/></pattern></defs>\n",
        format_args!("{:.6}", l.per_second),
        num(PLOT_W),
        html(name),
        h = num(height),
    );
    // Statement ticks: a line at each start, labelled with the line number where there is room.
    let mut last_label = f64::NEG_INFINITY;
    for (i, s) in t.steps.iter().enumerate() {
        let x = l.x[i];
        let _ = write!(
            out,
            "<line class=\"tick{}\" data-line=\"{}\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>",
            if s.commit { " commit" } else { "" },
            s.line,
            num(TOP - 6.0),
            num(axis_y),
            x = num(x),
        );
        if x - last_label >= 30.0 {
            let _ = write!(
                out,
                "<text class=\"tick-label\" x=\"{}\" y=\"{}\">{}{}</text>",
                num(x + 1.5),
                num(TOP - 9.0),
                if s.commit { "COMMIT " } else { "L" },
                s.line,
            );
            last_label = x + if s.commit { 40.0 } else { 0.0 };
        }
    }
    out.push('\n');
    for (n, r) in t.rows.iter().take(shown).enumerate() {
        row(&mut out, t, &l, r, n, id);
    }
    let end = t.steps.len().checked_sub(1).map_or(X0, |i| l.end(i));
    let total = t.total();
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{}\" y1=\"{ay}\" x2=\"{}\" y2=\"{ay}\"/>\
         <text class=\"axis-label\" x=\"{}\" y=\"{}\">0</text>\
         <text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        num(X0),
        num(end),
        num(X0),
        num(axis_y + 15.0),
        num(end),
        num(axis_y + 15.0),
        html(&if total.secs > 0.0 || total.unknown {
            format!("estimated time: {}", total.text())
        } else {
            "no work: every lock is brief".to_string()
        }),
        ay = num(axis_y),
    );
    if t.rows.len() > shown {
        let _ = write!(
            out,
            "<text class=\"axis-label\" x=\"{}\" y=\"{}\">… and {} more relations (see the statements below)</text>",
            num(WIDTH - LABEL_W),
            num(axis_y + 15.0),
            t.rows.len() - shown
        );
    }
    out.push_str("</svg>");
    Some(out)
}
