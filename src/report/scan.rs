//! `scan` reports: the inventory table and the fleet summary (from [`super::inventory`]), as
//! a human table, JSON, CSV, Markdown and a self-contained HTML page; and [`Progress`], what a
//! scan tells how far it has got, with the bar on stderr the caller may give it.

use std::io::{self, Write};

use super::escape::{csv_cell, csv_writer, html_attr, html_text, md_cell, md_code_cell, md_text};
use super::inventory::{ScanReport, Standing, Workspace};

/// How many workspace names a fleet summary line shows per version line (all with `-v`).
const NAMES_SHOWN: usize = 5;

/// The lines of `krate` a row resolves, as `0.9, 0.12` (`-` for none).
fn lines_cell(w: &Workspace, krate: &str) -> String {
    let lines = lines_of(w, krate);
    if lines.is_empty() {
        "-".to_owned()
    } else {
        lines
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The sort key of a lines cell in the HTML table: the lines' keys in order, so a column
/// sorts by semver (0.9 before 0.10 before 0.13), never as decimal numbers.
fn lines_sort_key(w: &Workspace, krate: &str) -> String {
    lines_of(w, krate)
        .iter()
        .map(crate::analysis::Line::sort_key)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines of `krate` in a workspace, lowest first.
fn lines_of(w: &Workspace, krate: &str) -> Vec<crate::analysis::Line> {
    let mut lines: Vec<crate::analysis::Line> = w
        .lines
        .get(krate)
        .into_iter()
        .flatten()
        .filter_map(|v| semver::Version::parse(v).ok())
        .map(|v| crate::analysis::Line::of(&v))
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

/// `warning, deny in 178 days`, `error since 2027-06-01`, `ok`, or `-` without a policy.
pub fn policy_cell(w: &Workspace) -> String {
    let Some(p) = &w.policy else {
        return "-".to_owned();
    };
    match (p.status.as_str(), &p.deny_from, p.days_left) {
        ("ok", _, _) => "ok".to_owned(),
        (s, Some(d), Some(left)) if left <= 0 => format!("{s} since {d}"),
        (s, Some(_), Some(left)) => format!("{s}, {left} days left"),
        (s, _, _) => s.to_owned(),
    }
}

fn verdict(w: &Workspace) -> &'static str {
    match (&w.error, w.fails()) {
        (Some(_), _) => "unreadable",
        (None, true) => "fail",
        (None, false) => "pass",
    }
}

/// The table rows as cells: path, one column per crate, errors, warnings, policy, edit.
fn table(report: &ScanReport) -> (Vec<String>, Vec<Vec<String>>) {
    let crates = report.crates();
    let mut head = vec!["workspace".to_owned(), "gate".to_owned()];
    head.extend(crates.iter().cloned());
    head.extend(["errors", "warnings", "policy", "edit"].map(str::to_owned));
    let rows = report
        .workspaces
        .iter()
        .map(|w| {
            let mut row = vec![w.path.clone(), verdict(w).to_owned()];
            if let Some(e) = &w.error {
                row.push(format!("error: {}", first_line(e)));
                return row;
            }
            row.extend(crates.iter().map(|c| lines_cell(w, c)));
            row.push(w.summary.errors.to_string());
            row.push(w.summary.warnings.to_string());
            row.push(policy_cell(w));
            row.push(w.edit.clone().unwrap_or_else(|| "-".to_owned()));
            row
        })
        .collect();
    (head, rows)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

/// The fleet summary lines: `tonic 0.9: 1 (inventory); 0.12: 2 (a, b)`.
fn fleet_lines(report: &ScanReport, all_names: bool) -> Vec<String> {
    report
        .crates()
        .iter()
        .filter_map(|krate| {
            let lines = report.lines_of(krate);
            if lines.is_empty() {
                return None;
            }
            let parts: Vec<String> = lines
                .iter()
                .map(|(line, paths)| {
                    let shown = if all_names { paths.len() } else { NAMES_SHOWN };
                    let mut names: Vec<&str> =
                        paths.iter().take(shown).map(String::as_str).collect();
                    let more = paths.len().saturating_sub(shown);
                    let tail = if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    };
                    names.truncate(shown);
                    format!("{line}: {} ({}{tail})", paths.len(), names.join(", "))
                })
                .collect();
            Some(format!("{krate} {}", parts.join("; ")))
        })
        .collect()
}

/// The closing line: how many were read, failed and could not be read.
fn totals(report: &ScanReport) -> String {
    let n = report.workspaces.len();
    let unreadable = report
        .workspaces
        .iter()
        .filter(|w| w.error.is_some())
        .count();
    let failing = report.workspaces.iter().filter(|w| w.fails()).count();
    format!(
        "{}, {failing} failing the gate, {unreadable} unreadable",
        super::plural(n, "workspace", "workspaces")
    )
}

/// Only the summary line (`-q`): the fleet's verdict.
pub fn render_summary(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "summary: {}", totals(report))
}

pub fn render_human(report: &ScanReport, verbose: bool, out: &mut dyn Write) -> io::Result<()> {
    let (head, rows) = table(report);
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        // An unreadable row's message spans the remaining columns: it does not widen them.
        let counted = if row.len() == head.len() {
            row.len()
        } else {
            row.len() - 1
        };
        for (w, cell) in widths.iter_mut().zip(&row[..counted]) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_owned()
    };
    writeln!(
        out,
        "{}",
        line(&head.iter().map(|h| h.to_uppercase()).collect::<Vec<_>>())
    )?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    writeln!(out)?;
    for l in fleet_lines(report, verbose) {
        writeln!(out, "{l}")?;
    }
    render_summary(report, out)
}

pub fn render_json(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    super::json::render_value(report, out)
}

pub fn render_csv(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let crates = report.crates();
    let mut head: Vec<String> = vec!["path".into(), "gate".into(), "error".into()];
    head.extend(crates.iter().cloned());
    head.extend(
        [
            "errors",
            "warnings",
            "notes",
            "policy",
            "deny_from",
            "days_left",
            "edit",
        ]
        .map(str::to_owned),
    );
    let mut csv = csv_writer(out);
    csv.write_record(head.iter().map(|h| csv_cell(h).into_owned()))?;
    for w in &report.workspaces {
        // Text cells guarded as they are made; the numbers the tool counts are written as is.
        let mut row = vec![
            csv_cell(&w.path).into_owned(),
            verdict(w).to_owned(),
            csv_cell(w.error.as_deref().unwrap_or_default()).into_owned(),
        ];
        // Versions, space separated: a spreadsheet cell per crate.
        row.extend(
            crates
                .iter()
                .map(|c| w.lines.get(c).map(|v| v.join(" ")).unwrap_or_default())
                .map(|v| csv_cell(&v).into_owned()),
        );
        let p = w.policy.as_ref();
        row.extend([
            w.summary.errors.to_string(),
            w.summary.warnings.to_string(),
            w.summary.notes.to_string(),
            csv_cell(p.map_or("", |p| p.status.as_str())).into_owned(),
            csv_cell(p.and_then(|p| p.deny_from.as_deref()).unwrap_or_default()).into_owned(),
            p.and_then(|p| p.days_left)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            csv_cell(w.edit.as_deref().unwrap_or_default()).into_owned(),
        ]);
        if w.error.is_some() {
            row.truncate(3);
            row.resize(head.len(), String::new());
        }
        csv.write_record(&row)?;
    }
    csv.flush()
}

pub fn render_markdown(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## cargo etcd-deps scan: {}\n", totals(report))?;
    let (head, rows) = table(report);
    let head: Vec<String> = head.iter().map(|h| md_cell(h)).collect();
    writeln!(out, "| {} |", head.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(head.len()))?;
    for mut row in rows {
        row.resize(head.len(), String::new());
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| match i {
                0 => md_code_cell(c),
                _ => md_cell(c),
            })
            .collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    writeln!(out, "\n### Fleet\n")?;
    for l in fleet_lines(report, true) {
        writeln!(out, "- {}", md_text(&l))?;
    }
    Ok(())
}

/// Where a scan says how far it has got. Called from the scan's worker threads.
pub trait Progress: Sync {
    /// `done` of `total` workspaces are analysed.
    fn analysed(&self, done: usize, total: usize);
    /// Every workspace is analysed.
    fn finished(&self);
}

/// Progress not shown.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn analysed(&self, _done: usize, _total: usize) {}
    fn finished(&self) {}
}

/// `scanned 37/1000 workspaces` with a bar, rewritten in place on stderr, and cleared at the
/// end.
#[derive(Clone, Copy, Debug, Default)]
pub struct StderrBar;

impl Progress for StderrBar {
    fn analysed(&self, done: usize, total: usize) {
        let mut err = io::stderr().lock();
        const WIDTH: usize = 24;
        let filled = done * WIDTH / total.max(1);
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(WIDTH - filled));
        let _ = write!(err, "\r\x1b[2K[{bar}] scanned {done}/{total} workspaces");
        let _ = err.flush();
    }

    fn finished(&self) {
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

const HTML_STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.1em;margin:1.2em 0 .4em}\
.charts{display:flex;flex-wrap:wrap;gap:2em}.chart{min-width:18em}\
.row{display:flex;align-items:center;margin:2px 0}.label{width:4em;text-align:right;padding-right:.5em}\
.bar{background:#4a7bd0;color:#fff;padding:1px 4px;min-width:1.5em;box-sizing:border-box}\
table{border-collapse:collapse;margin-top:1em}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}\
th{background:#eee;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:' \\25B2'}\
th[aria-sort=descending]::after{content:' \\25BC'}.fail{color:#b00;font-weight:bold}\
.unreadable{color:#a60}.error{background:#fdd}.warning{background:#ffe9b3}.note{background:#e8f0ff}";

/// Sorts the table by the clicked column by each cell's `data-sort` key, else its text:
/// integers by value, keys (version lines, fixed width) byte by byte, other text by locale.
const HTML_SCRIPT: &str = "document.querySelectorAll('#workspaces th').forEach(function(th,i){\
th.addEventListener('click',function(){var t=document.getElementById('workspaces');\
var asc=th.getAttribute('aria-sort')!=='ascending';\
t.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});\
th.setAttribute('aria-sort',asc?'ascending':'descending');var b=t.tBodies[0];\
var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){\
var a=x.cells[i],c=y.cells[i];var k=a&&c&&a.hasAttribute('data-sort')&&c.hasAttribute('data-sort');\
var p=a?a.getAttribute('data-sort')||a.textContent:'';\
var q=c?c.getAttribute('data-sort')||c.textContent:'';var d=/^-?[0-9]+$/;\
var r=(d.test(p)&&d.test(q))?p-q:k?(p<q?-1:p>q?1:0):p.localeCompare(q);return asc?r:-r});\
rows.forEach(function(r){b.appendChild(r)})})});";

/// One self-contained page: no network, no external file.
pub fn render_html(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>cargo etcd-deps scan</title><style>{HTML_STYLE}</style></head><body>"
    )?;
    writeln!(
        out,
        "<h1>cargo etcd-deps scan</h1><p id=\"totals\">{}</p>",
        html_text(&totals(report))
    )?;
    writeln!(out, "<h2>Workspaces per line</h2><div class=\"charts\">")?;
    for krate in report.crates() {
        let lines = report.lines_of(&krate);
        let max = lines.iter().map(|(_, p)| p.len()).max().unwrap_or(1).max(1);
        writeln!(
            out,
            "<div class=\"chart\" data-crate=\"{}\"><h3>{}</h3>",
            html_attr(&krate),
            html_text(&krate)
        )?;
        for (line, paths) in &lines {
            writeln!(
                out,
                "<div class=\"row\"><span class=\"label\">{l}</span><div class=\"bar\" \
                 data-line=\"{a}\" data-count=\"{n}\" style=\"width:{w}em\" title=\"{t}\">{n}</div></div>",
                l = html_text(line),
                a = html_attr(line),
                n = paths.len(),
                w = 1.5 + 14.0 * paths.len() as f64 / max as f64,
                t = html_attr(&paths.join(", ")),
            )?;
        }
        writeln!(out, "</div>")?;
    }
    writeln!(out, "</div>")?;
    html_table(report, out)?;
    writeln!(out, "<script>{HTML_SCRIPT}</script></body></html>")
}

fn html_table(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let crates = report.crates();
    let mut head = vec!["workspace", "gate"];
    head.extend(crates.iter().map(String::as_str));
    head.extend([
        "errors",
        "warnings",
        "policy",
        "deadline",
        "days left",
        "edit",
    ]);
    write!(
        out,
        "<h2>Inventory</h2><table id=\"workspaces\"><thead><tr>"
    )?;
    for h in &head {
        write!(out, "<th>{}</th>", html_text(h))?;
    }
    writeln!(out, "</tr></thead><tbody>")?;
    for w in &report.workspaces {
        let v = verdict(w);
        write!(
            out,
            "<tr><td>{}</td><td class=\"{v}\">{v}</td>",
            html_text(&w.path)
        )?;
        if let Some(e) = &w.error {
            let span = head.len() - 2;
            writeln!(
                out,
                "<td colspan=\"{span}\" class=\"unreadable\" title=\"{}\">{}</td></tr>",
                html_attr(e),
                html_text(first_line(e))
            )?;
            continue;
        }
        for c in &crates {
            write!(
                out,
                "<td data-sort=\"{}\">{}</td>",
                html_attr(&lines_sort_key(w, c)),
                html_text(&lines_cell(w, c))
            )?;
        }
        let p = w.policy.as_ref();
        let status = p.map_or("-", |p| p.status.as_str());
        // The class is one the page styles, whatever a merged document says.
        let class = Standing::named(status).map_or("-", Standing::as_str);
        // Workspaces without a deadline sort after every dated one.
        let days = p.and_then(|p| p.days_left);
        writeln!(
            out,
            "<td>{}</td><td>{}</td><td class=\"{class}\">{}</td><td>{}</td>\
             <td data-sort=\"{}\">{}</td><td>{}</td></tr>",
            w.summary.errors,
            w.summary.warnings,
            html_text(status),
            html_text(p.and_then(|p| p.deny_from.as_deref()).unwrap_or("-")),
            days.unwrap_or(i64::from(i32::MAX)),
            days.map_or("-".to_owned(), |d| d.to_string()),
            html_text(w.edit.as_deref().unwrap_or("-")),
        )?;
    }
    writeln!(out, "</tbody></table>")
}
