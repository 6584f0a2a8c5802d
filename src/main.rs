//! The `lakehunt` binary: parses the command line, sets up logging, and runs the command.
//! Exit codes: 0 success, 1 a failed hunt or bad input, 2 bad usage (from clap).

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(|| Redacted(std::io::stderr()))
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .init();

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", lakehunt::store::redact(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

/// Tells glibc's allocator to keep memory it is given back. By default it returns large blocks
/// to the kernel at once, and a hunt, which allocates and frees a batch's buffers thousands of
/// times a second, then spends a third of its CPU time faulting the same pages in again
/// (benches/README.md has the figures).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn keep_freed_memory() {
    // SAFETY: mallopt only changes two of malloc's thresholds, and it runs first in main,
    // before any other thread exists. A value it refuses leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

/// Standard error for logs, with credentials blanked ([`lakehunt::store::redact`]). Each log
/// line reaches it in one write.
struct Redacted(std::io::Stderr);

impl std::io::Write for Redacted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(lakehunt::store::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A reader that stopped reading (`lakehunt run | head`) ends the run quietly.
fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<lakehunt::Error>().is_some_and(lakehunt::Error::is_broken_pipe)
            || cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
