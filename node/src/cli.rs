//! `npx scalecore`: the command line of the native binary and the Python package (the
//! scalecore-cli crate), run in this process so every subcommand, flag, byte of output and
//! exit status is theirs.

use napi_derive::napi;
use std::io::Write;

/// Runs the `scalecore` command line (lint, simulate, rules) with `argv`, program name first,
/// writing to the process's standard output and error; returns the exit status (0 fine,
/// 1 findings or unmet expectations, 2 could not run, 130 stopped by Ctrl-C). `cwd` is the
/// folder relative paths start from: the WebAssembly build has no working directory of its
/// own, so it takes Node's.
#[napi]
pub fn cli(argv: Vec<String>, cwd: Option<String>) -> u32 {
    if let Some(dir) = cwd {
        if let Err(status) = enter(&dir) {
            return status;
        }
    }
    let stop = interrupt::Guard::install();
    let mut status = scalecore_cli::main(argv, &mut || !interrupt::requested());
    drop(stop);
    if interrupt::requested() {
        status = 130;
    }
    // Whatever the command left in Rust's buffers goes out before Node exits.
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    u32::from(status)
}

/// Native code shares Node's working directory already.
#[cfg(not(target_os = "wasi"))]
fn enter(_dir: &str) -> Result<(), u32> {
    Ok(())
}

/// WASI has no working directory: wasi-libc keeps one for relative paths, which starts at
/// `/`. The loader preopens the file system's root, so Node's folder is reachable from there;
/// where it is not (another drive on Windows), say so rather than read the wrong files.
#[cfg(target_os = "wasi")]
fn enter(dir: &str) -> Result<(), u32> {
    std::env::set_current_dir(dir).map_err(|e| {
        eprintln!(
            "scalecore: the WebAssembly build cannot enter the current folder {dir:?} ({e}): \
             it reaches only files under the root of the file system that holds the folder \
             Node started in"
        );
        2
    })
}

/// Ctrl-C during a command: the first asks a simulation to stop (the command then exits 130,
/// as shells report a program that SIGINT ended); a second one ends the process at once, for
/// commands that do not stop on request (a long lint).
#[cfg(unix)]
mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};

    static REQUESTED: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_sigint(_: libc::c_int) {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            // SAFETY: _exit is async-signal-safe.
            unsafe { libc::_exit(130) }
        }
    }

    pub fn requested() -> bool {
        REQUESTED.load(Ordering::SeqCst)
    }

    /// Node's own SIGINT handler (it restores the terminal, then dies of the signal) is back
    /// once the command is over.
    pub struct Guard(Option<libc::sigaction>);

    impl Guard {
        pub fn install() -> Self {
            REQUESTED.store(false, Ordering::SeqCst);
            // SAFETY: plain sigaction calls on zeroed structs; the handler only touches an
            // atomic and calls _exit.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                action.sa_flags = libc::SA_RESTART;
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(libc::SIGINT, &action, &mut old) == 0 {
                    Guard(Some(old))
                } else {
                    Guard(None)
                }
            }
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            if let Some(old) = self.0.take() {
                // SAFETY: puts back the action sigaction returned.
                unsafe {
                    libc::sigaction(libc::SIGINT, &old, std::ptr::null_mut());
                }
            }
        }
    }
}

/// Without POSIX signals (the WebAssembly build sees none): Ctrl-C reaches Node, which ends the
/// process (shells report 130 for it too).
#[cfg(not(unix))]
mod interrupt {
    pub fn requested() -> bool {
        false
    }

    pub struct Guard;

    impl Guard {
        pub fn install() -> Self {
            Guard
        }
    }
}
