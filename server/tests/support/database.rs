//! The database a test runs on: a fresh `SQLite` file by default, or a fresh `PostgreSQL`
//! database when `KYCARD_TEST_BACKEND=postgres` (on the server `KYCARD_TEST_POSTGRES_URL`
//! names, which the README's test command starts).

use sqlx::Connection;

/// The `PostgreSQL` server tests may make databases on, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("KYCARD_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty())
}

/// Whether the whole suite runs on `PostgreSQL`.
pub fn on_postgres() -> bool {
    std::env::var("KYCARD_TEST_BACKEND").is_ok_and(|backend| backend == "postgres")
}

/// A new, empty database on the `PostgreSQL` server `server`; returns its URL.
pub async fn fresh_postgres(server: &str) -> String {
    let name = format!("kycard_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(server).await.expect("the test PostgreSQL server");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.expect("database");
    admin.close().await.expect("close");
    let (base, _) = server.rsplit_once('/').expect("a URL ending in /<database>");
    format!("{base}/{name}")
}

/// The URL of this test's database: in `dir` on `SQLite`, or a fresh `PostgreSQL` database.
pub async fn url(dir: &std::path::Path) -> String {
    if on_postgres() {
        let server = postgres_server().expect("KYCARD_TEST_BACKEND=postgres needs KYCARD_TEST_POSTGRES_URL");
        fresh_postgres(&server).await
    } else {
        format!("sqlite://{}", dir.join("kycard.db").display())
    }
}
