//! [`ServiceError`]: the one error every service operation answers. The REST API maps
//! it to Sigma's `{code, message, requestId}` in one place; the web pages show
//! `message` next to the field an [`ServiceError::Invalid`] names.

use sigil_store::StoreError;

use crate::auth::AuthFailure;

pub type ServiceResult<T> = Result<T, ServiceError>;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input is wrong. `field` names the input field when there is one (`email`,
    /// `grants[2]`, `params.url`…), so that a form can show the message beside it.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// The caller is not (or no longer) who it says: an expired or revoked token, an
    /// inactive member.
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Input larger than sigil accepts.
    #[error("{0}")]
    TooLarge(String),
    /// A kind of thing sigil does not hold, or a write it cannot make.
    #[error("{0}")]
    NotImplemented(String),
    /// A dependency (the database, an upstream) cannot answer now.
    #[error("{0}")]
    Unavailable(String),
    /// A limit on how often something may be done.
    #[error("{0}")]
    RateLimited(String),
    /// A connector's upstream failed: it gave no usable answer, or (`timed_out`) none
    /// in time.
    #[error("{message}")]
    Upstream { timed_out: bool, message: String },
    /// A token request failed, in OAuth terms.
    #[error(transparent)]
    Auth(#[from] AuthFailure),
    /// Anything unexpected: logged in full by whoever answers it, never shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ServiceError {
    /// Bad input not tied to one field.
    pub fn invalid(message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            field: None,
            message: message.into(),
        }
    }

    /// Bad input in `field`.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ServiceError::NotFound(message.into())
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ServiceError::Forbidden(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ServiceError::Conflict(message.into())
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        ServiceError::Internal(e.into())
    }

    /// The field an [`Invalid`](ServiceError::Invalid) error names, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            ServiceError::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => ServiceError::Conflict(format!("already exists: {what}")),
            StoreError::Busy(_) => ServiceError::Unavailable(
                "the database is busy with concurrent changes to the same rows; try again".into(),
            ),
            other => ServiceError::Internal(other.into()),
        }
    }
}
