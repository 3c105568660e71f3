//! Moving an installation from `SQLite` to `PostgreSQL`: `kycard export` writes a folder
//! with a consistent copy of the database and every document file; `kycard import` loads
//! such a folder into an empty `PostgreSQL` database and a document store.
//!
//! The export runs while the server serves: the database is copied first (one snapshot),
//! then the files of the documents that copy knows (document files are never changed, so
//! every row finds its file). The import places every file first, then copies every row in
//! one transaction: a failure leaves the target database as empty as it was, and a row never
//! lands without its file. Sessions and sign-in counts are not carried over (people sign in
//! again); idempotency keys are, answered ones only.

use crate::admin::AdminError;
use crate::store::{Store, StoreError};
use crate::uploads::DocumentFiles;
use futures_util::StreamExt;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, TypeInfo, ValueRef};
use std::path::Path;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// The database copy in an export folder.
const DATABASE: &str = "kycard.db";
/// The documents folder in an export folder.
const DOCUMENTS: &str = "documents";
/// What an export folder holds, and how much.
const MANIFEST: &str = "manifest.json";
/// The manifest's format name.
const FORMAT: &str = "kycard-export-1";

/// The tables carried over, parents before children, each with the rows to take.
const TABLES: &[(&str, &str)] = &[
    ("organizations", ""),
    ("api_keys", ""),
    ("users", ""),
    ("customers", ""),
    ("customer_history", ""),
    ("cards", ""),
    ("documents", ""),
    ("review_jobs", ""),
    ("renewal_notices", ""),
    ("webhooks", ""),
    ("webhook_deliveries", ""),
    ("idempotency_keys", "WHERE status <> 0"),
    ("settings", ""),
];

/// What an export holds.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    format: String,
    exported_at: chrono::DateTime<chrono::Utc>,
    customers: u64,
    documents: u64,
}

fn invalid(message: impl Into<String>) -> AdminError {
    AdminError::Invalid(message.into())
}

/// `kycard export --to <folder>`: the database (one consistent snapshot) and the files of
/// every document it holds, into a new folder. Returns the manifest's counts.
///
/// # Errors
/// A folder that exists and is not empty, a database that is not `SQLite`, a missing file.
pub async fn export(store: &Store, files: &DocumentFiles, to: &Path) -> Result<(u64, u64), AdminError> {
    if std::fs::read_dir(to).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(invalid(format!("{} is not empty: export into a new folder", to.display())));
    }
    crate::private_dir(&to.join(DOCUMENTS)).map_err(|e| invalid(format!("cannot create {}: {e}", to.display())))?;
    let database = to.join(DATABASE);
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&database)
            .map_err(|e| invalid(format!("cannot create {}: {e}", database.display())))?;
    }
    let customers = store.backup_to(&database).await.map_err(|error| match error {
        StoreError::Unsupported(_) => invalid("export reads a SQLite installation; PostgreSQL has pg_dump"),
        other => AdminError::Store(other),
    })?;
    let copy = read_only(&database).await?;
    let rows: Vec<(String, bool)> =
        sqlx::query_as("SELECT id, has_preview FROM documents ORDER BY id").fetch_all(&copy).await.map_err(db)?;
    copy.close().await;
    for (id, has_preview) in &rows {
        let id = Uuid::parse_str(id).map_err(|_| AdminError::Store(StoreError::Corrupt("documents")))?;
        for preview in [false, true].into_iter().filter(|p| !p || *has_preview) {
            let name = if preview { format!("{id}.preview.jpg") } else { id.to_string() };
            save(files, id, preview, &to.join(DOCUMENTS).join(name)).await?;
        }
    }
    let documents = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    let manifest = Manifest { format: FORMAT.to_owned(), exported_at: crate::store::now(), customers, documents };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| invalid(e.to_string()))?;
    std::fs::write(to.join(MANIFEST), text).map_err(|e| invalid(format!("cannot write the manifest: {e}")))?;
    Ok((customers, documents))
}

/// Copies one document file (or preview) out of the document store, synced.
async fn save(files: &DocumentFiles, id: Uuid, preview: bool, path: &Path) -> Result<(), AdminError> {
    let (_, mut pieces) =
        files.open(id, preview).await.map_err(|e| invalid(format!("document {id}: cannot read its file: {e}")))?;
    let mut file = tokio::fs::File::create(path).await.map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    while let Some(piece) = pieces.next().await {
        let piece = piece.map_err(|e| invalid(format!("document {id}: {e}")))?;
        file.write_all(&piece).await.map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    }
    file.sync_all().await.map_err(|e| invalid(format!("{}: {e}", path.display())))
}

async fn read_only(database: &Path) -> Result<sqlx::SqlitePool, AdminError> {
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(SqliteConnectOptions::new().filename(database).read_only(true))
        .await
        .map_err(db)
}

fn db(error: sqlx::Error) -> AdminError {
    AdminError::Store(StoreError::Database(error))
}

/// `kycard import --from <folder>`: every document file into `files`, then every row into
/// the empty `PostgreSQL` database at `database_url`, in one transaction. Returns the counts
/// of customers and documents imported.
///
/// # Errors
/// Not an export folder, a target that is not an empty `PostgreSQL` database, a file missing.
pub async fn import(from: &Path, database_url: &str, files: &DocumentFiles) -> Result<(u64, u64), AdminError> {
    let manifest: Manifest = std::fs::read_to_string(from.join(MANIFEST))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .filter(|m: &Manifest| m.format == FORMAT)
        .ok_or_else(|| invalid(format!("{} is not a kycard export (no {MANIFEST} of {FORMAT})", from.display())))?;
    if !database_url.starts_with("postgres://") && !database_url.starts_with("postgresql://") {
        return Err(invalid("import loads into PostgreSQL: give --database-url postgres://…"));
    }
    // Opening brings the schema up to date (and checks the database is reachable).
    drop(crate::store::open(database_url).await?);
    let source = read_only(&from.join(DATABASE)).await?;
    let postgres = sqlx::PgPool::connect(database_url).await.map_err(db)?;
    let (existing,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM organizations").fetch_one(&postgres).await.map_err(db)?;
    if existing > 0 {
        return Err(invalid("the target database already holds organizations: import into an empty one"));
    }
    // Files first: a row is only ever committed with its file in place.
    let documents: Vec<(String, bool)> =
        sqlx::query_as("SELECT id, has_preview FROM documents ORDER BY id").fetch_all(&source).await.map_err(db)?;
    for (id, has_preview) in &documents {
        let id = Uuid::parse_str(id).map_err(|_| AdminError::Store(StoreError::Corrupt("documents")))?;
        place(files, from, id, *has_preview).await?;
    }
    let mut tx = postgres.begin().await.map_err(db)?;
    for (table, filter) in TABLES {
        copy_table(&source, &mut tx, table, filter).await?;
    }
    // New lines and events go on after the imported ones.
    sqlx::query(
        "SELECT setval(pg_get_serial_sequence('customer_history', 'id'), \
                (SELECT COALESCE(MAX(id), 0) + 1 FROM customer_history), false), \
                setval('customer_history_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM customer_history), false)",
    )
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    let (customers,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM customers").fetch_one(&postgres).await.map_err(db)?;
    let customers = u64::try_from(customers).unwrap_or(0);
    if customers != manifest.customers {
        return Err(invalid(format!("imported {customers} customers, the export holds {}", manifest.customers)));
    }
    Ok((customers, u64::try_from(documents.len()).unwrap_or(u64::MAX)))
}

/// Puts one exported document file (and its preview) into the document store.
async fn place(files: &DocumentFiles, from: &Path, id: Uuid, has_preview: bool) -> Result<(), AdminError> {
    let exported = from.join(DOCUMENTS).join(id.to_string());
    let preview = if has_preview {
        let path = from.join(DOCUMENTS).join(format!("{id}.preview.jpg"));
        Some(std::fs::read(&path).map_err(|e| invalid(format!("{}: {e}", path.display())))?)
    } else {
        None
    };
    // `place` moves its file: give it a copy in the uploads folder.
    let arriving = files.incoming().join(format!("import-{id}"));
    tokio::fs::copy(&exported, &arriving).await.map_err(|e| invalid(format!("{}: {e}", exported.display())))?;
    let mut placed = Vec::new();
    files
        .place(id, &arriving, preview.as_deref(), &mut placed)
        .await
        .map_err(|e| invalid(format!("document {id}: cannot store its file: {e}")))
}

/// Copies every row of `table` (those `filter` keeps) from `SQLite` into `PostgreSQL`, each
/// value cast to the target column's type. Columns only one side has are left out; a history
/// line takes its event number as its id and its organization from its customer, and
/// idempotency keys a dead instance.
async fn copy_table(
    source: &sqlx::SqlitePool,
    target: &mut sqlx::PgConnection,
    table: &str,
    filter: &str,
) -> Result<u64, AdminError> {
    let target_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, format_type(a.atttypid, a.atttypmod) FROM information_schema.columns c \
         JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_name))::regclass AND a.attname = c.column_name \
         WHERE c.table_schema = current_schema() AND c.table_name = $1 ORDER BY c.ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *target)
    .await
    .map_err(db)?;
    let source_columns: Vec<String> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{table}')")))
            .fetch_all(source)
            .await
            .map_err(db)?;
    let mut select = Vec::new();
    let mut columns = Vec::new();
    for (name, kind) in &target_columns {
        let expression = if source_columns.contains(name) {
            format!("t.{name}")
        } else if table == "customer_history" && name == "id" {
            "t.seq".to_owned()
        } else if table == "customer_history" && name == "organization_id" {
            "(SELECT c.organization_id FROM customers c WHERE c.id = t.customer_id)".to_owned()
        } else if table == "idempotency_keys" && name == "instance_id" {
            format!("'{}'", Uuid::nil())
        } else {
            continue;
        };
        select.push(format!("{expression} AS {name}"));
        columns.push((name.clone(), kind.clone()));
    }
    let query = format!("SELECT {} FROM {table} t {filter}", select.join(", "));
    let overriding = if table == "customer_history" { " OVERRIDING SYSTEM VALUE" } else { "" };
    let insert = format!(
        "INSERT INTO {table} ({}){overriding} VALUES ({})",
        columns.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", "),
        columns
            .iter()
            .enumerate()
            .map(|(n, (_, kind))| format!("CAST(${} AS {kind})", n + 1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(query)).fetch(source);
    let mut copied = 0;
    while let Some(row) = rows.next().await {
        let row = row.map_err(db)?;
        let mut statement = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
        for (index, (_, kind)) in columns.iter().enumerate() {
            statement = bind_value(statement, &row, index, kind)?;
        }
        statement.execute(&mut *target).await.map_err(db)?;
        copied += 1;
    }
    Ok(copied)
}

/// Binds one `SQLite` value for a `PostgreSQL` column of type `kind`: bytes as bytes,
/// everything else as its text, which the insert casts (`0`/`1` to booleans, RFC 3339 to
/// times, JSON text to `jsonb`, …).
fn bind_value<'q>(
    statement: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    row: &SqliteRow,
    index: usize,
    kind: &str,
) -> Result<sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>, AdminError> {
    let raw = row.try_get_raw(index).map_err(db)?;
    if raw.is_null() {
        return Ok(if kind == "bytea" { statement.bind(None::<Vec<u8>>) } else { statement.bind(None::<String>) });
    }
    let stored = raw.type_info().name().to_owned();
    Ok(match stored.as_str() {
        "BLOB" => statement.bind(row.try_get::<Vec<u8>, _>(index).map_err(db)?),
        "INTEGER" => statement.bind(row.try_get::<i64, _>(index).map_err(db)?.to_string()),
        "REAL" => statement.bind(row.try_get::<f64, _>(index).map_err(db)?.to_string()),
        _ => statement.bind(row.try_get::<String, _>(index).map_err(db)?),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_table_the_postgres_schema_holds_is_carried_over_or_left_out_on_purpose() {
        let schema = include_str!("../migrations/postgres/0001_initial.sql");
        let left_out = ["sessions", "sign_in_attempts", "instances"];
        for line in schema.lines().filter_map(|l| l.strip_prefix("CREATE TABLE ")) {
            let table = line.split_whitespace().next().unwrap_or("");
            assert!(
                super::TABLES.iter().any(|(t, _)| *t == table) || left_out.contains(&table),
                "{table} is neither imported nor left out on purpose"
            );
        }
    }
}
