//! The `cargo-etcd-deps` binary: the command line (clap, in the private `cli` module,
//! lowered into the library's plain `Request`), the completion scripts (`completions`),
//! rendering of tool errors, exit codes. The only place that exits; the library never sees
//! clap.

mod cli;
mod completions;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use cargo_etcd_deps::{Color, Command, Error, Outcome, Verbosity, exit};
use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::cli::{Cli, Invocation, normalize_args};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let argv = normalize_args(std::env::args_os());
    let cli = match Cli::parse_args(argv) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::INPUT as u8 } else { 0 });
        }
    };
    let invocation = cli.into_invocation(|k| std::env::var(k).ok());
    let color = match &invocation {
        Invocation::Run(req) => req.color,
        Invocation::Completions { color, .. } => *color,
    };
    let stdout = std::io::stdout();
    let color_out = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout.is_terminal(),
    };
    let color_err = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal(),
    };
    let mut out = ClosablePipe {
        inner: stdout.lock(),
        closed: false,
    };
    let result = match invocation {
        Invocation::Run(req) => run(*req, &mut out, color_out),
        Invocation::Completions { shell, output, .. } => {
            cargo_etcd_deps::write_output(output.as_deref(), &completions::script(shell), &mut out)
                .map(|()| Outcome {
                    exit_code: exit::OK,
                })
        }
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome.exit_code as u8),
        Err(err) => {
            let _ = std::io::stderr().write_all(render_error(&err, color_err).as_bytes());
            ExitCode::from(err.exit_code() as u8)
        }
    }
}

/// Runs a command of the library: `fix` with the signal handlers installed, `scan` with
/// progress (the scan's, and cargo's own lines) where stderr is a terminal.
fn run(
    mut req: cargo_etcd_deps::Request,
    out: &mut dyn Write,
    color: bool,
) -> Result<Outcome, Error> {
    if matches!(req.command, Command::Fix(_)) {
        // SIGINT/SIGTERM during `fix` remove the scratch copy and never cut a write short.
        cargo_etcd_deps::interrupt::install();
    }
    // Human diagnostics on a terminal wrap to its width; elsewhere lines are not wrapped.
    if req.output.is_none()
        && let Some((terminal_size::Width(w), _)) =
            terminal_size::terminal_size_of(std::io::stdout())
    {
        req.width = Some(usize::from(w).max(40));
    }
    let progress = std::io::stderr().is_terminal() && req.verbosity != Verbosity::Quiet;
    if let Command::Scan(scan) = &mut req.command {
        scan.progress = progress;
    } else if let cargo_etcd_deps::Input::Cargo(cargo) = &mut req.input {
        // cargo resolving or downloading is not silence: its own lines reach the terminal.
        cargo.progress = progress;
    }
    cargo_etcd_deps::run(&req, out, color)
}

/// A tool error as miette draws it: the message, then each cause beneath it on its own
/// line (the chain is the error's `source()`s; no message repeats its cause), then the help
/// (the plain chain if miette cannot draw it).
fn render_error(err: &Error, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut text = String::new();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_wrap_lines(false);
    if handler.render_report(&mut text, err).is_err() {
        text = format!("error: {}\n", err.one_line());
    }
    text
}

/// Standard output whose reader may stop reading early (`| head`). The first broken-pipe
/// error ends the report quietly: the rest is dropped, and the run goes on to the exit code
/// it computed, so a cut-short report never turns a failed gate into success.
struct ClosablePipe<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> ClosablePipe<W> {
    fn guard<T>(
        &mut self,
        done: T,
        op: impl FnOnce(&mut W) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        if self.closed {
            return Ok(done);
        }
        match op(&mut self.inner) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for ClosablePipe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.guard(buf.len(), |w| w.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.guard((), |w| w.flush())
    }
}
