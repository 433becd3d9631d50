//! A [`CredentialStore`] in PostgreSQL (feature `postgres`): the verify ticket and refresh
//! tokens in one table, committed before `put` returns, shared by every process of the
//! platform.
//!
//! - one row per key in `wechat_oa_credentials` (or a table of your choosing), created at
//!   [`connect`](PostgresCredentials::connect) unless you create it yourself from
//!   [`PostgresCredentials::SCHEMA`];
//! - `put` is an upsert (`INSERT … ON CONFLICT (key) DO UPDATE`), `remove` a `DELETE`; the three
//!   statements are prepared once per connection;
//! - plain TCP (no TLS): run it on a private network or a local socket.
//!
//! If PostgreSQL cannot be reached, every operation fails with a [`StoreError`] whose backend
//! is `postgres`; values never appear in errors, traces or `Debug`. An operation waits at most
//! [`with_op_timeout`](PostgresCredentialsBuilder::with_op_timeout) (3 s by default),
//! reconnection included. After a lost connection (a server restart, a failover) the next
//! operation opens a new connection and is tried once more on it, so calls resume as soon as
//! the server is back.

use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, Statement};

use crate::credentials::CredentialStore;
use crate::error::StoreError;
use crate::future::BoxFuture;

const BACKEND: &str = "postgres";
const DEFAULT_OP_TIMEOUT: Duration = Duration::from_secs(3);
/// The longest [`PostgresCredentialsBuilder::connect`] waits (connection, table, statements).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Credentials in a PostgreSQL table.
///
/// ```no_run
/// # async fn demo() -> Result<(), wechat_oa::StoreError> {
/// use wechat_oa::PostgresCredentials;
///
/// let store = PostgresCredentials::connect("postgres://wechat:secret@10.0.0.7:5432/platform").await?;
/// // or: a table of your own, created by your migrations (`PostgresCredentials::schema`)
/// let store = PostgresCredentials::builder("postgres://wechat:secret@10.0.0.7:5432/platform")
///     .with_table("platform_credentials")
///     .create_table(false)
///     .connect()
///     .await?;
/// # let _ = store; Ok(()) }
/// ```
pub struct PostgresCredentials {
    config: tokio_postgres::Config,
    table: String,
    op_timeout: Duration,
    /// The current connection; replaced (under this lock) once it is found closed, and
    /// forgotten after an operation timed out on it (a statement may still be queued there).
    conn: tokio::sync::Mutex<Option<Arc<Conn>>>,
}

/// One connection and its prepared statements.
struct Conn {
    client: Client,
    get: Statement,
    put: Statement,
    remove: Statement,
}

/// Options for [`PostgresCredentials`]: the table, whether to create it, the operation timeout.
#[derive(Clone)]
pub struct PostgresCredentialsBuilder {
    url: String,
    table: String,
    create_table: bool,
    op_timeout: Duration,
}

impl std::fmt::Debug for PostgresCredentials {
    // No URL: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresCredentials")
            .field("table", &self.table)
            .field("op_timeout", &self.op_timeout)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for PostgresCredentialsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresCredentialsBuilder")
            .field("table", &self.table)
            .field("create_table", &self.create_table)
            .field("op_timeout", &self.op_timeout)
            .finish_non_exhaustive()
    }
}

impl PostgresCredentials {
    /// The table [`connect`](Self::connect) uses.
    pub const DEFAULT_TABLE: &'static str = "wechat_oa_credentials";

    /// The table's definition, for those who create tables themselves (migrations, a DBA):
    /// `CREATE TABLE IF NOT EXISTS` of [`DEFAULT_TABLE`](Self::DEFAULT_TABLE). For another name
    /// see [`schema`](Self::schema).
    pub const SCHEMA: &'static str = "CREATE TABLE IF NOT EXISTS wechat_oa_credentials (
    key text PRIMARY KEY,
    value text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
)";

    /// Connects to `url` (`postgres://user:password@host:port/dbname`, or `host=… user=…`
    /// key-value pairs) and creates [`DEFAULT_TABLE`](Self::DEFAULT_TABLE) if it is missing.
    /// Fails if PostgreSQL cannot be reached now.
    pub async fn connect(url: &str) -> Result<PostgresCredentials, StoreError> {
        Self::builder(url).connect().await
    }

    /// Options before connecting: [`with_table`](PostgresCredentialsBuilder::with_table),
    /// [`create_table`](PostgresCredentialsBuilder::create_table),
    /// [`with_op_timeout`](PostgresCredentialsBuilder::with_op_timeout).
    pub fn builder(url: impl Into<String>) -> PostgresCredentialsBuilder {
        PostgresCredentialsBuilder {
            url: url.into(),
            table: Self::DEFAULT_TABLE.to_string(),
            create_table: true,
            op_timeout: DEFAULT_OP_TIMEOUT,
        }
    }

    /// [`SCHEMA`](Self::SCHEMA) for a table named `table` (checked as
    /// [`with_table`](PostgresCredentialsBuilder::with_table) checks it).
    pub fn schema(table: &str) -> Result<String, StoreError> {
        check_table(table)?;
        Ok(Self::SCHEMA.replacen(Self::DEFAULT_TABLE, table, 1))
    }

    /// The table this store reads and writes.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The connection to use: the current one, or a new one when there is none or it is
    /// closed.
    async fn current(&self) -> Result<Arc<Conn>, StoreError> {
        self.replace(None).await
    }

    /// Like [`current`](Self::current), also replacing `failed` unless another operation
    /// already did.
    async fn replace(&self, failed: Option<&Arc<Conn>>) -> Result<Arc<Conn>, StoreError> {
        let mut slot = self.conn.lock().await;
        match slot.as_ref() {
            Some(c) if !c.client.is_closed() && !failed.is_some_and(|f| Arc::ptr_eq(c, f)) => Ok(c.clone()),
            _ => {
                let c = Arc::new(open(&self.config, &self.table, self.op_timeout).await?);
                *slot = Some(c.clone());
                Ok(c)
            }
        }
    }

    /// After a timeout: the next operation opens a new connection rather than queueing behind
    /// whatever hangs on this one (a dead peer that sent no reset, a statement still waiting).
    fn forget(&self, conn: &Arc<Conn>) {
        // Someone holding the lock is replacing it already.
        if let Ok(mut slot) = self.conn.try_lock() {
            if slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
                *slot = None;
            }
        }
    }

    /// Runs `op`; after a lost connection once more on a new one. Every operation here may
    /// safely run twice (a read, an upsert, a delete).
    async fn run(&self, op: Op<'_>) -> Result<Option<String>, StoreError> {
        let used = std::sync::Mutex::new(None::<Arc<Conn>>);
        let note = |c: &Arc<Conn>| {
            if let Ok(mut u) = used.lock() {
                *u = Some(c.clone());
            }
        };
        let work = async {
            let conn = self.current().await?;
            note(&conn);
            match op.exec(&conn).await {
                Err(e) if lost_connection(&e) => {
                    tracing::debug!(table = %self.table, "PostgreSQL connection lost; reconnecting once");
                    let conn = self.replace(Some(&conn)).await?;
                    note(&conn);
                    op.exec(&conn).await.map_err(|e| failed(&e, &self.table))
                }
                other => other.map_err(|e| failed(&e, &self.table)),
            }
        };
        match tokio::time::timeout(self.op_timeout, work).await {
            Ok(r) => r,
            Err(_) => {
                if let Some(c) = used.lock().ok().and_then(|mut u| u.take()) {
                    self.forget(&c);
                }
                Err(StoreError::new(BACKEND, "PostgreSQL did not answer in time"))
            }
        }
    }
}

impl PostgresCredentialsBuilder {
    /// Uses `table` instead of [`PostgresCredentials::DEFAULT_TABLE`]. Only lower-case ASCII
    /// letters, digits and `_`, at most 63 bytes (PostgreSQL's limit); anything else makes
    /// [`connect`](Self::connect) fail with a [`StoreError`] before connecting.
    pub fn with_table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// Whether [`connect`](Self::connect) creates the table if it is missing (default `true`).
    /// With `false`, a missing table makes `connect` fail, naming it.
    pub fn create_table(mut self, create: bool) -> Self {
        self.create_table = create;
        self
    }

    /// The longest an operation waits for PostgreSQL, reconnection included (default 3 s). It is
    /// also the `statement_timeout` of the store's connections, so the server abandons a
    /// statement the caller stopped waiting for; after a timeout the next operation opens a
    /// new connection.
    pub fn with_op_timeout(mut self, timeout: Duration) -> Self {
        self.op_timeout = timeout;
        self
    }

    /// Connects, creates the table if asked to, and prepares the statements.
    pub async fn connect(self) -> Result<PostgresCredentials, StoreError> {
        check_table(&self.table)?;
        // The parser's own messages may quote part of the URL (a password): name none of it.
        let mut config: tokio_postgres::Config = self.url.parse().map_err(|_| {
            StoreError::new(
                BACKEND,
                "bad PostgreSQL URL (expected postgres://user:password@host:port/dbname or host=… user=… pairs)",
            )
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(2));
        }
        if config.get_application_name().is_none() {
            config.application_name("wechat-oa");
        }
        let table = self.table;
        let create = self.create_table;
        let conn = tokio::time::timeout(CONNECT_TIMEOUT, async {
            if create {
                create_table(&config, &table).await?;
            }
            open(&config, &table, self.op_timeout).await
        })
        .await
        .map_err(|_| StoreError::new(BACKEND, "timed out connecting to PostgreSQL"))??;
        Ok(PostgresCredentials {
            config,
            table,
            op_timeout: self.op_timeout,
            conn: tokio::sync::Mutex::new(Some(Arc::new(conn))),
        })
    }
}

fn check_table(table: &str) -> Result<(), StoreError> {
    let ok = !table.is_empty()
        && table.len() <= 63
        && table.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::new(
            BACKEND,
            format!(
                "invalid table name {:?}: use 1 to 63 characters of a-z, 0-9 and _",
                table.chars().take(80).collect::<String>()
            ),
        ))
    }
}

/// A new connection with its driver task running and the statements prepared. The server
/// gives up on a statement after `op_timeout` too, so one the caller stopped waiting for does
/// not commit long after (it may still commit within that time).
async fn open(config: &tokio_postgres::Config, table: &str, op_timeout: Duration) -> Result<Conn, StoreError> {
    let client = connect_client(config).await?;
    let ms = op_timeout.as_millis().clamp(1, i32::MAX as u128);
    client.batch_execute(&format!("SET statement_timeout = {ms}")).await.map_err(|e| failed(&e, table))?;
    // Names are checked (`check_table`) and quoted; values are always parameters.
    let prepare = |sql: String| {
        let client = &client;
        async move { client.prepare(&sql).await.map_err(|e| failed(&e, table)) }
    };
    let get = prepare(format!(r#"SELECT value FROM "{table}" WHERE key = $1"#)).await?;
    let put = prepare(format!(
        r#"INSERT INTO "{table}" (key, value, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at"#
    ))
    .await?;
    let remove = prepare(format!(r#"DELETE FROM "{table}" WHERE key = $1"#)).await?;
    Ok(Conn { client, get, put, remove })
}

async fn connect_client(config: &tokio_postgres::Config) -> Result<Client, StoreError> {
    let (client, connection) = config.connect(NoTls).await.map_err(|e| failed(&e, ""))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %describe(&e), "PostgreSQL connection closed");
        }
    });
    Ok(client)
}

/// `CREATE TABLE IF NOT EXISTS` on a connection of its own (dropped afterwards).
async fn create_table(config: &tokio_postgres::Config, table: &str) -> Result<(), StoreError> {
    let client = connect_client(config).await?;
    let sql = PostgresCredentials::schema(table)?;
    match client.batch_execute(&sql).await {
        Ok(()) => Ok(()),
        // Two processes creating the table at once: one of them loses the race on the
        // catalogue's unique index (a known PostgreSQL behaviour); the table is there.
        Err(e) if matches!(e.code(), Some(c) if *c == SqlState::UNIQUE_VIOLATION || *c == SqlState::DUPLICATE_TABLE) => {
            Ok(())
        }
        Err(e) => Err(failed(&e, table)),
    }
}

/// One store operation, runnable again on another connection.
#[derive(Clone, Copy)]
enum Op<'a> {
    Get(&'a str),
    Put(&'a str, &'a str),
    Remove(&'a str),
}

impl Op<'_> {
    async fn exec(&self, conn: &Conn) -> Result<Option<String>, tokio_postgres::Error> {
        match *self {
            Op::Get(key) => match conn.client.query_opt(&conn.get, &[&key]).await? {
                Some(row) => Ok(Some(row.try_get::<_, String>(0)?)),
                None => Ok(None),
            },
            Op::Put(key, value) => conn.client.execute(&conn.put, &[&key, &value]).await.map(|_| None),
            Op::Remove(key) => conn.client.execute(&conn.remove, &[&key]).await.map(|_| None),
        }
    }
}

/// Errors after which the connection is gone (or going), so a new one may succeed.
fn lost_connection(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        // Class 08: connection exception; class 57P: the server is shutting down or restarting.
        let c = code.code();
        return c.starts_with("08") || c.starts_with("57P");
    }
    // An I/O error under the driver (a reset connection).
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

/// What went wrong, without anything a value could be in: for a server error its message and
/// SQLSTATE (no DETAIL, which may quote a row), otherwise the driver's kind and cause.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} (SQLSTATE {})", db.message(), db.code().code());
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

fn failed(e: &tokio_postgres::Error, table: &str) -> StoreError {
    let mut message = format!("PostgreSQL is unreachable or failed: {}", describe(e));
    if e.code() == Some(&SqlState::UNDEFINED_TABLE) {
        message.push_str(&format!("; create table {table:?} (PostgresCredentials::schema) or let connect create it"));
    }
    StoreError::new(BACKEND, message)
}

impl CredentialStore for PostgresCredentials {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
        Box::pin(self.run(Op::Get(key)))
    }

    fn put<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { self.run(Op::Put(key, value)).await.map(|_| ()) })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { self.run(Op::Remove(key)).await.map(|_| ()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_of_the_default_table_is_the_published_one() {
        assert_eq!(
            PostgresCredentials::schema(PostgresCredentials::DEFAULT_TABLE).unwrap(),
            PostgresCredentials::SCHEMA
        );
        let custom = PostgresCredentials::schema("tenant_7_credentials").unwrap();
        assert!(custom.starts_with("CREATE TABLE IF NOT EXISTS tenant_7_credentials ("), "{custom}");
    }

    #[test]
    fn table_names_outside_a_z_0_9_underscore_are_refused() {
        for bad in ["", "Credentials", "creds; DROP TABLE x", "a\"b", "schema.table", "été", &"a".repeat(64)] {
            let e = PostgresCredentials::schema(bad).unwrap_err();
            assert_eq!(e.backend, "postgres");
            assert!(e.message.contains("invalid table name"), "{}", e.message);
        }
        assert!(PostgresCredentials::schema(&"a".repeat(63)).is_ok());
    }
}
