//! One error type, one JSON shape (`shared/API.md`, "Errors") for every layer: handlers,
//! extractors (through [`crate::http::extract`]), unknown routes, limits and panics.

use crate::store::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kycard_core::ValidationErrors;
use kycard_core::wire::{ErrorBody, ErrorDetails, ErrorResponse};

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The body is not JSON.
    #[error("The request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// JSON of the wrong shape, or a bad header or query value.
    #[error("{0}")]
    MalformedRequest(String),
    /// No or bad credentials.
    #[error("Authentication is required: send `Authorization: Bearer <api key>` or sign in.")]
    Unauthenticated,
    /// A sign-in with an unknown email or a wrong password (said to the person signing in).
    #[error("Wrong email or password.")]
    WrongCredentials,
    /// The caller's role may not do this.
    #[error("Your role does not allow this action.")]
    Forbidden,
    /// A cookie-authenticated change without the matching `X-CSRF-Token`.
    #[error("Send the `csrf_token` of your session in the `X-CSRF-Token` header.")]
    CsrfFailed,
    /// Too many attempts.
    #[error("Too many attempts; try again in {}.", wait_in_words(*retry_after_seconds))]
    RateLimited {
        /// When to try again.
        retry_after_seconds: u64,
    },
    /// The credential holds as many event streams open as it may.
    #[error("This credential already has {limit} event streams open; close one before opening another.")]
    TooManyStreams {
        /// Streams allowed at once.
        limit: u32,
    },
    /// No such resource in the caller's organization, or no such route.
    #[error("The requested resource does not exist.")]
    NotFound,
    /// The route exists, the method does not.
    #[error("This method is not allowed on this resource.")]
    MethodNotAllowed,
    /// The state forbids it.
    #[error("{message}")]
    Conflict {
        /// Stable code, e.g. `customer_not_active`.
        code: &'static str,
        /// English sentence.
        message: String,
        /// Structured reasons.
        details: Option<ErrorDetails>,
    },
    /// `If-Match` names another version.
    #[error("The customer was changed since you read it (now version {current}). Reload and try again.")]
    VersionMismatch {
        /// The current version.
        current: i64,
    },
    /// A change without `If-Match`.
    #[error("Send `If-Match` with the version you read, e.g. `If-Match: \"3\"`.")]
    PreconditionRequired,
    /// Body or file over its limit.
    #[error("The request is too large: {0}")]
    PayloadTooLarge(String),
    /// Content type not accepted.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Well-formed but invalid.
    #[error("Some fields are invalid; see `fields`.")]
    Validation(ValidationErrors),
    /// The request took too long.
    #[error("The request took too long and was stopped.")]
    Timeout,
    /// Something failed inside the server; the details are logged, not sent.
    #[error("Something went wrong on our side. Try again; if it keeps happening, contact support.")]
    Internal,
}

impl AppError {
    /// HTTP status and stable code.
    pub const fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            Self::MalformedRequest(_) => (StatusCode::BAD_REQUEST, "malformed_request"),
            Self::Unauthenticated | Self::WrongCredentials => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Self::CsrfFailed => (StatusCode::FORBIDDEN, "csrf_failed"),
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::TooManyStreams { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_streams"),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            Self::VersionMismatch { .. } => (StatusCode::PRECONDITION_FAILED, "version_mismatch"),
            Self::PreconditionRequired => (StatusCode::PRECONDITION_REQUIRED, "precondition_required"),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            Self::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            Self::Timeout => (StatusCode::REQUEST_TIMEOUT, "timeout"),
            Self::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }

    /// A `409` with a code and sentence.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into(), details: None }
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorResponse {
        let (_, code) = self.status_and_code();
        ErrorResponse {
            error: ErrorBody {
                code: code.to_owned(),
                message: self.to_string(),
                fields: match self {
                    Self::Validation(errors) => Some(errors.as_slice().to_vec()),
                    _ => None,
                },
                details: match self {
                    Self::Conflict { details, .. } => details.clone(),
                    _ => None,
                },
            },
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        // Store errors never carry row contents, so they are safe to log.
        tracing::error!(%error, "storage failure");
        Self::Internal
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Validation(errors)
    }
}

/// A wait as a person reads it: seconds under two minutes, whole minutes (rounded up) beyond.
fn wait_in_words(seconds: u64) -> String {
    match seconds {
        1 => "1 second".to_owned(),
        0..120 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}

impl From<kycard_core::FieldError> for AppError {
    fn from(error: kycard_core::FieldError) -> Self {
        Self::Validation(error.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        let mut response = (status, Json(self.body())).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Self::RateLimited { retry_after_seconds } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
        }
        response
    }
}
