//! The layout rules of DESIGN §3, checked on the source itself: the library's modules import
//! one another without circles, clap stays in the binary, only `input` starts processes, only
//! `manifest::write` writes files, and no function outside tests is over 100 lines.
//!
//! The reading is lexical (paths named `crate::…` and `use crate::{…}` trees, `fn` items up
//! to the brace that closes them at their own indentation), which is all `rustfmt`-formatted
//! code needs; code under `#[cfg(test)] mod tests` is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file: its top-level module and its text without its test module.
struct Source {
    path: PathBuf,
    module: String,
    text: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src is readable")
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The text before `#[cfg(test)]` (or `#[cfg(all(test, …))]`) + `mod tests`, which the
/// code keeps at the end of each file.
fn without_tests(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| {
            let cfg = w[0].trim();
            cfg.starts_with("#[cfg(")
                && cfg.contains("test")
                && w[1].trim_start().starts_with("mod tests")
        })
        .unwrap_or(lines.len());
    lines[..end].join("\n")
}

/// `mod NAME;` declarations of a root file, split into those compiled always and those
/// compiled only for tests.
fn declared_modules(root: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut always, mut test_only) = (BTreeSet::new(), BTreeSet::new());
    let mut cfg_test = false;
    for line in root.lines().map(str::trim) {
        if line == "#[cfg(test)]" {
            cfg_test = true;
            continue;
        }
        let decl = line
            .trim_start_matches("pub ")
            .trim_start_matches("pub(crate) ");
        if let Some(name) = decl.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            if cfg_test {
                test_only.insert(name.to_owned());
            } else {
                always.insert(name.to_owned());
            }
        }
        if !line.starts_with("#[") {
            cfg_test = false;
        }
    }
    (always, test_only)
}

fn sources() -> Vec<Source> {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&src).expect("under src");
            let first = rel.components().next().expect("a component");
            let module = Path::new(first.as_os_str())
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let text = without_tests(&std::fs::read_to_string(&path).expect("readable"));
            Source { path, module, text }
        })
        .collect()
}

/// What each `pub use MODULE::Name` of lib.rs re-exports, so `crate::Name` resolves to the
/// module that defines it.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for (i, _) in lib.match_indices("pub use ") {
        let rest = &lib[i + "pub use ".len()..];
        let statement = &rest[..rest.find(';').unwrap_or(rest.len())];
        let Some((module, items)) = statement.split_once("::") else {
            continue;
        };
        let items = items.trim().trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.rsplit("::").next().unwrap_or(item).trim();
            let name = name.rsplit(" as ").next().unwrap_or(name).trim();
            if !name.is_empty() {
                names.insert(name.to_owned(), module.trim().to_owned());
            }
        }
    }
    names
}

/// The identifier `s` starts with.
fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The items a file defines at its top level (`fn`, `struct`, `enum`, `trait`, `type`,
/// `const`, `static`), by name.
fn items(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines().filter(|l| !l.starts_with(char::is_whitespace)) {
        let line = line
            .trim_start_matches("pub ")
            .trim_start_matches("pub(crate) ");
        for keyword in [
            "fn ", "struct ", "enum ", "trait ", "type ", "const ", "static ",
        ] {
            if let Some(rest) = line.strip_prefix(keyword) {
                names.insert(ident(rest));
            }
        }
    }
    names
}

/// The identifiers a file names right after `crate::`, including each first segment of a
/// `use crate::{a, b::c}` tree.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(tree) = rest.strip_prefix('{') {
            // The first segment of each item at the tree's own depth.
            let mut depth = 0;
            let mut start = true;
            for (j, c) in tree.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        named.insert(ident(&tree[j..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            named.insert(ident(rest));
        }
    }
    named
}

/// Library module → the library modules it imports.
fn import_graph(
    sources: &[Source],
    library: &BTreeSet<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let lib = sources
        .iter()
        .find(|s| s.module == "lib")
        .expect("src/lib.rs");
    let reexported = reexports(&lib.text);
    let defined = items(&lib.text);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in sources.iter().filter(|s| library.contains(&s.module)) {
        let edges = graph.entry(s.module.clone()).or_default();
        for name in crate_paths(&s.text) {
            let target = match reexported.get(&name) {
                Some(module) => module.clone(),
                None if defined.contains(&name) => "lib".to_owned(),
                None => name,
            };
            if target != s.module && library.contains(&target) {
                edges.insert(target);
            }
        }
    }
    graph
}

/// The strongly connected components with more than one module (Tarjan's algorithm).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(st: &mut State<'g>, v: &'g str) {
        let n = st.index.len();
        st.index.insert(v, n);
        st.low.insert(v, n);
        st.stack.push(v);
        st.on_stack.insert(v);
        for w in st.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !st.index.contains_key(w) {
                visit(st, w);
                let lw = st.low[w];
                let lv = st.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if st.on_stack.contains(w) {
                let iw = st.index[w];
                let lv = st.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if st.low[v] == st.index[v] {
            let mut component = Vec::new();
            while let Some(w) = st.stack.pop() {
                st.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                st.found.push(component);
            }
        }
    }
    let mut st = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !st.index.contains_key(v.as_str()) {
            visit(&mut st, v);
        }
    }
    st.found
}

/// The modules of the library proper: declared in lib.rs, not only for tests.
fn library_modules(sources: &[Source]) -> BTreeSet<String> {
    let lib = sources
        .iter()
        .find(|s| s.module == "lib")
        .expect("src/lib.rs");
    let (mut always, _) = declared_modules(&lib.text);
    always.insert("lib".to_owned());
    always
}

#[test]
fn library_modules_import_each_other_without_circles() {
    let sources = sources();
    let library = library_modules(&sources);
    let graph = import_graph(&sources, &library);
    // `lib` only dispatches: its edges go down to every workflow, none may come back up.
    let mut without_root = graph.clone();
    without_root.remove("lib");
    let found = circles(&without_root);
    assert!(found.is_empty(), "import circles: {found:?}\n{graph:#?}");
    let up: Vec<&String> = without_root
        .iter()
        .filter(|(_, to)| to.contains("lib"))
        .map(|(from, _)| from)
        .collect();
    assert!(up.is_empty(), "modules that import lib.rs itself: {up:?}");
}

#[test]
fn clap_is_used_by_the_binary_only() {
    let sources = sources();
    let library = library_modules(&sources);
    let offenders: Vec<&Path> = sources
        .iter()
        .filter(|s| library.contains(&s.module))
        .filter(|s| {
            // Code, not the docs that say the library never sees clap.
            s.text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .any(|l| l.contains("clap"))
        })
        .map(|s| s.path.as_path())
        .collect();
    assert!(
        offenders.is_empty(),
        "library files naming clap: {offenders:?}"
    );
}

/// Files allowed a side effect outside its owner, each with the reason.
const OWNERS: &[(&str, &[&str])] = &[
    // Only the input stage starts cargo and git.
    ("Command::new", &["input"]),
    // Only the writer writes; `interrupt` writes the pid file a test asks for when it sets
    // the pause variable, never otherwise.
    ("fs::write", &["manifest", "interrupt"]),
    ("File::create", &["manifest"]),
    ("fs::rename", &["manifest"]),
    ("fs::remove_file", &["manifest"]),
    ("fs::create_dir", &["manifest"]),
    ("fs::remove_dir", &["manifest"]),
    ("fs::copy", &["manifest"]),
];

#[test]
fn processes_start_in_input_and_files_are_written_by_the_writer_only() {
    let sources = sources();
    let library = library_modules(&sources);
    let mut offenders = Vec::new();
    for s in sources.iter().filter(|s| library.contains(&s.module)) {
        for (call, owners) in OWNERS {
            if s.text.contains(call) && !owners.contains(&s.module.as_str()) {
                offenders.push(format!("{}: {call}", s.path.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "side effects outside their owner: {offenders:#?}"
    );
}

/// `fn` items over `limit` lines, from the `fn` line to its closing brace.
fn long_functions(text: &str, limit: usize) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let signature = trimmed
            .trim_start_matches("pub ")
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("const ");
        let Some(rest) = signature.strip_prefix("fn ") else {
            i += 1;
            continue;
        };
        let name = ident(rest);
        let mut open = i;
        while open < lines.len() && !lines[open].trim_end().ends_with('{') {
            if lines[open].trim_end().ends_with(';') {
                break;
            }
            open += 1;
        }
        if open >= lines.len() || lines[open].trim_end().ends_with(';') {
            i = open + 1;
            continue;
        }
        let closing = format!("{indent}}}");
        let end = (open + 1..lines.len())
            .find(|&k| lines[k] == closing)
            .unwrap_or(lines.len() - 1);
        let length = end - i + 1;
        if length > limit {
            found.push((name, i + 1, length));
        }
        i = end + 1;
    }
    found
}

#[test]
fn no_function_outside_tests_is_over_100_lines() {
    let mut offenders = Vec::new();
    for s in sources() {
        for (name, line, length) in long_functions(&s.text, 100) {
            offenders.push(format!(
                "{}:{line}: {name} ({length} lines)",
                s.path.display()
            ));
        }
    }
    assert!(
        offenders.is_empty(),
        "functions over 100 lines: {offenders:#?}"
    );
}

#[test]
fn the_checks_see_what_they_look_for() {
    // The readers above must find what they are meant to find, or the tests prove nothing.
    let long = format!("fn big() {{\n{}}}\n", "    x();\n".repeat(120));
    assert_eq!(long_functions(&long, 100).len(), 1);
    assert!(long_functions("fn small() {\n}\n", 100).is_empty());
    let named =
        crate_paths("use crate::{graph::{DepGraph, Kind}, error};\nlet x = crate::plan::make();");
    assert_eq!(named, ["error", "graph", "plan"].map(str::to_owned).into());
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(circles(&g), vec![vec!["a".to_owned(), "b".to_owned()]]);
    let reexported =
        reexports("pub use error::Error;\npub use request::{\n    Color, Request,\n};\n");
    assert_eq!(reexported["Request"], "request");
    assert_eq!(reexported["Error"], "error");
    let (always, test_only) =
        declared_modules("pub mod a;\nmod b;\n#[cfg(test)]\nmod c;\n#[doc(hidden)]\npub mod d;\n");
    assert_eq!(always, ["a", "b", "d"].map(str::to_owned).into());
    assert_eq!(test_only, ["c"].map(str::to_owned).into());
    assert_eq!(
        without_tests("fn a() {}\n#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n"),
        "fn a() {}"
    );
}

/// The import graph as ARCHITECTURE.md shows it: one line per library module, `module ->`
/// followed by what it imports, in order.
fn graph_text(graph: &BTreeMap<String, BTreeSet<String>>) -> String {
    graph
        .iter()
        .filter(|(from, _)| from.as_str() != "lib")
        .map(|(from, to)| {
            let to: Vec<&str> = to.iter().map(String::as_str).collect();
            format!("{from} -> {}", to.join(" ")).trim_end().to_owned() + "\n"
        })
        .collect()
}

#[test]
fn architecture_md_shows_the_import_graph_as_it_is() {
    let sources = sources();
    let graph = import_graph(&sources, &library_modules(&sources));
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md");
    let start = doc
        .find("<!-- import graph -->\n```text\n")
        .expect("ARCHITECTURE.md has the import graph block")
        + "<!-- import graph -->\n```text\n".len();
    let shown = &doc[start..start + doc[start..].find("```").expect("the block ends")];
    assert_eq!(
        shown,
        graph_text(&graph),
        "ARCHITECTURE.md's import graph is out of date; this is the graph now"
    );
}

#[test]
fn architecture_md_says_why_each_dependency_is_there() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml"))
            .expect("Cargo.toml parses");
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section = &doc[doc.find("## Dependencies").expect("a dependency section")..];
    let rows: BTreeSet<&str> = section
        .lines()
        .take_while(|l| !l.starts_with("### "))
        .filter_map(|l| l.strip_prefix("| "))
        .flat_map(|l| l.split(" |").next().unwrap_or_default().split(", "))
        .filter_map(|c| c.split('`').nth(1))
        .collect();
    let deps = manifest["dependencies"]
        .as_table()
        .expect("a [dependencies] table");
    let missing: Vec<&String> = deps.keys().filter(|d| !rows.contains(d.as_str())).collect();
    assert!(
        missing.is_empty(),
        "no row in ARCHITECTURE.md for {missing:?}"
    );
}
