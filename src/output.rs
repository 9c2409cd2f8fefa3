//! Where a finished report goes: standard output, or `--output FILE` written atomically
//! through the writer seam (`manifest::write::WriteFs`). Reports are rendered into memory
//! first, so on an error nothing reaches standard output.

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::manifest::write::{AtomicFs, WriteFs};
use crate::request::Request;

/// Writes finished output (a report, or the binary's completion script) to `output`
/// atomically, or to `out` when there is none (`--output FILE`).
pub fn write_output(output: Option<&Path>, bytes: &[u8], out: &mut dyn Write) -> Result<(), Error> {
    write_output_with(output, bytes, out, &AtomicFs)
}

/// `write_output`, writing `output` through `fs`.
fn write_output_with(
    output: Option<&Path>,
    bytes: &[u8],
    out: &mut dyn Write,
    fs: &dyn WriteFs,
) -> Result<(), Error> {
    match output {
        Some(path) => fs.write(path, bytes).map_err(|source| {
            // A directory that does not exist is the user's to create: an input error.
            if source.kind() == std::io::ErrorKind::NotFound {
                Error::Usage(format!("cannot write {}: {source}", path.display()))
            } else {
                Error::Write {
                    path: path.to_owned(),
                    source,
                }
            }
        }),
        None => {
            out.write_all(bytes).map_err(Error::Output)?;
            out.flush().map_err(Error::Output)
        }
    }
}

/// Writes a finished report to `--output FILE` through `fs` (atomically, with the
/// writer `run` uses), or to `out`.
pub(crate) fn emit_with(
    req: &Request,
    bytes: &[u8],
    out: &mut dyn Write,
    fs: &dyn WriteFs,
) -> Result<(), Error> {
    write_output_with(req.output.as_deref(), bytes, out, fs)
}
