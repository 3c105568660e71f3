//! One error type, one JSON shape (`shared/API.md`, "Errors") for every layer.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kycard_core::wire::{ErrorBody, ErrorResponse};

/// Everything a handler can answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such resource in the caller's organization, or no such route.
    #[error("The requested resource does not exist.")]
    NotFound,
    /// The route exists, the method does not.
    #[error("This method is not allowed on this resource.")]
    MethodNotAllowed,
    /// Something failed inside the server; details go to the log, not the client.
    #[error("Something went wrong on our side. Try again; if it keeps happening, contact support.")]
    Internal,
}

impl AppError {
    /// HTTP status and stable code.
    pub const fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = ErrorResponse {
            error: ErrorBody {
                code: code.to_owned(),
                message: self.to_string(),
                fields: None,
                details: None,
            },
        };
        (status, Json(body)).into_response()
    }
}
