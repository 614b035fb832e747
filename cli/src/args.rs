//! The command line's options and commands.

use clap::{Args, Parser, Subcommand, ValueEnum};
use pleo_installations::Environment;

/// Manage the installation of a Pleo App Marketplace integration from the shell.
///
/// Results print to stdout as JSON; errors print to stderr as the SDK's error JSON and
/// the exit code is non-zero (2 for bad arguments, 1 for everything else).
#[derive(Debug, Parser)]
#[command(name = "pleo-installations", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub connection: Connection,
    #[command(subcommand)]
    pub command: Command,
}

/// Where to send requests and how to authenticate.
#[derive(Debug, Args)]
pub struct Connection {
    /// Base URL of the API (e.g. an emulator's); excludes --environment.
    #[arg(
        long,
        global = true,
        env = "PLEO_BASE_URL",
        conflicts_with = "environment"
    )]
    pub base_url: Option<String>,
    /// Pleo's hosted environment.
    #[arg(long, global = true, value_enum)]
    pub environment: Option<EnvironmentArg>,
    /// API key (HTTP Basic).
    #[arg(long, global = true, env = "PLEO_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// OAuth access token (Bearer).
    #[arg(
        long,
        global = true,
        env = "PLEO_ACCESS_TOKEN",
        hide_env_values = true,
        conflicts_with = "api_key"
    )]
    pub access_token: Option<String>,
    /// OAuth client id (with --token-file or for `oauth` commands).
    #[arg(long, global = true, env = "PLEO_OAUTH_CLIENT_ID")]
    pub oauth_client_id: Option<String>,
    /// OAuth client secret.
    #[arg(
        long,
        global = true,
        env = "PLEO_OAUTH_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub oauth_client_secret: Option<String>,
    /// Use (and keep up to date) the OAuth tokens in this file, shared safely between
    /// processes; excludes --api-key and --access-token.
    #[arg(
        long,
        global = true,
        env = "PLEO_TOKEN_FILE",
        conflicts_with_all = ["api_key", "access_token"]
    )]
    pub token_file: Option<std::path::PathBuf>,
    /// Limit for one attempt, in milliseconds.
    #[arg(long, global = true)]
    pub timeout_ms: Option<u64>,
    /// How many times a failed attempt may be repeated.
    #[arg(long, global = true)]
    pub max_retries: Option<u32>,
    /// The SDK's events (attempts, retries, refreshes) up to this level, to stderr as
    /// `pleo-installations <level> <line>`; never a secret.
    #[arg(
        long,
        global = true,
        env = "PLEO_LOG",
        value_enum,
        default_value = "off"
    )]
    pub log_level: LogLevel,
}

/// The most detailed events printed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogLevel {
    /// None.
    Off,
    /// Failures only.
    Error,
    /// Give-ups and failed refreshes too.
    Warn,
    /// Retries and refreshes too.
    Info,
    /// Every attempt too.
    Debug,
}

impl From<LogLevel> for log::LevelFilter {
    fn from(level: LogLevel) -> log::LevelFilter {
        match level {
            LogLevel::Off => log::LevelFilter::Off,
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
        }
    }
}

/// A hosted environment.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EnvironmentArg {
    /// https://external.pleo.io
    Production,
    /// https://external.staging.pleo.io
    Staging,
}

impl From<EnvironmentArg> for Environment {
    fn from(environment: EnvironmentArg) -> Environment {
        match environment {
            EnvironmentArg::Production => Environment::Production,
            EnvironmentArg::Staging => Environment::Staging,
        }
    }
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read the installation.
    Get {
        /// Only this company of the organisation.
        #[arg(long)]
        company_id: Option<String>,
    },
    /// Create the installation (ACTIVATED unless --status is given).
    Create {
        /// Initial status.
        #[arg(long)]
        status: Option<String>,
        /// Initial metadata, a JSON object.
        #[arg(long)]
        metadata: Option<String>,
    },
    /// Change the installation's status, metadata or error code.
    Update {
        /// New status.
        #[arg(long)]
        status: String,
        /// New metadata, a JSON object.
        #[arg(long)]
        metadata: Option<String>,
        /// Error code (with INACTIVE or ERROR).
        #[arg(long)]
        error_code: Option<String>,
    },
    /// Delete the installation (revokes the client's tokens).
    Delete,
    /// Activate an AUTHORIZED installation.
    Activate,
    /// Complete the installation (deprecated by the API: use activate).
    Complete,
    /// Show which credential is in use.
    Introspect,
    /// Wait until the installation's status is one of several.
    Wait {
        /// Statuses to wait for, comma separated.
        #[arg(long, value_delimiter = ',', required = true)]
        status: Vec<String>,
        /// How long to wait, in milliseconds.
        #[arg(long, default_value_t = 60_000)]
        timeout_ms: u64,
    },
    /// The OAuth code flow: the consent URL, and the code exchange.
    #[command(subcommand)]
    Oauth(OauthCommand),
    /// Serve the API emulator on 127.0.0.1 until interrupted.
    Mock {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Connections served at once; more wait to be accepted.
        #[arg(long, default_value_t = pleo_installations_mock::DEFAULT_MAX_CONNECTIONS)]
        max_connections: usize,
    },
    /// Walk the whole installation lifecycle against an embedded emulator.
    Demo,
}

/// OAuth commands.
#[derive(Debug, Subcommand)]
pub enum OauthCommand {
    /// Print the consent URL (PKCE S256) with its code verifier and state.
    AuthorizeUrl {
        /// The redirect URI registered for the client.
        #[arg(long)]
        redirect_uri: String,
        /// Scopes to ask for (repeat, or comma separated).
        #[arg(long, value_delimiter = ',')]
        scope: Vec<String>,
        /// The state to send (random when absent).
        #[arg(long)]
        state: Option<String>,
    },
    /// Refresh the tokens of --token-file now (they rotate; the file is updated).
    Refresh,
    /// Exchange the callback's code for tokens; with --token-file they are stored there.
    Exchange {
        /// The code the callback received.
        #[arg(long, allow_hyphen_values = true)]
        code: String,
        /// The code verifier printed by authorize-url (random; may start with '-').
        #[arg(long, allow_hyphen_values = true)]
        code_verifier: String,
        /// The same redirect URI as in authorize-url.
        #[arg(long)]
        redirect_uri: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn a_code_verifier_starting_with_a_hyphen_is_a_value() {
        let parsed = Cli::try_parse_from([
            "pleo-installations",
            "oauth",
            "exchange",
            "--code",
            "-ac_1",
            "--code-verifier",
            "-tXq2",
            "--redirect-uri",
            "http://localhost/cb",
        ]);
        if let Err(error) = parsed {
            panic!("{error}");
        }
    }
}
