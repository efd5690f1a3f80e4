//! Standard output where a closed pipe is a normal end.
//!
//! `piiscan diff old.json new.json | head` closes the pipe after a few lines. Rust ignores
//! `SIGPIPE`, so the next write fails with `EPIPE`; passed up with `?` that became
//! "error: Broken pipe" and exit 2 — as if the diff had failed — and `println!` would even
//! panic. A reader that has seen enough is not an error: [`Stdout`] swallows `BrokenPipe`
//! (that write and every later one succeed without output), so the command finishes with the
//! exit code its run would have had and prints nothing on stderr. Other write errors (a full
//! disk behind a redirect) still fail the command.
//!
//! Report output (`scan`, `merge`) does not go through [`Stdout`]: there the reporter should
//! *stop* at the first failed write rather than render a large report into nothing, so
//! [`super::emit_report`] checks [`is_closed_pipe`] on the error instead.

use std::io::{self, Write};

/// Whether `e` says the reader of our output went away.
pub fn is_closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Locked standard output that treats a closed pipe as the end of output (see the module doc).
pub struct Stdout {
    inner: io::StdoutLock<'static>,
    closed: bool,
}

/// Standard output, locked, with a closed pipe treated as a normal end.
pub fn stdout() -> Stdout {
    Stdout {
        inner: io::stdout().lock(),
        closed: false,
    }
}

impl Stdout {
    fn absorb(&mut self, r: io::Result<()>) -> io::Result<()> {
        match r {
            Err(e) if is_closed_pipe(&e) => {
                self.closed = true;
                Ok(())
            }
            r => r,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if is_closed_pipe(&e) => {
                self.closed = true;
                Ok(buf.len())
            }
            r => r,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.absorb(r)
    }
}
