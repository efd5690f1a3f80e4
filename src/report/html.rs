//! `--format html`: one self-contained page for people who do not read terminals — the headline
//! numbers as cards, then "what to do first" (the redaction curve and plan), "what is exposed"
//! (exposure by kind) and "where" (top places), then combinations, overlaps and inputs that
//! could not be scanned, and a short glossary.
//!
//! Self-contained means no network fetch of any kind: styles and the one small script are
//! inline, charts are inline SVG drawn here in Rust (so they render even with scripts off),
//! and a Content-Security-Policy of `default-src 'none'` makes the browser refuse any fetch a
//! future change might add. The script only makes tables sortable and marks the page ready.
//! Every piece of report text goes through [`h`] (HTML escaping). No findings are listed: the
//! page is meant to be forwarded.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Report, Reporter, human_bytes, noun, percent, plan_headline, plural};

/// The HTML reporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

/// Bars in the top-places chart.
const TOP: usize = 10;

/// Escapes text for HTML element content and attribute values.
pub fn h(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Shortens a label to `max` characters, keeping the end (file names matter more than
/// directories).
fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        s.to_string()
    } else {
        let tail: String = s.chars().skip(n - (max - 1)).collect();
        format!("…{tail}")
    }
}

const STYLE: &str = r#"
:root{--ink:#1d2433;--muted:#5b6475;--line:#dde2ea;--accent:#c2410c;--good:#15803d;--bar:#2563eb;--bg:#f7f8fb}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px}p.sub{color:var(--muted);margin:0 0 20px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card .n{font-size:30px;font-weight:700}.card .l{color:var(--muted);font-size:13px}
.card.warn .n{color:var(--accent)}
.panel{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px;margin-top:12px}
.lead{font-size:17px;font-weight:600;color:var(--good)}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;color:var(--muted);font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.kit td{background:#fff4ed}.tag{background:var(--accent);color:#fff;border-radius:4px;padding:0 6px;font-size:12px}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}svg .axis{stroke:var(--line)}svg .muted{fill:var(--muted)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{font-weight:600}dd{margin:0;color:var(--muted)}
footer{color:var(--muted);font-size:12px;margin-top:32px}
"#;

const SCRIPT: &str = r#"
(function(){
  function key(td){var v=td.getAttribute('data-v');return v!==null?parseFloat(v):td.textContent.trim().toLowerCase();}
  document.querySelectorAll('table.sortable').forEach(function(t){
    t.querySelectorAll('th').forEach(function(th,i){
      th.addEventListener('click',function(){
        var body=t.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
        var asc=th.getAttribute('data-asc')!=='1';th.setAttribute('data-asc',asc?'1':'0');
        rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);return (x<y?-1:x>y?1:0)*(asc?1:-1);});
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
  document.documentElement.setAttribute('data-charts',String(document.querySelectorAll('svg.chart').length));
})();
"#;

/// A horizontal bar chart: `(label, value, annotation)` rows.
fn bar_chart(id: &str, title: &str, rows: &[(String, f64, String)], color: &str) -> String {
    let (w, label_w, row_h, top) = (960.0, 300.0, 28.0, 8.0);
    let height = top * 2.0 + row_h * rows.len() as f64;
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1e-9);
    let bar_max = w - label_w - 230.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" id="{id}" role="img" aria-label="{t}" viewBox="0 0 {w} {height}" width="100%"><title>{t}</title>"#,
        t = h(title)
    );
    for (i, (label, value, note)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let bw = (value / max * bar_max).max(2.0);
        let _ = write!(
            s,
            r#"<g class="bar"><title>{full}: {note}</title><text x="{lx}" y="{ty}" text-anchor="end">{short}</text><rect x="{label_w}" y="{ry}" width="{bw:.1}" height="{rh}" rx="3" fill="{color}"></rect><text x="{nx:.1}" y="{ty}" class="muted">{note}</text></g>"#,
            full = h(label),
            short = h(&shorten(label, 42)),
            note = h(note),
            lx = label_w - 8.0,
            ty = y + row_h * 0.65,
            ry = y + 4.0,
            rh = row_h - 8.0,
            nx = label_w + bw + 6.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// The redaction curve: cumulative share of risk removed after 0..=n actions.
fn curve_chart(report: &Report) -> String {
    let plan = &report.exposure.plan;
    let (w, hgt, l, r, t, b) = (960.0, 280.0, 56.0, 20.0, 16.0, 40.0);
    let n = plan.len().max(1) as f64;
    let x = |k: f64| l + (w - l - r) * k / n;
    let y = |share: f64| t + (hgt - t - b) * (1.0 - share.clamp(0.0, 1.0));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" id="chart-curve" role="img" aria-label="Share of risk removed after each action" viewBox="0 0 {w} {hgt}" width="100%"><title>Share of risk removed after each action</title>"#
    );
    for pct in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            s,
            r#"<line class="axis" x1="{l}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}"></line><text x="{tx}" y="{ty:.1}" text-anchor="end" class="muted">{p:.0}%</text>"#,
            x2 = w - r,
            yy = y(pct),
            tx = l - 6.0,
            ty = y(pct) + 4.0,
            p = pct * 100.0
        );
    }
    let mut points = vec![(x(0.0), y(0.0))];
    for step in plan {
        points.push((x(step.rank as f64), y(step.cumulative_share)));
    }
    let line: Vec<String> = points
        .iter()
        .map(|(a, b)| format!("{a:.1},{b:.1}"))
        .collect();
    let _ = write!(
        s,
        r##"<polygon points="{l},{base:.1} {pts} {xe:.1},{base:.1}" fill="#16a34a" fill-opacity="0.12"></polygon><polyline points="{pts}" fill="none" stroke="#15803d" stroke-width="3"></polyline>"##,
        base = y(0.0),
        pts = line.join(" "),
        xe = points.last().map(|p| p.0).unwrap_or(l),
    );
    for (step, (px, py)) in plan.iter().zip(points.iter().skip(1)) {
        let _ = write!(
            s,
            r##"<g class="point"><title>{k}. {d}: {p} removed</title><circle cx="{px:.1}" cy="{py:.1}" r="5" fill="#15803d"></circle><text x="{px:.1}" y="{ly:.1}" text-anchor="middle">{k}</text></g>"##,
            k = step.rank,
            d = h(&step.description),
            p = percent(step.cumulative_share),
            ly = hgt - b + 18.0,
        );
    }
    let _ = write!(
        s,
        r#"<text x="{cx:.1}" y="{by:.1}" text-anchor="middle" class="muted">actions taken, in plan order</text></svg>"#,
        cx = (l + w - r) / 2.0,
        by = hgt - 4.0
    );
    s
}

fn card(out: &mut String, n: &str, label: &str, warn: bool) {
    let _ = write!(
        out,
        r#"<div class="card{}"><div class="n">{}</div><div class="l">{}</div></div>"#,
        if warn { " warn" } else { "" },
        h(n),
        h(label)
    );
}

fn page(report: &Report) -> String {
    let e = &report.exposure;
    let s = &e.summary;
    let t = &report.totals;
    let mut o = String::with_capacity(64 * 1024);
    o.push_str(r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">"#);
    o.push_str(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">"#);
    o.push_str(r#"<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">"#);
    let _ = write!(
        o,
        "<title>piiscan exposure report</title><style>{STYLE}</style></head><body><main>"
    );
    let roots: Vec<String> = report.roots.iter().map(|r| h(r)).collect();
    let _ = write!(
        o,
        r#"<h1>Personal data exposure report</h1><p class="sub">{} · scanned {} · piiscan {}</p>"#,
        h(&report.finished),
        roots.join(", "),
        h(&report.version)
    );
    o.push_str(r#"<section class="cards" id="headline">"#);
    card(
        &mut o,
        &s.people.to_string(),
        &format!("distinct {} exposed", noun(s.people, "person", "people")),
        s.people > 0,
    );
    card(
        &mut o,
        &s.identity_kit_records.to_string(),
        &format!(
            "identity-kit {} (enough to impersonate someone)",
            noun(s.identity_kit_records, "record", "records")
        ),
        s.identity_kit_records > 0,
    );
    card(
        &mut o,
        &format!("{} / {}", s.records_with_pii, s.records),
        &format!(
            "{} holding personal data",
            noun(s.records, "record", "records")
        ),
        false,
    );
    card(
        &mut o,
        &format!("{} · {}", t.inputs, human_bytes(t.bytes)),
        &format!("{} scanned", noun(t.inputs, "file", "files")),
        false,
    );
    if t.errors > 0 {
        card(
            &mut o,
            &t.errors.to_string(),
            &format!(
                "{} that could not be scanned (results incomplete)",
                noun(t.errors, "file", "files")
            ),
            true,
        );
    }
    o.push_str("</section>");

    o.push_str(r#"<h2>What should we do first?</h2><div class="panel">"#);
    match plan_headline(e) {
        Some(hl) => {
            let _ = write!(
                o,
                r#"<p class="lead">{}</p><p>Each step below is scored after the steps above it are done. The curve shows how much of the total risk is gone after each one.</p>"#,
                h(&hl)
            );
            o.push_str(&curve_chart(report));
            o.push_str(r#"<table class="sortable" id="plan"><thead><tr><th class="num">#</th><th>action</th><th class="num">risk removed</th><th class="num">people no longer exposed</th><th class="num">identity kits removed</th><th class="num">cumulative</th></tr></thead><tbody>"#);
            for st in &e.plan {
                let _ = write!(
                    o,
                    r#"<tr><td class="num" data-v="{r}">{r}</td><td>{d}</td><td class="num" data-v="{sc}">{sc:.0}</td><td class="num" data-v="{p}">{p}</td><td class="num" data-v="{k}">{k}</td><td class="num" data-v="{c}">{cp}</td></tr>"#,
                    r = st.rank,
                    d = h(&st.description),
                    sc = st.score,
                    p = st.people_unexposed,
                    k = st.kits_dissolved,
                    c = st.cumulative_share,
                    cp = percent(st.cumulative_share)
                );
            }
            o.push_str("</tbody></table>");
        }
        None => o.push_str("<p>No personal data found: nothing to redact.</p>"),
    }
    o.push_str("</div>");

    if !e.kinds.is_empty() {
        o.push_str(r#"<h2>What is exposed?</h2><div class="panel"><p>People exposed per kind of personal data (a person counts once per kind, however many copies exist).</p>"#);
        let rows: Vec<(String, f64, String)> = e
            .kinds
            .iter()
            .map(|k| {
                (
                    k.kind.as_str().replace('_', " "),
                    k.people as f64,
                    format!(
                        "{} · {} · {}",
                        plural(k.people, "person", "people"),
                        plural(k.values, "value", "values"),
                        plural(k.inputs, "file", "files")
                    ),
                )
            })
            .collect();
        o.push_str(&bar_chart(
            "chart-kinds",
            "People exposed by kind",
            &rows,
            "#2563eb",
        ));
        o.push_str("</div>");
    }
    let top = e.top_places(TOP);
    if !top.is_empty() {
        o.push_str(r#"<h2>Where is it?</h2><div class="panel"><p>The places (file, column, kind) whose removal would remove the most risk on its own.</p>"#);
        let rows: Vec<(String, f64, String)> = top
            .iter()
            .map(|(path, p)| {
                let label = match &p.field {
                    Some(f) => format!("{path} › {f} ({})", p.kind),
                    None => format!("{path} ({})", p.kind),
                };
                (
                    label,
                    p.risk,
                    format!(
                        "risk {:.0} · {}",
                        p.risk,
                        plural(p.people, "person", "people")
                    ),
                )
            })
            .collect();
        o.push_str(&bar_chart(
            "chart-places",
            "Top places by exposure",
            &rows,
            "#c2410c",
        ));
        o.push_str("</div>");
    }
    let estimates = super::row_estimates(report);
    if !estimates.is_empty() {
        o.push_str(r#"<h2>Live tables: rows exposed (estimates)</h2><div class="panel"><p>Tables of live databases are sampled, not read whole: each number of rows exposed is an <strong>estimate</strong>, the sampled rows carrying the place scaled by the table's row count in the catalogue.</p><table class="sortable" id="row-estimates"><thead><tr><th>table</th><th>field</th><th>kind</th><th class="num">estimated rows exposed</th><th class="num">sampled rows carrying it</th><th class="num">rows sampled</th><th class="num">rows in catalogue</th><th>sampling</th></tr></thead><tbody>"#);
        for r in &estimates {
            let total = r
                .sample
                .catalogue_rows
                .map_or_else(|| "?".to_string(), |n| n.to_string());
            o.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">≈ {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{} ({})</td></tr>",
                h(r.path),
                h(r.field.unwrap_or("")),
                r.kind,
                r.estimate,
                r.records,
                r.sample.sampled_rows,
                total,
                h(&r.sample.method),
                h(&r.sample.catalogue_source)
            ));
        }
        o.push_str("</tbody></table></div>");
    }
    if !e.folders.is_empty() {
        // Every folder (the text and markdown reports show the top ones): a sortable table
        // is readable at thousands of rows, and the owner of each folder needs its line.
        o.push_str(r#"<h2>Which folders to restrict or purge?</h2><div class="panel"><p>Folders (directories, archives, bucket prefixes) by the risk that restricting or purging each alone would remove; a person in several files of a folder counts once.</p>"#);
        if let Some(last) = e.folder_plan.last() {
            let steps: Vec<String> = e
                .folder_plan
                .iter()
                .map(|st| format!("{} ({})", h(&st.path), percent(st.cumulative_share)))
                .collect();
            o.push_str(&format!(
                "<p>First to restrict or purge, each chosen after the ones before it (cumulative share of the risk score): {}. Together these {} folders hold {} of the risk score.</p>",
                steps.join(" → "),
                last.rank,
                percent(last.cumulative_share)
            ));
        }
        o.push_str(r#"<table class="sortable" id="folders"><thead><tr><th>folder</th><th class="num">files with PII</th><th class="num">people</th><th class="num">values</th><th class="num">share of risk</th></tr></thead><tbody>"#);
        for f in &e.folders {
            o.push_str(&format!(
                r#"<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
                h(&f.path),
                f.files_with_pii,
                f.people,
                f.values,
                percent(f.risk_share)
            ));
        }
        o.push_str("</tbody></table></div>");
    }
    if !e.combinations.is_empty() {
        o.push_str(r#"<h2>Which combinations appear together?</h2><div class="panel"><table class="sortable" id="combinations"><thead><tr><th>kinds in one record</th><th class="num">records</th><th>identity kit</th></tr></thead><tbody>"#);
        for c in &e.combinations {
            let kinds: Vec<&str> = c.kinds.iter().map(|k| k.as_str()).collect();
            let _ = write!(
                o,
                r#"<tr{}><td>{}</td><td class="num" data-v="{r}">{r}</td><td>{}</td></tr>"#,
                if c.identity_kit {
                    r#" class="kit""#
                } else {
                    ""
                },
                h(&kinds.join(" + ")),
                if c.identity_kit {
                    r#"<span class="tag">identity kit</span>"#
                } else {
                    ""
                },
                r = c.records
            );
        }
        o.push_str("</tbody></table></div>");
    }
    if !e.overlaps.is_empty() {
        o.push_str(r#"<h2>Copies of the same people</h2><div class="panel"><table class="sortable" id="overlaps"><thead><tr><th>file</th><th>also in</th><th class="num">shared people</th><th class="num">share</th></tr></thead><tbody>"#);
        for ov in e.overlaps.iter().take(50) {
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td>{}</td><td class="num" data-v="{n}">{n}</td><td class="num" data-v="{s}">{sp}</td></tr>"#,
                h(&ov.input),
                h(&ov.other),
                n = ov.shared_people,
                s = ov.share,
                sp = percent(ov.share)
            );
        }
        o.push_str("</tbody></table></div>");
    }
    if !report.errors.is_empty() || !report.skipped.is_empty() {
        o.push_str(r#"<h2>Not scanned</h2><div class="panel"><table id="not-scanned"><thead><tr><th>file</th><th>status</th><th>reason</th></tr></thead><tbody>"#);
        for (status, list) in [("error", &report.errors), ("skipped", &report.skipped)] {
            for i in list {
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td>{status}</td><td>{}</td></tr>",
                    h(&i.path),
                    h(&i.reason)
                );
            }
        }
        o.push_str("</tbody></table></div>");
    }
    o.push_str(r#"<h2>What the words mean</h2><div class="panel"><dl>
<dt>Distinct people</dt><dd>Records are joined into one person when they share an email, phone, loyalty, ID, passport or card number. Records with none of these count as one person each.</dd>
<dt>Identity kit</dt><dd>A record holding a name, email or phone together with a date of birth and a loyalty number or government ID: enough to pass many identity checks.</dd>
<dt>Risk score</dt><dd>A weighted sum of the values exposed, the people exposed to each kind of data, and identity-kit records. Only its relative size matters.</dd>
<dt>Redaction plan</dt><dd>Changes ranked so that the first ones remove the most risk. Masking, dropping or tokenising a column removes its values; generalising a date of birth keeps only the year.</dd>
</dl></div>"#);
    let _ = writeln!(
        o,
        "<footer>{}. This report holds masked values and keyed fingerprints only, but it still describes personal data: share it on a need-to-know basis.</footer></main><script>{SCRIPT}</script></body></html>",
        plural(t.findings, "finding", "findings")
    );
    o
}

impl Reporter for Html {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(page(report).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::{h, shorten};

    #[test]
    fn escapes_and_shortens() {
        assert_eq!(
            h("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(shorten("abcdef", 4), "…def");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
