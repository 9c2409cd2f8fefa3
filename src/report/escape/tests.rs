//! Each escaper against hostile strings, read back by a real reader of its medium where
//! there is one (pulldown-cmark for GFM, the csv crate for CSV).

use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::*;

/// Strings made of what breaks the media: markup, quotes, separators, line breaks, formula
/// starters, percent signs, non-ASCII.
fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "`",
        "``",
        "<",
        ">",
        "<img src=x onerror=alert(1)>",
        "</td>",
        "\"",
        "'",
        "&",
        "&amp;",
        "&#60;",
        "|",
        "\\",
        "\\|",
        "*",
        "_",
        "[",
        "]",
        "(",
        ")",
        "!",
        "#",
        "-",
        "+",
        "=",
        "@",
        "1.",
        "2)",
        "~~",
        "$",
        "%",
        "%0A",
        ":",
        ",",
        "{",
        "}",
        " ",
        "  ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "a",
        "x",
        "n",
        "#35;",
        "0.12",
        "é",
        "＝",
        "services/x",
        "=1+1",
        "{0}",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH
}

/// The events inside the one table body cell of `| h |` / `| cell |`.
fn cell_events(cell: &str) -> Vec<Event<'static>> {
    let doc = format!("| h | i |\n|---|---|\n| {cell} | after |\n");
    let mut inside = false;
    let mut cells = 0;
    let mut out = Vec::new();
    for e in Parser::new_ext(&doc, options()) {
        match &e {
            Event::Start(Tag::TableCell) => {
                cells += 1;
                // The third cell is the first of the body row.
                inside = cells == 3;
            }
            Event::End(TagEnd::TableCell) => inside = false,
            _ if inside => out.push(e.into_static()),
            _ => {}
        }
    }
    assert_eq!(cells, 4, "the row keeps its two cells: {doc:?}");
    out
}

/// The events inside the one list item `- text`.
fn item_events(text: &str) -> Vec<Event<'static>> {
    let doc = format!("- {text}\n");
    let events: Vec<Event<'static>> = Parser::new_ext(&doc, options())
        .map(Event::into_static)
        .collect();
    assert!(
        matches!(events.first(), Some(Event::Start(Tag::List(None)))),
        "{doc:?}: {events:?}"
    );
    let items = events
        .iter()
        .filter(|e| matches!(e, Event::Start(Tag::Item)))
        .count();
    assert_eq!(items, 1, "{doc:?}: {events:?}");
    events
        .into_iter()
        .filter(|e| {
            !matches!(
                e,
                Event::Start(Tag::List(_) | Tag::Item) | Event::End(TagEnd::List(_) | TagEnd::Item)
            )
        })
        .collect()
}

/// The text of `events`, which must all be text (and, in a cell, our `<br>`).
fn plain(events: &[Event<'_>]) -> String {
    let mut out = String::new();
    for e in events {
        match e {
            Event::Text(t) => out.push_str(t),
            Event::InlineHtml(h) if h.as_ref() == "<br>" => out.push('\n'),
            other => panic!("not plain text: {other:?} in {events:?}"),
        }
    }
    out
}

fn lines_unified(s: &str, to: &str) -> String {
    s.replace("\r\n", "\n").replace(['\r', '\n'], to)
}

fn shown_in_code(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

/// Decodes the five references `html_text` writes; any other `&` is a failure.
fn html_decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (refn, c) = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
        ]
        .into_iter()
        .find(|(r, _)| rest.starts_with(r))
        .unwrap_or_else(|| panic!("a bare `&` in {s:?}"));
        out.push(c);
        rest = &rest[refn.len()..];
    }
    out.push_str(rest);
    out
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("two hex digits");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

proptest! {
    #[test]
    fn html_text_never_breaks_out_and_reads_back(s in hostile()) {
        for escaped in [html_text(&s), html_attr(&s)] {
            prop_assert!(!escaped.contains(['<', '>', '"', '\'']), "{escaped:?}");
            prop_assert_eq!(html_decode(&escaped), s.clone());
        }
    }

    #[test]
    fn md_cell_stays_one_cell_of_plain_text(s in hostile()) {
        let text = plain(&cell_events(&md_cell(&s)));
        // A cell's outer white space is not part of its content.
        let want = lines_unified(&s, "\n");
        prop_assert_eq!(text.trim_end_matches([' ', '\t']), want.trim_end_matches([' ', '\t']));
    }

    #[test]
    fn md_text_stays_plain_text_on_its_line(s in hostile()) {
        let events = item_events(&md_text(&s));
        let inner: Vec<Event<'_>> = events
            .into_iter()
            .filter(|e| !matches!(e, Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)))
            .collect();
        let text = plain(&inner);
        let want = lines_unified(&s, " ");
        prop_assert_eq!(text.trim_end_matches([' ', '\t']), want.trim_end_matches([' ', '\t']));
    }

    #[test]
    fn md_code_is_one_span_holding_the_text(s in hostile()) {
        let want = shown_in_code(&s);
        let want = if want.is_empty() { " ".to_owned() } else { want };
        let events = item_events(&md_code(&s));
        let code: Vec<&Event<'_>> = events
            .iter()
            .filter(|e| !matches!(e, Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)))
            .collect();
        prop_assert_eq!(code.len(), 1, "{:?}", events);
        prop_assert_eq!(code[0], &Event::Code(want.clone().into()));
        let events = cell_events(&md_code_cell(&s));
        prop_assert_eq!(events, vec![Event::Code(want.into())]);
    }

    #[test]
    fn md_code_block_holds_every_line(lines in prop::collection::vec(hostile(), 0..6)) {
        let text: String = lines.iter().map(|l| format!("{}\n", l.replace('\r', ""))).collect();
        let doc = format!("{}after\n", md_code_block("diff", &text));
        let events: Vec<Event<'_>> = Parser::new_ext(&doc, options()).collect();
        prop_assert!(matches!(&events[0], Event::Start(Tag::CodeBlock(_))), "{events:?}");
        let end = events
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::CodeBlock)))
            .expect("the block ends");
        let inside: String = events[1..end]
            .iter()
            .map(|e| match e {
                Event::Text(t) => t.to_string(),
                other => panic!("{other:?}"),
            })
            .collect();
        prop_assert_eq!(inside, text);
        prop_assert_eq!(&events[end + 1..end + 3], &[Event::Start(Tag::Paragraph), Event::Text("after".into())]);
    }

    #[test]
    fn csv_cell_reads_back_and_is_never_a_formula(s in hostile()) {
        let mut written = csv_writer(Vec::new());
        written.write_record(["x", &csv_cell(&s)]).expect("in memory");
        let line = written.into_inner().expect("in memory");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_slice());
        let records: Vec<csv::StringRecord> =
            reader.records().collect::<Result<_, _>>().expect("valid CSV");
        prop_assert_eq!(records.len(), 1);
        prop_assert_eq!(records[0].len(), 2);
        let cell = &records[0][1];
        prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
        let original = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            cell.strip_prefix('\'').expect("the formula prefix")
        } else {
            cell
        };
        prop_assert_eq!(original, s.as_str());
    }

    #[test]
    fn github_values_have_no_raw_newline_or_percent(s in hostile()) {
        for (escaped, forbidden) in [
            (gh_message(&s), &['\r', '\n'][..]),
            (gh_property(&s), &['\r', '\n', ':', ','][..]),
        ] {
            prop_assert!(!escaped.contains(forbidden), "{escaped:?}");
            // Every `%` starts an escape, and decoding gives the text back.
            prop_assert_eq!(percent_decode(&escaped), s.as_bytes().to_vec());
        }
    }

    #[test]
    fn sarif_text_has_no_link_or_placeholder_syntax(s in hostile()) {
        let escaped = sarif_text(&s);
        // Every `](` is escaped, and braces come in doubled pairs.
        let mut rest = escaped.as_str();
        while let Some(i) = rest.find("](") {
            prop_assert!(rest[..i].ends_with('\\'), "{escaped:?}");
            rest = &rest[i + 2..];
        }
        prop_assert!(!escaped.replace("{{", "").replace("}}", "").contains(['{', '}']), "{escaped:?}");
        let back = escaped
            .replace("{{", "{")
            .replace("}}", "}")
            .replace("\\](", "](");
        prop_assert_eq!(back, s);
    }

    #[test]
    fn dot_string_ends_only_where_the_renderer_closes_it(s in hostile()) {
        let escaped = dot_string(&s);
        prop_assert!(!escaped.contains(['\n', '\r']), "{escaped:?}");
        // Read as DOT reads a quoted string: a backslash takes the next character with it.
        let mut chars = escaped.chars();
        let mut back = String::new();
        while let Some(c) = chars.next() {
            prop_assert_ne!(c, '"', "an unescaped quote in {:?}", escaped);
            if c == '\\' {
                let next = chars.next().expect("a backslash escapes something");
                back.push(if next == 'n' { '\n' } else { next });
            } else {
                back.push(c);
            }
        }
        prop_assert_eq!(back, s.replace("\r\n", "\n").replace('\r', "\n"));
    }

    #[test]
    fn mermaid_label_has_no_quote_and_only_entity_hashes(s in hostile()) {
        let escaped = mermaid_label(&s);
        prop_assert!(!escaped.contains(['"', '\n', '\r']), "{escaped:?}");
        let rest = escaped.replace("#35;", "").replace("#quot;", "");
        prop_assert!(!rest.contains('#'), "{escaped:?}");
    }

    #[test]
    fn uri_path_is_a_uri_reference_of_the_same_bytes(s in hostile()) {
        let uri = uri_path(&s);
        prop_assert!(
            uri.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
            "{uri:?}"
        );
        prop_assert_eq!(percent_decode(&uri), s.as_bytes().to_vec());
    }
}

#[test]
fn examples() {
    assert_eq!(
        html_text("<img src=x>&'\""),
        "&lt;img src=x&gt;&amp;&#39;&quot;"
    );
    assert_eq!(md_code("a`b"), "``a`b``");
    assert_eq!(md_code("`x"), "`` `x ``");
    assert_eq!(md_code_cell("a|b"), "`a\\|b`");
    assert_eq!(md_cell("a|b\nc"), "a\\|b<br>c");
    assert_eq!(md_text("# x_y"), "\\# x\\_y");
    assert_eq!(md_text("1. x"), "1\\. x");
    assert_eq!(csv_cell("=1+1"), "'=1+1");
    let mut written = csv_writer(Vec::new());
    written
        .write_record([&*csv_cell("-x,\"y\""), &*csv_cell("z")])
        .expect("in memory");
    assert_eq!(
        written.into_inner().expect("in memory"),
        b"\"'-x,\"\"y\"\"\",z\n"
    );
    assert_eq!(gh_message("50% a\nb"), "50%25 a%0Ab");
    assert_eq!(gh_property("a:b,c"), "a%3Ab%2Cc");
    assert_eq!(sarif_text("[x](1) {0} [patch]"), "[x\\](1) {{0}} [patch]");
    assert_eq!(uri_path("a b#"), "a%20b%23");
}
