//! Errors do not capture backtraces even with `RUST_BACKTRACE=1` (kept for panics).
//! A binary of its own: the standard library reads these variables once per process.

#[test]
fn errors_do_not_capture_backtraces_when_panics_do() {
    std::env::set_var("RUST_BACKTRACE", "1");
    std::env::remove_var("RUST_LIB_BACKTRACE");
    sigil_cli::quiet_error_backtraces();
    let e = anyhow::anyhow!("an internal error");
    assert_ne!(
        e.backtrace().status(),
        std::backtrace::BacktraceStatus::Captured,
        "an error answered to a client symbolized a backtrace"
    );
    assert_eq!(
        std::env::var("RUST_BACKTRACE").as_deref(),
        Ok("1"),
        "panics keep theirs"
    );
}
