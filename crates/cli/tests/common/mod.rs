//! What the binary's tests share: the `sigil` command on a directory of its own,
//! with none of the caller's configuration.

use std::process::Command;

pub fn sigil(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sigil"));
    c.current_dir(dir)
        .env_remove("SIGIL_DATABASE_URL")
        .env_remove("SIGIL_CONFIG")
        .env_remove("SIGIL_LISTEN")
        .env("SIGIL_LOG_LEVEL", "warn");
    c
}
