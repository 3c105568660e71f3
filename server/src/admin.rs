//! The administrative subcommands: `migrate`, `org create`, `key create`, `user create`, and
//! the demo set-up of `serve --demo`.

use crate::config::{DatabaseArgs, KeyCommand, OrgCommand, UserCommand};
use crate::store::{Organization, Store, StoreError};
use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use kycard_core::contact::Email;
use kycard_core::wire::Role;
use std::io::Read;

/// Failures of an administrative command, said for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A flag's value is wrong.
    #[error("{0}")]
    Invalid(String),
}

/// Shortest accepted password.
pub const MIN_PASSWORD_CHARS: usize = 12;

async fn open(database: &DatabaseArgs) -> Result<Store, AdminError> {
    std::fs::create_dir_all(&database.data_dir)
        .map_err(|e| AdminError::Invalid(format!("cannot create {}: {e}", database.data_dir.display())))?;
    Ok(crate::store::open(&database.url()).await?)
}

/// `kycard migrate`.
pub async fn migrate(database: &DatabaseArgs) -> Result<(), AdminError> {
    open(database).await?;
    eprintln!("database is up to date");
    Ok(())
}

/// `kycard backup --to <file>`: a consistent copy of the database, private (0600), checked
/// before it is reported.
pub async fn backup(database: &DatabaseArgs, to: &std::path::Path) -> Result<(), AdminError> {
    use std::os::unix::fs::OpenOptionsExt;
    let store = open(database).await?;
    // Made empty and private first; the copy then fills it.
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(to).map_err(|e| {
        AdminError::Invalid(match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!("{} already exists: back up to a new file", to.display()),
            _ => format!("cannot create {}: {e}", to.display()),
        })
    })?;
    match store.backup_to(to).await {
        Ok(customers) => {
            println!("backed up to {} ({customers} customers); copy the documents folder beside it", to.display());
            Ok(())
        }
        Err(error) => {
            let _ = std::fs::remove_file(to);
            Err(error.into())
        }
    }
}

/// The document store of `database`'s data folder, or the object store at `url`.
fn document_files(database: &DatabaseArgs, url: Option<&str>) -> Result<crate::uploads::DocumentFiles, AdminError> {
    match url {
        None => crate::uploads::DocumentFiles::new(&database.data_dir)
            .map_err(|e| AdminError::Invalid(format!("cannot use {}: {e}", database.data_dir.display()))),
        Some(url) => {
            crate::uploads::DocumentFiles::with_object_store(&database.data_dir, url).map_err(AdminError::Invalid)
        }
    }
}

/// `kycard export --to <folder>`.
pub async fn export(
    database: &DatabaseArgs,
    to: &std::path::Path,
    documents_url: Option<&str>,
) -> Result<(), AdminError> {
    let store = open(database).await?;
    let files = document_files(database, documents_url)?;
    let (customers, documents) = crate::transfer::export(&store, &files, to).await?;
    println!("exported {customers} customers and {documents} documents to {}", to.display());
    Ok(())
}

/// `kycard import --from <folder>`.
pub async fn import(
    database: &DatabaseArgs,
    from: &std::path::Path,
    documents_url: Option<&str>,
) -> Result<(), AdminError> {
    let url = database.database_url.as_deref().ok_or_else(|| {
        AdminError::Invalid("import loads into PostgreSQL: give --database-url postgres://…".to_owned())
    })?;
    crate::private_dir(&database.data_dir)
        .map_err(|e| AdminError::Invalid(format!("cannot create {}: {e}", database.data_dir.display())))?;
    let files = document_files(database, documents_url)?;
    let (customers, documents) = crate::transfer::import(from, url, &files).await?;
    println!("imported {customers} customers and {documents} documents from {}", from.display());
    Ok(())
}

fn check_slug(slug: &str) -> Result<(), AdminError> {
    let ok = (2..=40).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(AdminError::Invalid(format!(
            "`{slug}` is not a valid slug: use 2 to 40 lower-case letters, digits and inner hyphens"
        )))
    }
}

/// `kycard org create` and `kycard org attempt-cap`.
pub async fn org(command: OrgCommand) -> Result<(), AdminError> {
    let (slug, name, sandbox, database) = match command {
        OrgCommand::Create { slug, name, sandbox, database } => (slug, name, sandbox, database),
        OrgCommand::AttemptCap { slug, cap, database } => {
            let store = open(&database).await?;
            let org = organization(&store, &slug).await?;
            store.set_attempt_cap(org.id, cap.0).await?;
            let cap = cap.0.unwrap_or(kycard_core::status::DEFAULT_ATTEMPT_CAP);
            println!("{slug}: {cap} review attempts");
            return Ok(());
        }
    };
    check_slug(&slug)?;
    let name = name.unwrap_or_else(|| slug.clone());
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(AdminError::Invalid("the display name must have 1 to 100 characters".to_owned()));
    }
    let store = open(&database).await?;
    let org = store.create_organization(&slug, name.trim(), sandbox).await?;
    println!("{}", org.id);
    Ok(())
}

async fn organization(store: &Store, slug: &str) -> Result<Organization, AdminError> {
    store.organization_by_slug(slug).await?.ok_or_else(|| {
        AdminError::Invalid(format!("no organization `{slug}`: create it with `kycard org create {slug}`"))
    })
}

/// Longest key label.
const LABEL_MAX_CHARS: usize = 100;

/// `kycard key create` (the key alone on standard output), `list` and `revoke`.
pub async fn key(command: KeyCommand) -> Result<(), AdminError> {
    match command {
        KeyCommand::Create { org, role, label, database } => {
            kycard_core::field_error::plain_text("label", &label)
                .map_err(|e| AdminError::Invalid(format!("--label: {}", e.message)))?;
            if label.chars().count() > LABEL_MAX_CHARS {
                return Err(AdminError::Invalid(format!("--label: at most {LABEL_MAX_CHARS} characters")));
            }
            let store = open(&database).await?;
            let org = organization(&store, &org).await?;
            let key = store.create_api_key(org.id, role, label.trim()).await?;
            println!("{}", key.secret);
        }
        KeyCommand::List { org, database } => {
            let store = open(&database).await?;
            let org = organization(&store, &org).await?;
            let keys = store.api_keys(org.id).await?;
            println!(
                "{:<36}  {:<12}  {:<8}  {:<20}  {:<20}  {:<20}  LABEL",
                "ID", "PREFIX", "ROLE", "CREATED", "LAST USED", "REVOKED"
            );
            let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            };
            for key in keys {
                println!(
                    "{:<36}  {:<12}  {:<8}  {:<20}  {:<20}  {:<20}  {}",
                    key.id,
                    key.prefix,
                    key.role.as_str(),
                    when(Some(key.created_at)),
                    when(key.last_used_at),
                    when(key.revoked_at),
                    key.label
                );
            }
        }
        KeyCommand::Revoke { org, id, database } => {
            let store = open(&database).await?;
            let org = organization(&store, &org).await?;
            if !store.revoke_api_key(org.id, id).await? {
                return Err(AdminError::Invalid(format!(
                    "`{}` has no key {id}: see `kycard key list --org {}`",
                    org.slug, org.slug
                )));
            }
            println!("key {id} revoked");
        }
    }
    Ok(())
}

/// The first line of standard input, as a password long enough.
fn password_from_stdin() -> Result<String, AdminError> {
    let mut input = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut input)
        .map_err(|e| AdminError::Invalid(format!("cannot read the password from standard input: {e}")))?;
    let password = input.lines().next().unwrap_or("").to_owned();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AdminError::Invalid(format!(
            "the password (read from standard input) must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(password)
}

fn parse_email(email: &str) -> Result<Email, AdminError> {
    Email::try_from(email).map_err(|_| AdminError::Invalid(format!("`{email}` is not a valid email address")))
}

/// `kycard user create` and `kycard user password`: the password comes from standard input
/// (first line).
pub async fn user(command: UserCommand) -> Result<(), AdminError> {
    match command {
        UserCommand::Create { org, email, role, database } => {
            let email = parse_email(&email)?;
            let password = password_from_stdin()?;
            let store = open(&database).await?;
            let org = organization(&store, &org).await?;
            let id = store.create_user(org.id, email.as_str(), role, &hash_password(&password)?).await?;
            println!("{id}");
        }
        UserCommand::Password { email, database } => {
            let email = parse_email(&email)?;
            let password = password_from_stdin()?;
            let store = open(&database).await?;
            let login = store
                .user_login(email.as_str())
                .await?
                .ok_or_else(|| AdminError::Invalid(format!("no user `{}`", email.as_str())))?;
            let ended = store.set_password(login.user.id, &hash_password(&password)?).await?;
            println!("password changed; {ended} session(s) signed out");
        }
    }
    Ok(())
}

/// An argon2id hash in PHC string form.
pub fn hash_password(password: &str) -> Result<String, AdminError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AdminError::Invalid(format!("cannot hash the password: {e}")))
}

/// The label of the keys `serve --demo` makes.
const DEMO_LABEL: &str = "demo";

/// `serve --demo`: a `demo` sandbox organization, a user for each role with a fresh password,
/// and fresh API keys, all printed. Every demo start resets the passwords (signing the demo
/// users out) and revokes the demo keys of earlier starts.
pub async fn ensure_demo(store: &Store) -> Result<(), AdminError> {
    let org = match store.organization_by_slug("demo").await? {
        Some(org) => org,
        None => store.create_organization("demo", "Demo program", true).await?,
    };
    println!("\nDemo organization `demo` (sandbox). Sign in to the web app with:");
    for role in Role::ALL {
        let email = format!("{}@demo.kycard.test", role.as_str());
        let password = crate::store::random_password();
        let hash = hash_password(&password)?;
        match store.user_login(&email).await? {
            Some(login) => {
                store.set_password(login.user.id, &hash).await?;
            }
            None => {
                store.create_user(org.id, &email, *role, &hash).await?;
            }
        }
        println!("  {:<9} {email:<28} password {password}", role.as_str());
    }
    let revoked = store.revoke_labelled_api_keys(org.id, DEMO_LABEL).await?;
    let earlier = if revoked > 0 { "; the keys of earlier runs are revoked" } else { "" };
    println!("API keys for this run (Authorization: Bearer <key>){earlier}:");
    for role in Role::ALL {
        let key = store.create_api_key(org.id, *role, DEMO_LABEL).await?;
        println!("  {:<9} {}", role.as_str(), key.secret);
    }
    println!();
    Ok(())
}
