//! Standard output for the commands that print a report.
//!
//! Rust ignores SIGPIPE, so `print!` panics when the reader has gone away
//! (`scalecore lint big.yaml | head -1`). A reader that stops early has what it wanted: the
//! command ends as it would have, without a message.

use std::io::{ErrorKind, Write};

#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {0}")]
pub struct StdoutError(#[source] std::io::Error);

/// Writes `text` to standard output; `Err` only for failures other than a closed pipe.
pub fn write(text: &str) -> Result<(), StdoutError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(StdoutError(e)),
    }
}
