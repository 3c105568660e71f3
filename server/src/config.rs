//! Command-line flags; every flag also reads a `KYCARD_*` environment variable.

use clap::{Args, Parser, Subcommand, ValueEnum};
use kycard_core::wire::Role;
use std::net::SocketAddr;
use std::path::PathBuf;

/// kycard: onboarding customers into an individual card program.
#[derive(Debug, Parser)]
#[command(name = "kycard", version, about)]
pub struct Cli {
    /// Log format on standard error.
    #[arg(long, global = true, env = "KYCARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the single-page app.
    Serve(ServeArgs),
    /// Bring the database schema up to date, then exit.
    Migrate(DatabaseArgs),
    /// Copy the database, consistently, while the server runs (documents are files: copy the
    /// `documents` folder beside it).
    Backup {
        /// The new file to write (it must not exist yet).
        #[arg(long)]
        to: PathBuf,
        /// Data location.
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Write a `SQLite` installation (a consistent copy of its database and every document
    /// file) into a new folder, while the server runs, to `import` it elsewhere.
    Export {
        /// The folder to write (new, or empty).
        #[arg(long)]
        to: PathBuf,
        /// Data location.
        #[command(flatten)]
        database: DatabaseArgs,
        /// Where the documents are, when not in `<data-dir>/documents` (`s3://bucket/prefix`).
        #[arg(long, env = "KYCARD_DOCUMENTS_URL")]
        documents_url: Option<String>,
    },
    /// Load an `export` folder into an empty `PostgreSQL` database (`--database-url`) and a
    /// document store, all rows in one transaction after every file is in place.
    Import {
        /// The folder `export` wrote.
        #[arg(long)]
        from: PathBuf,
        /// Data location of the new installation (`--database-url postgres://…` required).
        #[command(flatten)]
        database: DatabaseArgs,
        /// Where the new installation keeps documents, when not in `<data-dir>/documents`
        /// (`s3://bucket/prefix`).
        #[arg(long, env = "KYCARD_DOCUMENTS_URL")]
        documents_url: Option<String>,
    },
    /// Write the JSON Schema (draft 2020-12) of every wire type into a folder, one file each,
    /// as `GET /api/v1/schemas/` serves them.
    Schemas {
        /// The folder to write (created when missing; files of the same name are replaced).
        #[arg(long, required_unless_present = "typescript")]
        out: Option<PathBuf>,
        /// Also (or only) write TypeScript declarations of every wire type to this file.
        #[arg(long)]
        typescript: Option<PathBuf>,
    },
    /// Manage organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Manage users who sign in to the web app.
    #[command(subcommand)]
    User(UserCommand),
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Folder for the database, uploaded documents and the card key.
    #[arg(long, env = "KYCARD_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Database URL; defaults to `sqlite://<data-dir>/kycard.db`.
    #[arg(long, env = "KYCARD_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DatabaseArgs {
    /// The database URL to open.
    pub fn url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("kycard.db").display()))
    }
}

/// `kycard serve` flags.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KYCARD_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Data location.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Serve the single-page app from this folder (Trunk's `dist/`) instead of the one built
    /// into the binary: for working on the app.
    #[arg(long, env = "KYCARD_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Keep document files in an S3-compatible object store, `s3://bucket/prefix`, instead of
    /// `<data-dir>/documents`; credentials, region and endpoint come from `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT` (and `AWS_ALLOW_HTTP=true` for a
    /// plain-HTTP endpoint).
    #[arg(long, env = "KYCARD_DOCUMENTS_URL")]
    pub documents_url: Option<String>,
    /// File with the 32-byte key that encrypts card numbers; created (mode 0600) when missing.
    /// Defaults to `<data-dir>/card-number.key`. Back it up: without it, stored numbers are lost.
    #[arg(long, env = "KYCARD_CARD_KEY_FILE")]
    pub card_key_file: Option<PathBuf>,
    /// Sanctions watchlist in the SDN.CSV layout, read again whenever it changes. Without it,
    /// a built-in fictitious sample is used (and the server warns).
    #[arg(long, env = "KYCARD_WATCHLIST")]
    pub watchlist: Option<PathBuf>,
    /// Cards a customer may hold at once (canceled ones do not count), 1 to 100.
    #[arg(long, env = "KYCARD_MAX_CARDS_PER_CUSTOMER", default_value_t = Limits::default().cards_per_customer,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_cards_per_customer: u32,
    /// Webhook subscriptions an organization may have, 1 to 100.
    #[arg(long, env = "KYCARD_MAX_WEBHOOKS", default_value_t = Limits::default().webhooks_per_organization,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_webhooks: u32,
    /// Event streams (`GET /events`) one API key or session may hold open at once, 1 to 100.
    #[arg(long, env = "KYCARD_MAX_STREAMS_PER_CREDENTIAL", default_value_t = Limits::default().streams_per_credential,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_streams_per_credential: u32,
    /// A reverse proxy fronts kycard and appends the client's address to `X-Forwarded-For`:
    /// sign-in limits then count that address. Without it they count the connection's peer,
    /// which behind a proxy is the proxy itself, shared by every user.
    #[arg(long, env = "KYCARD_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// Make sure a `demo` sandbox organization exists and print fresh API keys for it.
    #[arg(long, env = "KYCARD_DEMO")]
    pub demo: bool,
}

/// Bounds on what one customer, organization or credential may accumulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Cards a customer may hold at once (canceled ones do not count).
    pub cards_per_customer: u32,
    /// Webhook subscriptions of an organization.
    pub webhooks_per_organization: u32,
    /// Event streams open at once per API key or session.
    pub streams_per_credential: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self { cards_per_customer: 10, webhooks_per_organization: 20, streams_per_credential: 8 }
    }
}

/// `kycard org ...`.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization.
    Create {
        /// Short unique name (lower-case letters, digits, hyphens).
        slug: String,
        /// Display name; defaults to the slug.
        #[arg(long)]
        name: Option<String>,
        /// A sandbox organization, for integration testing.
        #[arg(long)]
        sandbox: bool,
        /// Data location.
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Set how many reviews a customer of the organization may go through: the rejection
    /// that uses up the last attempt is final.
    AttemptCap {
        /// The organization.
        slug: String,
        /// Attempts (1 to 20), or `default` for the built-in 3.
        #[arg(value_parser = parse_attempt_cap)]
        cap: AttemptCap,
        /// Data location.
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// An organization's attempt cap as given on the command line.
#[derive(Debug, Clone, Copy)]
pub struct AttemptCap(pub Option<u32>);

fn parse_attempt_cap(raw: &str) -> Result<AttemptCap, String> {
    let range = kycard_core::status::ATTEMPT_CAP_RANGE;
    if raw == "default" {
        return Ok(AttemptCap(None));
    }
    match raw.parse::<u32>() {
        Ok(cap) if range.contains(&cap) => Ok(AttemptCap(Some(cap))),
        _ => Err(format!("give a number of attempts from {} to {}, or `default`", range.start(), range.end())),
    }
}

/// `kycard key ...`.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key; prints the key alone on standard output.
    Create {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// What the key may do.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// What the key is for (shown by `key list`), at most 100 characters.
        #[arg(long, default_value = "")]
        label: String,
        /// Data location.
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List an organization's keys (never their secrets): id, prefix, role, label, when made,
    /// last used and revoked.
    List {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// Data location.
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a key at once: requests with it answer 401 from then on.
    Revoke {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// The key's id, as `key list` shows it.
        id: uuid::Uuid,
        /// Data location.
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// `kycard user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// What the user may do.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Data location.
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Set a user's password, read from standard input; signs the user out everywhere.
    Password {
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// Data location.
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).ok_or_else(|| "expected operator, reviewer or admin".to_owned())
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}
