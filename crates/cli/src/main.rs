//! `sigil`: parses the command line and hands it to [`sigil_cli::run`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    // Before any thread exists: the environment is changed only here.
    sigil_cli::quiet_error_backtraces();
    let cli = sigil_cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sigil: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(sigil_cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sigil: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
