//! rustc's messages in a `cargo check --message-format json` log: its errors, and among
//! them the ones that say two versions of a crate met (for `diagnose`, and for the compile
//! proof of `fix --build-check`). rustc's wording is not a stable interface: every
//! wording it has used is matched, and the crate is read from the backticks that follow.

use std::path::PathBuf;

use serde::Deserialize;

use crate::error::Error;

/// The beginnings of rustc's several-versions wordings, each followed by the crate's name in
/// backticks:
/// - "there are multiple different versions of crate `X` in the dependency graph" (E0308's
///   note), "you have multiple different versions of crate `X` in your dependency graph"
///   (E0277's);
/// - "two different versions of crate `X` are being used; …", "perhaps two different
///   versions of crate `X` are being used?".
const WORDINGS: &[&str] = &[
    "multiple different versions of crate `",
    "two different versions of crate `",
];

/// A compiler message that says two versions of `krate` met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Meeting {
    pub(crate) krate: String,
    /// The manifest of the package being compiled, as cargo names it.
    pub(crate) manifest: Option<PathBuf>,
    /// rustc's error code (`E0308`).
    pub(crate) code: Option<String>,
    /// The message with its primary label: "mismatched types: expected `tonic::Status`,
    /// found a different `tonic::Status`".
    pub(crate) message: String,
    /// The primary span: the file as rustc names it (relative to the workspace root for
    /// members), its line and column.
    pub(crate) at: Option<(String, usize, usize)>,
    /// Every file a span of the message or of its notes names, once each.
    pub(crate) files: Vec<String>,
}

/// One line of cargo's JSON output.
#[derive(Deserialize)]
struct CargoLine {
    reason: String,
    #[serde(default)]
    manifest_path: Option<PathBuf>,
    #[serde(default)]
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct Diagnostic {
    message: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    code: Option<DiagnosticCode>,
    #[serde(default)]
    spans: Vec<Span>,
    #[serde(default)]
    children: Vec<Diagnostic>,
}

#[derive(Deserialize)]
struct DiagnosticCode {
    code: String,
}

#[derive(Deserialize)]
struct Span {
    file_name: String,
    line_start: usize,
    column_start: usize,
    is_primary: bool,
    #[serde(default)]
    label: Option<String>,
}

/// A line of a build log that is a JSON object but not a cargo message; the source says why.
#[derive(Debug, thiserror::Error)]
#[error("line {line} is not a cargo message")]
struct NotAMessage {
    line: usize,
    #[source]
    source: serde_json::Error,
}

/// The several-versions messages of the log `text` (named `name` in errors), each once
/// (`--all-targets` checks a library and its tests, and rustc says the same twice). Lines
/// that are not JSON objects are skipped (stderr saved with the log); a JSON line that is not
/// a cargo message, or a log with no cargo message at all, is an error naming the log.
pub(crate) fn meetings(text: &str, name: &str) -> Result<Vec<Meeting>, Error> {
    let bad = |source: crate::error::Cause| Error::BuildLog {
        path: name.to_owned(),
        source,
    };
    let mut messages = 0;
    let mut out: Vec<Meeting> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if !line.starts_with('{') {
            continue;
        }
        let parsed: CargoLine = serde_json::from_str(line).map_err(|source| {
            bad(Box::new(NotAMessage {
                line: i + 1,
                source,
            }))
        })?;
        messages += 1;
        let Some(diagnostic) = parsed
            .message
            .filter(|_| parsed.reason == "compiler-message")
        else {
            continue;
        };
        if let Some(krate) = crate_met(&diagnostic) {
            let meeting = meeting(krate, parsed.manifest_path, &diagnostic);
            if !out.contains(&meeting) {
                out.push(meeting);
            }
        }
    }
    if messages == 0 {
        return Err(bad(
            "no line is a cargo message (a JSON object with a `reason`)".into(),
        ));
    }
    Ok(out)
}

/// An error rustc reported: where (the primary span, as rustc names the file), what, and the
/// crate two versions of which met, when its wording says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompilerError {
    pub code: Option<String>,
    /// The message with its primary label.
    pub message: String,
    pub at: Option<(String, usize)>,
    /// A several-versions error: the crate.
    pub met: Option<String>,
}

/// The errors of a `cargo check --message-format json` log, each once, in the log's order
/// (lines that are not JSON cargo messages are skipped: this is cargo's own output).
pub fn compiler_errors(text: &str) -> Vec<CompilerError> {
    let mut out: Vec<CompilerError> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| l.starts_with('{')) {
        let Ok(parsed) = serde_json::from_str::<CargoLine>(line) else {
            continue;
        };
        let Some(d) = parsed
            .message
            .filter(|d| parsed.reason == "compiler-message" && d.level == "error")
        else {
            continue;
        };
        // rustc's closing "aborting due to …" has no span and says nothing of its own.
        if d.spans.is_empty() && d.message.starts_with("aborting due to") {
            continue;
        }
        let (primary, message) = primary_and_message(&d);
        let error = CompilerError {
            code: d.code.as_ref().map(|c| c.code.clone()),
            message,
            at: primary.map(|s| (s.file_name.clone(), s.line_start)),
            met: crate_met(&d),
        };
        if !out.contains(&error) {
            out.push(error);
        }
    }
    out
}

/// The crate a several-versions wording names, in the message, its labels or its notes.
fn crate_met(d: &Diagnostic) -> Option<String> {
    let labels = d.spans.iter().filter_map(|s| s.label.as_deref());
    std::iter::once(d.message.as_str())
        .chain(labels)
        .find_map(named_crate)
        .or_else(|| d.children.iter().find_map(crate_met))
}

/// `X` in "… versions of crate `X` …".
fn named_crate(text: &str) -> Option<String> {
    WORDINGS.iter().find_map(|w| {
        let rest = &text[text.find(w)? + w.len()..];
        let name = &rest[..rest.find('`')?];
        (!name.is_empty()).then(|| name.to_owned())
    })
}

/// A diagnostic's primary span (else its first), and its message with that span's label.
fn primary_and_message(d: &Diagnostic) -> (Option<&Span>, String) {
    let primary = d.spans.iter().find(|s| s.is_primary).or(d.spans.first());
    let message = match primary.and_then(|s| s.label.as_deref()) {
        Some(label) => format!("{}: {label}", d.message),
        None => d.message.clone(),
    };
    (primary, message)
}

fn meeting(krate: String, manifest: Option<PathBuf>, d: &Diagnostic) -> Meeting {
    let (primary, message) = primary_and_message(d);
    let mut files = Vec::new();
    span_files(d, &mut files);
    Meeting {
        krate,
        manifest,
        code: d.code.as_ref().map(|c| c.code.clone()),
        message,
        at: primary.map(|s| (s.file_name.clone(), s.line_start, s.column_start)),
        files,
    }
}

fn span_files(d: &Diagnostic, files: &mut Vec<String>) {
    for s in &d.spans {
        if !files.contains(&s.file_name) {
            files.push(s.file_name.clone());
        }
    }
    for child in &d.children {
        span_files(child, files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compiler message as cargo prints it, with `note` as the child note's text.
    fn message(note: &str) -> String {
        serde_json::json!({
            "reason": "compiler-message",
            "manifest_path": "/ws/app/Cargo.toml",
            "message": {
                "message": "mismatched types",
                "code": {"code": "E0308", "explanation": null},
                "level": "error",
                "spans": [
                    {"file_name": "app/src/lib.rs", "line_start": 4, "column_start": 61,
                     "is_primary": true, "label": "expected `tonic::Status`, found a different `tonic::Status`"},
                    {"file_name": "app/src/lib.rs", "line_start": 4, "column_start": 51,
                     "is_primary": false, "label": "arguments to this function are incorrect"}
                ],
                "children": [{
                    "message": note, "level": "note", "children": [],
                    "spans": [
                        {"file_name": "/reg/tonic-0.12.3/src/lib.rs", "line_start": 3,
                         "column_start": 1, "is_primary": true, "label": "this is the expected type"},
                        {"file_name": "/reg/tonic-0.9.2/src/lib.rs", "line_start": 3,
                         "column_start": 1, "is_primary": false, "label": "this is the found type"}
                    ]
                }]
            }
        })
        .to_string()
    }

    #[test]
    fn every_wording_rustc_has_used_names_the_crate() {
        for note in [
            "there are multiple different versions of crate `tonic` in the dependency graph",
            "two different versions of crate `tonic` are being used; two types coming from two different versions of the same crate are different types even if they look the same",
            "perhaps two different versions of crate `tonic` are being used?",
            "you have multiple different versions of crate `tonic` in your dependency graph",
        ] {
            let found = meetings(&message(note), "log").expect("a cargo log");
            assert_eq!(found.len(), 1, "{note}");
            let m = &found[0];
            assert_eq!(m.krate, "tonic");
            assert_eq!(m.code.as_deref(), Some("E0308"));
            assert_eq!(
                m.message,
                "mismatched types: expected `tonic::Status`, found a different `tonic::Status`"
            );
            assert_eq!(m.at, Some(("app/src/lib.rs".to_owned(), 4, 61)));
            assert_eq!(
                m.files,
                [
                    "app/src/lib.rs",
                    "/reg/tonic-0.12.3/src/lib.rs",
                    "/reg/tonic-0.9.2/src/lib.rs"
                ]
            );
        }
    }

    #[test]
    fn other_messages_repeats_and_stderr_lines_are_left_out() {
        let other = message("function defined here");
        let met = message(
            "there are multiple different versions of crate `prost` in the dependency graph",
        );
        let log = format!(
            "    Checking app v0.1.0\n{other}\n{met}\n{met}\n{{\"reason\":\"build-finished\",\"success\":false}}\n"
        );
        let found = meetings(&log, "log").expect("a cargo log");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].krate, "prost");
    }

    #[test]
    fn a_log_that_is_not_cargos_json_is_an_error_naming_it() {
        for (text, says) in [
            ("hello\nworld\n", "no line is a cargo message"),
            (
                "{\"reason\": \"compiler-message\"\n",
                "line 1 is not a cargo message",
            ),
            (
                "[1, 2]\n{\"no\": \"reason\"}\n",
                "line 2 is not a cargo message",
            ),
        ] {
            let err = meetings(text, "build.log")
                .expect_err("not a log")
                .one_line();
            assert!(
                err.starts_with("build.log is not cargo's JSON output: "),
                "{err}"
            );
            assert!(err.contains(says), "{err}");
        }
    }
}
