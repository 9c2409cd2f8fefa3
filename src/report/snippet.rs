//! A diagnostic's source: the lines of a file around its labels, not the whole file, with
//! the file's own byte offsets and line numbers. Rendering one snippet costs the lines it
//! shows, so a thousand findings in one long file cost a thousand snippets, not a thousand
//! copies and scans of the file.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::manifest::spans::Window;

/// The lines of `name` around a diagnostic's labels.
#[derive(Debug)]
pub(crate) struct Snippet {
    name: String,
    text: String,
    offset: usize,
    first_line: usize,
}

impl Snippet {
    pub(crate) fn new(name: &str, window: Window<'_>) -> Snippet {
        Snippet {
            name: name.to_owned(),
            text: window.text.to_owned(),
            offset: window.offset,
            first_line: window.first_line,
        }
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = span
            .offset()
            .checked_sub(self.offset)
            .ok_or(MietteError::OutOfBounds)?;
        let inner = self.text.read_span(
            &SourceSpan::new(local.into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + self.offset).into(),
                inner.span().len(),
            ),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}
