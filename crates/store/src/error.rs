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
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
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
