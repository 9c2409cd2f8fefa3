//! `--format sarif`: SARIF 2.1.0, one rule per code with its help text, one result per
//! finding located at the Cargo.toml line it comes through (or at Cargo.lock when the input
//! has no manifest location). Allowed and baselined findings are results with suppressions,
//! so code-scanning tools show them as such.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::escape::{sarif_text, uri_path};
use super::{Locations, Report};
use crate::analysis::{Code, Finding, Level};
use crate::explain;

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

fn rule_index(code: Code) -> usize {
    Code::ALL
        .iter()
        .position(|c| *c == code)
        .expect("every code is in Code::ALL")
}

fn result(f: &Finding, locations: &Locations) -> Value {
    let (path, line) = locations.of(f);
    let uri = uri_path(&path);
    let mut text = f.message.clone();
    for v in &f.versions {
        if let Some(path) = v.paths_best_first().first() {
            text.push_str(&format!("\n{} {}: {}", v.name, v.version, path.display()));
        }
    }
    json!({
        "ruleId": f.code.as_str(),
        "ruleIndex": rule_index(f.code),
        "level": level(f.level),
        "message": { "text": sarif_text(&format!("{text}\nhelp: {}", f.help)) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": { "startLine": line }
            }
        }],
        "partialFingerprints": {
            "etcdDeps/v1": format!(
                "{}:{}:{}",
                f.code,
                f.krate,
                f.lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
            )
        },
        "properties": {
            "crate": f.krate,
            "versions": f.versions.iter().map(|v| v.version.to_string()).collect::<Vec<_>>(),
            "causedBy": f.caused_by,
            "devOnly": f.dev_only,
            "platforms": f.platforms,
        }
    })
}

/// A result that does not count: allowed by the configuration or recorded in the baseline.
fn suppressed(rule: &str, message: String, justification: &str, locations: &Locations) -> Value {
    json!({
        "ruleId": rule,
        "level": "note",
        "message": { "text": sarif_text(&message) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": locations.uri("Cargo.toml") },
                "region": { "startLine": 1 }
            }
        }],
        "suppressions": [{ "kind": "external", "justification": justification }],
    })
}

pub fn render(report: &Report, locations: &Locations, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|&code| {
            let default = match code {
                Code::DivergingVersions | Code::UnusedAllow => "warning",
                _ => "error",
            };
            json!({
                "id": code.as_str(),
                "name": code.as_str(),
                "shortDescription": { "text": explain::summary(code) },
                "fullDescription": { "text": explain::long(code) },
                "help": {
                    "text": explain::long(code),
                    "markdown": explain::long(code),
                },
                "defaultConfiguration": { "level": default },
            })
        })
        .collect();
    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, locations))
        .collect();
    for a in &report.allowed {
        results.push(suppressed(
            a.code.as_str(),
            format!(
                "{} {} ({}) is allowed: {}",
                a.code,
                a.krate,
                a.versions.join(", "),
                a.reason
            ),
            &a.reason,
            locations,
        ));
    }
    if let Some(b) = &report.baseline {
        for e in &b.matched {
            results.push(suppressed(
                &e.code,
                format!(
                    "{} {} ({}) is recorded in the baseline {}",
                    e.code,
                    e.krate,
                    e.lines.join(", "),
                    b.file
                ),
                &format!("baseline {}", b.file),
                locations,
            ));
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cargo-etcd-deps",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://crates.io/crates/cargo-etcd-deps",
                    "rules": rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
