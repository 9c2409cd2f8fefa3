//! Any bytes as a manifest: every dependency entry found in it is edited in turn; an edit
//! either fails cleanly or changes the requirement's characters only, and the result parses
//! and keeps the text's byte order mark and (in a CRLF file) its line endings.
#![no_main]

use std::path::PathBuf;
use std::str::FromStr;

use cargo_etcd_deps::graph::Kind;
use cargo_etcd_deps::manifest::edit::{Edit, EditTarget, apply, edit_text};
use libfuzzer_sys::fuzz_target;
use toml_edit::DocumentMut;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = DocumentMut::from_str(text.trim_start_matches('\u{feff}')) else {
        return;
    };
    let mut keys = Vec::new();
    for (table, kind) in [
        ("dependencies", Kind::Normal),
        ("dev-dependencies", Kind::Dev),
        ("build-dependencies", Kind::Build),
    ] {
        if let Some(t) = doc.get(table).and_then(|t| t.as_table_like()) {
            keys.extend(t.iter().map(|(k, _)| (k.to_owned(), kind)));
        }
    }
    for (key, kind) in keys {
        let edit = Edit {
            manifest: "Cargo.toml".to_owned(),
            table: "dependencies".to_owned(),
            key: key.clone(),
            from: None,
            to: "0.14".to_owned(),
            reason: String::new(),
            finding: String::new(),
            features: None,
            target: EditTarget::Requirement {
                manifest: PathBuf::from("Cargo.toml"),
                workspace: false,
                kind,
                platform: None,
                key,
            },
        };
        let mut copy = doc.clone();
        if apply(&mut copy, &edit).is_ok() {
            let out = copy.to_string();
            assert!(
                DocumentMut::from_str(&out).is_ok(),
                "an edit broke the manifest:\n{out}"
            );
        }
        // On the text as written: the layout survives.
        if let Ok(out) = edit_text(text, [&edit]) {
            assert_eq!(out.starts_with('\u{feff}'), text.starts_with('\u{feff}'));
            let lone_lf = |t: &str| t.matches('\n').count() - t.matches("\r\n").count();
            if text.contains("\r\n") && lone_lf(text) == 0 {
                assert_eq!(lone_lf(&out), 0, "CRLF lost:\n{out:?}");
            }
        }
    }
});
