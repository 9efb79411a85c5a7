//! `sigil`: parses the command line and hands it to [`sigil_cli::run`].

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = sigil_cli::Cli::parse();
    match sigil_cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sigil: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
