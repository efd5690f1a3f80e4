//! `piiscan hook install`: a plain-git pre-commit hook running `piiscan scan --staged`.
//!
//! The hook file carries a marker line; a hook without it belongs to someone else (or to another
//! hook manager) and is never overwritten. Re-running the install rewrites piiscan's own hook,
//! so it is idempotent and picks up a moved binary.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::EXIT_CLEAN;
use piiscan::report::{escape_for_terminal, write_atomic};

/// Marks a hook file as written by piiscan.
pub const MARKER: &str = "# piiscan-hook: installed by `piiscan hook install`";

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hook script for the binary at `exe`.
fn script(exe: &str) -> String {
    format!(
        "#!/bin/sh\n{MARKER}; delete this file to uninstall.\n\
         # Fails the commit when the lines it adds contain PII (the index, not the working tree).\n\
         # Suppress a line with `piiscan:allow`; configure in piiscan.toml.\n\
         PIISCAN={}\n\
         [ -x \"$PIISCAN\" ] || PIISCAN=piiscan\n\
         exec \"$PIISCAN\" scan --staged\n",
        shell_quote(exe)
    )
}

/// `piiscan hook install`.
pub fn install() -> Result<i32> {
    let out = Command::new("git")
        .args(["rev-parse", "--git-path", "hooks/pre-commit"])
        .output()
        .context("running git (is it installed?)")?;
    if !out.status.success() {
        bail!(
            "not in a git repository: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim_end_matches('\n'));
    let shown = escape_for_terminal(&path.display().to_string());
    let exe = std::env::current_exe().context("locating the piiscan binary")?;
    let want = script(&exe.to_string_lossy());
    match std::fs::read(&path) {
        Ok(existing) => {
            let existing = String::from_utf8_lossy(&existing);
            if !existing.contains(MARKER) {
                bail!(
                    "{shown} exists and was not written by piiscan; refusing to overwrite it. \
                     Add this line to it instead: piiscan scan --staged"
                );
            }
            if existing == want {
                writeln!(
                    super::out::stdout(),
                    "piiscan: {shown} is already installed"
                )?;
                return Ok(EXIT_CLEAN);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {shown}")),
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    write_atomic(&path, want.as_bytes()).with_context(|| format!("writing {shown}"))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("making {shown} executable"))?;
    writeln!(super::out::stdout(), "piiscan: installed {shown}")?;
    Ok(EXIT_CLEAN)
}
