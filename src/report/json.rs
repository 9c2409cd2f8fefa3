//! `--format json`: one pretty document (the check report, the fix plan or the scan
//! inventory), the shapes documented in docs/output-formats.md, docs/fix.md and
//! docs/scan-and-policy.md.

use std::io::{self, Write};

use super::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    render_value(report, out)
}

/// Any serialisable report (the fix plan, the scan inventory) as one pretty JSON document.
pub fn render_value<T: serde::Serialize>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    // The serialiser writes token by token: into a buffer it can reach without a dynamic
    // call each time (a megabyte of report is some hundred thousand tokens).
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}
