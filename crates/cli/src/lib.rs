//! The `sigil` command line: argument definitions and what each command does.
//! `main` only parses and calls [`run`].

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use sigil_server::serve;
use sigil_service::auth::secrets::new_password;
use sigil_service::bootstrap::{initialize, set_password_by_email, InitError};
use sigil_service::config::{Config, LogFormat, Overrides};
use sigil_service::startup;

#[derive(Debug, Parser)]
#[command(
    name = "sigil",
    version,
    about = "A self-hosted, Sigma-compatible server"
)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, env = "SIGIL_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (creating the organization on an empty database).
    Serve(ServeArgs),
    /// Create the organization, its first Admin and client credentials.
    Init(InitArgs),
    /// Administer members.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Load a seed file (YAML or JSON) into an initialized database, all or nothing.
    Seed(SeedArgs),
    /// Write the organization as a seed file on stdout.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The seed file.
    pub file: PathBuf,
    /// The Admin the load acts as [default: the first Admin's email].
    #[arg(long = "as")]
    pub actor: Option<String>,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Include client secrets, password hashes and API credentials' secrets.
    #[arg(long)]
    pub include_secrets: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: ExportFormat,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args, Default)]
pub struct StorageArgs {
    /// Directory for the SQLite database and the master key [default: ./sigil-data].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` or `sqlite:PATH` (also SIGIL_DATABASE_URL).
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080] (also SIGIL_LISTEN).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Log format.
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormatArg>,
    /// Email of the first Admin, used only on an empty database.
    #[arg(long)]
    pub admin_email: Option<String>,
    /// Keep everything in memory: nothing is written to disk (also SIGIL_EPHEMERAL).
    #[arg(long)]
    pub ephemeral: bool,
    /// A seed file (YAML or JSON) loaded when the database is empty (also SIGIL_SEED).
    #[arg(long)]
    pub seed: Option<PathBuf>,
    /// Serve /_sigil/reset, snapshots and faults to Admins (also
    /// SIGIL_TESTING__ENDPOINTS).
    #[arg(long)]
    pub testing: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Email of the first Admin.
    #[arg(long)]
    pub admin_email: String,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Set a member's password (used by the Report token API's BASIC method).
    SetPassword(SetPasswordArgs),
}

#[derive(Debug, Args)]
pub struct SetPasswordArgs {
    /// The member's email.
    #[arg(long)]
    pub email: String,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

impl From<LogFormatArg> for LogFormat {
    fn from(v: LogFormatArg) -> Self {
        match v {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        }
    }
}

fn storage_overrides(s: &StorageArgs) -> Overrides {
    Overrides {
        data_dir: s.data_dir.clone(),
        database_url: s.database_url.clone(),
        ..Overrides::default()
    }
}

/// Logs go to stderr, so that stdout carries only what a command prints for scripts.
fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SIGIL_LOG")
        .or_else(|_| EnvFilter::try_new(&config.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes only for a person at a terminal, not in files or collectors.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
    for w in &config.warnings {
        tracing::warn!("configuration: {w}");
    }
}

/// Runs a parsed command line.
/// Errors answered to clients must not capture backtraces: with `RUST_BACKTRACE=1`
/// set for panics, every error wrapped in `anyhow` would otherwise symbolize one
/// (seen: RSS from 46 to 235 MB after the first 500). `RUST_LIB_BACKTRACE=0` turns
/// them off for errors and leaves panics' backtraces as `RUST_BACKTRACE` says; a
/// `RUST_LIB_BACKTRACE` set by the operator is left alone. Call it before any thread
/// starts.
pub fn quiet_error_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let mut o = storage_overrides(&args.storage);
            o.listen = args.listen;
            o.log_format = args.log_format.map(Into::into);
            o.admin_email = args.admin_email;
            o.ephemeral = args.ephemeral;
            o.seed = args.seed;
            o.testing_endpoints = args.testing;
            let config = Config::load(cli.config.as_deref(), o)?;
            init_tracing(&config);
            serve::run(config).await
        }
        Command::Init(args) => {
            let config = Config::load(cli.config.as_deref(), storage_overrides(&args.storage))?;
            init_tracing(&config);
            init(&config, &args).await
        }
        Command::Seed(args) => {
            let config = Config::load(cli.config.as_deref(), storage_overrides(&args.storage))?;
            init_tracing(&config);
            seed(config, &args).await
        }
        Command::Export(args) => {
            let config = Config::load(cli.config.as_deref(), storage_overrides(&args.storage))?;
            init_tracing(&config);
            export(config, &args).await
        }
        Command::Member(MemberCommand::SetPassword(args)) => {
            let config = Config::load(cli.config.as_deref(), storage_overrides(&args.storage))?;
            init_tracing(&config);
            set_password(&config, &args).await
        }
    }
}

async fn init(config: &Config, args: &InitArgs) -> anyhow::Result<()> {
    let store = startup::open_store(config).await?;
    let keys = startup::load_keys(config)?;
    let secrets = keys.client_secrets(config)?;
    let result = initialize(
        store.as_ref(),
        &secrets,
        &args.admin_email,
        &config.organization_name,
    )
    .await;
    store.close().await;
    let out = match result {
        Ok(out) => out,
        Err(InitError::AlreadyInitialized) => {
            anyhow::bail!("this database is already initialized (it holds an organization); nothing was changed")
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        serve::print_first_run(&out, &config.base_url());
    }
    Ok(())
}

/// Runs `f` on the services of an initialized database (no server), then closes it.
async fn with_services<T, F, Fut>(config: Config, f: F) -> anyhow::Result<T>
where
    F: FnOnce(std::sync::Arc<sigil_service::Services>) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    anyhow::ensure!(
        !config.ephemeral,
        "an ephemeral database exists only inside its `sigil serve`"
    );
    let config = std::sync::Arc::new(config);
    let store = startup::open_store(&config).await?;
    let keys = startup::load_keys(&config)?;
    let services = startup::build(config, store.clone(), &keys).await?;
    let result = f(services.clone()).await;
    startup::drain(&services).await;
    store.close().await;
    result
}

async fn seed(config: Config, args: &SeedArgs) -> anyhow::Result<()> {
    let file = serve::read_seed(&args.file)?;
    let actor = args
        .actor
        .clone()
        .unwrap_or_else(|| config.first_admin_email().to_owned());
    let loaded = with_services(config, |services| async move {
        Ok(sigil_service::seed::load_as(&services, &file, &actor).await?)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    eprintln!("loaded {}: {loaded:?}", args.file.display());
    Ok(())
}

async fn export(config: Config, args: &ExportArgs) -> anyhow::Result<()> {
    let include_secrets = args.include_secrets;
    let file = with_services(config, |services| async move {
        Ok(sigil_service::seed::export(&services, include_secrets).await?)
    })
    .await?;
    let format = match args.format {
        ExportFormat::Yaml => sigil_service::seed::SeedFormat::Yaml,
        ExportFormat::Json => sigil_service::seed::SeedFormat::Json,
    };
    print!("{}", file.render(format).map_err(|e| anyhow::anyhow!(e))?);
    Ok(())
}

async fn set_password(config: &Config, args: &SetPasswordArgs) -> anyhow::Result<()> {
    let (password, generated) = if args.password_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read the password from stdin")?;
        let p = s.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(
            p.chars().count() >= 8,
            "the password must have at least 8 characters"
        );
        (p, false)
    } else {
        (new_password(), true)
    };
    let store = startup::open_store(config).await?;
    let result = set_password_by_email(store.as_ref(), &args.email, password.clone()).await;
    store.close().await;
    let email = result?;
    if generated {
        println!("{password}");
    }
    eprintln!("password set for {email}");
    Ok(())
}
