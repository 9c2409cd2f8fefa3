//! One escaper per output medium. Every string that comes from a workspace (a path, a crate
//! name, a version, a source, a manifest key, an allow reason, a configuration string, a
//! message that quotes any of them) goes through the escaper of the medium it lands in, and
//! nowhere else is escaping written by hand. A report others open (a pull-request comment, a
//! job summary, a shared page, a spreadsheet) must show such a string as text, never run it.
//!
//! Paths arrive as strings: a path that is not UTF-8 has already been shown lossily (U+FFFD
//! for each bad byte) by the caller that turned it into a string.

/// HTML text content (between tags): `&`, `<`, `>` and both quotes as character references,
/// so the result can never open a tag, close an element or end a quoted attribute.
pub fn html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML attribute value, written between double quotes (`title="…"`). Text escaping
/// already turns both quotes into references, so a value stays one value in either quote
/// style; line breaks stay (a `title` shows them).
pub fn html_attr(s: &str) -> String {
    html_text(s)
}

/// Markdown text inline in a paragraph or a list item: characters that start inline markup
/// (code, emphasis, links, images, raw HTML, entities, strike-through, math, table pipes) are
/// backslash-escaped, a marker that would start a block (heading, list, quote) at the start
/// is escaped, and line breaks become spaces, so the text stays on its line as text.
pub fn md_text(s: &str) -> String {
    markdown(&s.replace("\r\n", " ").replace(['\r', '\n'], " "), "")
}

/// A Markdown (GFM) table cell: [`md_text`], with line breaks as `<br>` so a multi-line value
/// stays in its row; `|` is escaped like every other markup character.
pub fn md_cell(s: &str) -> String {
    markdown(s, "<br>")
}

/// Escapes `s` as Markdown text; its line breaks (any left) become `line_break`.
fn markdown(s: &str, line_break: &str) -> String {
    let s = s.replace("\r\n", "\n");
    let mut out = String::with_capacity(s.len() + 8);
    // Leading white space would indent the line into a code block: the first one is a
    // character reference, which a reader shows as the same white space.
    let rest = match s.chars().next() {
        Some(' ') => {
            out.push_str("&#32;");
            &s[1..]
        }
        Some('\t') => {
            out.push_str("&#9;");
            &s[1..]
        }
        _ => &s[..],
    };
    // Block markers only matter at the start (`# x` a heading, `- x` a list, `1. x` a list).
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let ordered = (1..=9).contains(&digits)
        && matches!(rest.as_bytes().get(digits), Some(b'.' | b')'))
        && matches!(rest.as_bytes().get(digits + 1), None | Some(b' ' | b'\t'));
    for (i, c) in rest.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if ordered && i == digits => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push_str(line_break),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span outside a table: the text shown literally (never markup, never raw
/// HTML). The fence is one backtick longer than the longest run of backticks inside, so a
/// backtick in the text cannot close the span (CommonMark 6.1); a space pads text that starts
/// or ends with a backtick or a space, which the reader strips again. Control characters
/// (line breaks included, which would end a table row or a list item) show as U+FFFD.
pub fn md_code(s: &str) -> String {
    code_span(s, false)
}

/// A Markdown code span inside a GFM table cell: [`md_code`] with `|` written `\|`, which a
/// GFM table reads as a pipe inside the cell, code spans included.
pub fn md_code_cell(s: &str) -> String {
    code_span(s, true)
}

fn code_span(s: &str, in_cell: bool) -> String {
    let text: String = s
        .chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect();
    if text.is_empty() {
        return "` `".to_owned();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A reader strips one space from each end unless the text is only spaces.
    let only_spaces = text.chars().all(|c| c == ' ');
    let pad = if !only_spaces && (text.starts_with(['`', ' ']) || text.ends_with(['`', ' '])) {
        " "
    } else {
        ""
    };
    let text = if in_cell {
        text.replace('|', "\\|")
    } else {
        text
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A Markdown fenced code block of `info` (`diff`) holding `text` as it is: the fence is
/// longer than any run of backticks in the text, so no line of it closes the block
/// (CommonMark 4.5). The block ends with a line break.
pub fn md_code_block(info: &str, text: &str) -> String {
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat((longest + 1).max(3));
    let newline = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{fence}{info}\n{text}{newline}{fence}\n")
}

/// A CSV cell's text that a spreadsheet shows as text: a value starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return (what spreadsheets read as a formula) gets a leading `'`.
/// [`csv_writer`]'s writer quotes it as RFC 4180 says. Numbers the tool computes (counts,
/// days) are written as they are, not through this.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The CSV writer of every CSV the tool writes (the csv crate's, RFC 4180): a cell holding a
/// comma, a quote or a line break is quoted, quotes doubled; records end with `\n`.
pub fn csv_writer<W: std::io::Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out)
}

/// A GitHub Actions workflow command's message (after `::`): `%`, CR and LF percent-encoded,
/// as GitHub's toolkit does, so the text cannot end the command or start another.
pub fn gh_message(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A GitHub Actions workflow command's property value (`file=…,title=…`): [`gh_message`]
/// plus `:` and `,`, which would end the value.
pub fn gh_property(s: &str) -> String {
    gh_message(s).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF plain-text message (JSON escaping is serde's): `{` and `}` doubled (SARIF 2.1.0
/// §3.11.5: braces are placeholder syntax) and the `]` of a `](` backslash-escaped (§3.11.6:
/// `[text](target)` is an embedded link), so a viewer shows the text and links nowhere.
pub fn sarif_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => out.push_str("{{"),
            '}' => out.push_str("}}"),
            ']' if chars.peek() == Some(&'(') => out.push_str("\\]"),
            c => out.push(c),
        }
    }
    out
}

/// A Graphviz DOT quoted string's content (between `"`): backslashes doubled, quotes
/// escaped and line breaks written `\n`, so the string ends only where the renderer closes it.
pub fn dot_string(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("\r\n", "\\n")
        .replace(['\r', '\n'], "\\n")
}

/// A Mermaid label's content (between `["` and `"]`): `#` and `"` as Mermaid's entity codes
/// (`#35;`, `#quot;`), so the label ends only where the renderer closes it; line breaks
/// become spaces.
pub fn mermaid_label(s: &str) -> String {
    s.replace('#', "#35;")
        .replace('"', "#quot;")
        .replace("\r\n", " ")
        .replace(['\r', '\n'], " ")
}

/// A relative path as a URI reference (SARIF `artifactLocation.uri`): every byte outside
/// RFC 3986's unreserved set and `/` percent-encoded (`a b#` → `a%20b%23`).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
