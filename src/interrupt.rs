//! SIGINT and SIGTERM during `fix`: the signal only sets a flag. The workflow checks it
//! between stages and returns [`Error::Interrupted`], so every scratch file is removed on the
//! way out and no write is cut short; a cargo child still running is killed. The exit code is
//! the shell's convention, 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
//! The binary installs the handler for `fix` only (a library caller may call [`install`]);
//! without it, a signal ends the process as usual.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use signal_hook::consts::{SIGINT, SIGTERM};

use crate::error::Error;

/// The signal received (0: none).
fn flag() -> &'static Arc<AtomicUsize> {
    static FLAG: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    FLAG.get_or_init(|| Arc::new(AtomicUsize::new(0)))
}

static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Routes SIGINT and SIGTERM to the flag for the rest of the process. Idempotent.
pub fn install() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register_usize(signal, Arc::clone(flag()), signal as usize).expect(
            "SIGINT and SIGTERM may be handled (only SIGKILL, SIGSTOP and a few others may not)",
        );
    }
}

/// Whether signals are routed to the flag (cargo children are then watched, so they can be
/// stopped when one arrives).
pub fn installed() -> bool {
    INSTALLED.load(Ordering::SeqCst)
}

/// The signal received so far, if any.
pub fn pending() -> Option<i32> {
    match flag().load(Ordering::SeqCst) {
        0 => None,
        n => Some(n as i32),
    }
}

/// `Err(Interrupted)` once a signal arrived; `done` says what was already written.
pub fn check(done: &'static str) -> Result<(), Error> {
    match pending() {
        None => Ok(()),
        Some(signal) => Err(interrupted(signal, done)),
    }
}

/// The error for `signal`.
pub fn interrupted(signal: i32, done: &'static str) -> Error {
    Error::Interrupted {
        signal: if signal == SIGTERM {
            "SIGTERM"
        } else {
            "SIGINT"
        },
        code: 128 + signal,
        done,
    }
}

/// What an interrupted run had written.
pub const NOTHING_WRITTEN: &str = "nothing was written";
/// An interrupt that arrived while the files were being replaced waits for the last one.
pub const ALL_WRITTEN: &str =
    "it arrived while the files were being replaced, so every edit and Cargo.lock were written";

/// Test hook: with `CARGO_ETCD_DEPS_TEST_PAUSE=<stage>=<file>`, reaching `stage` writes
/// `<file>` and waits until it is removed or a signal arrives, so a test can deliver a real
/// signal at that exact moment.
pub(crate) fn pause(stage: &str) {
    let Some(spec) = std::env::var_os("CARGO_ETCD_DEPS_TEST_PAUSE") else {
        return;
    };
    let spec = spec.to_string_lossy();
    let Some((wanted, file)) = spec.split_once('=') else {
        return;
    };
    if wanted != stage || std::fs::write(file, std::process::id().to_string()).is_err() {
        return;
    }
    while std::path::Path::new(file).exists() && pending().is_none() {
        std::thread::sleep(Duration::from_millis(10));
    }
}
