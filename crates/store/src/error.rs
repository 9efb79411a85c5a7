//! Store errors. A database failure is never reported as "not found".

use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the database already holds an organization")]
    AlreadyInitialized,
    /// A uniqueness rule was broken; the string names what collided.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value could not be read back (for instance an unknown permission name).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    #[error("unsupported database URL: {0}")]
    UnsupportedUrl(String),
    /// Concurrent writes kept getting in each other's way (a deadlock or a
    /// serialization failure, retried and still failing): the caller may try again.
    #[error("the database is busy with concurrent writes: {0}")]
    Busy(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether a transaction that failed so may simply be run again: PostgreSQL's
    /// serialization failure and deadlock, SQLite's busy database.
    pub(crate) fn is_retryable(e: &sqlx::Error) -> bool {
        match e {
            sqlx::Error::Database(d) => matches!(
                d.code().as_deref(),
                Some("40001") | Some("40P01") | Some("5") | Some("517")
            ),
            _ => false,
        }
    }

    /// Whether the error is a unique-constraint violation reported by the database.
    pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
    }

    /// Whether the error is a unique violation involving `column` (SQLite names it in
    /// the message, PostgreSQL in the constraint or detail).
    pub(crate) fn is_unique_violation_on(e: &sqlx::Error, column: &str) -> bool {
        match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                d.message().contains(column) || d.constraint().is_some_and(|c| c.contains(column))
            }
            _ => false,
        }
    }
}
