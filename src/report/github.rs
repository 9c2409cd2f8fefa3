//! `--format github`: GitHub Actions workflow commands, one annotation per (code, crate,
//! Cargo.toml line) (`::error file=…,line=…,title=…::…`), then a notice with the summary.

use std::io::{self, Write};

use super::escape::{gh_message as data, gh_property as property};
use super::{Locations, Report};
use crate::analysis::Level;

/// Code, crate, file and line of an annotation.
type Place = (String, String, String, usize);

pub fn render(report: &Report, locations: &Locations, out: &mut dyn Write) -> io::Result<()> {
    // At most one annotation per (code, crate, manifest line): findings that would share one
    // (members inheriting one declaration) are told in one message, in report order.
    let mut annotations: Vec<(Place, &str, String)> = Vec::new();
    for f in &report.findings {
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let (file, line) = locations.of(f);
        let mut message = f.message.clone();
        for v in &f.versions {
            if let Some(path) = v.paths_best_first().first() {
                message.push_str(&format!("\n{} {}: {}", v.name, v.version, path.display()));
            }
        }
        message.push_str(&format!("\nhelp: {}", f.help));
        let key = (f.code.to_string(), f.krate.clone(), file, line);
        match annotations.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, earlier)) => {
                earlier.push_str("\n\n");
                earlier.push_str(&message);
            }
            None => annotations.push((key, command, message)),
        }
    }
    for ((code, krate, file, line), command, message) in &annotations {
        writeln!(
            out,
            "::{command} file={},line={line},title={}::{}",
            property(file),
            property(&format!("etcd_deps::{code} {krate}")),
            data(message)
        )?;
    }
    for a in &report.allowed {
        writeln!(
            out,
            "::notice title={}::{}",
            property(&format!("etcd_deps::{} {} (allowed)", a.code, a.krate)),
            data(&format!(
                "{} ({}) is allowed: {}",
                a.krate,
                a.versions.join(", "),
                a.reason
            ))
        )?;
    }
    if let Some(input) = &report.input {
        writeln!(
            out,
            "::notice title=cargo etcd-deps::{}",
            data(&input.not_known)
        )?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "::notice title=cargo etcd-deps::{}",
        data(&format!(
            "{}; the gate {}",
            s.counts(),
            if s.errors > 0 { "failed" } else { "passed" }
        ))
    )
}
