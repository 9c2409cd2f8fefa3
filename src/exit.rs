//! Exit codes. They are API: scripts and CI gates depend on them.

/// `check` found nothing at error level (with `--deny warnings`, nothing at warning level).
pub const OK: i32 = 0;
/// `check`: the gate failed.
pub const GATE_FAILED: i32 = 1;
/// The input is wrong: usage, manifest, metadata; cargo missing, or cargo could not load the
/// workspace (its own message is shown).
pub const INPUT: i32 = 2;
/// The tool could not finish for another reason (an I/O error, an internal error).
pub const INTERNAL: i32 = 3;
/// `fix` was interrupted by SIGINT (128 + 2, as a shell reports it); nothing was written,
/// or, when the signal arrived while the files were being replaced, everything was.
pub const SIGINT: i32 = 130;
/// As [`SIGINT`], for SIGTERM (128 + 15).
pub const SIGTERM: i32 = 143;

/// How a run ended, when it could give an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub exit_code: i32,
}
