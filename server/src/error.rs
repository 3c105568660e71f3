//! One error type, one JSON shape (`shared/API.md`, "Errors") for every layer: handlers,
//! extractors (through [`crate::http::extract`]), unknown routes, limits and panics.

use crate::store::StoreError;
use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kycard_core::ValidationErrors;
use kycard_core::api_error::ApiErrorCode;
use kycard_core::i18n::Locale;
use kycard_core::message::Message;
use kycard_core::wire::{ErrorBody, ErrorDetails, ErrorResponse};

tokio::task_local! {
    /// The language the request's `Accept-Language` asked for, while it is handled.
    static LOCALE: Locale;
}

/// The locale of the request being handled (English outside one).
pub fn request_locale() -> Locale {
    LOCALE.try_with(|l| *l).unwrap_or_default()
}

/// Middleware: handles the request in the locale its `Accept-Language` asks for, so every
/// error (from handlers, extractors, limits and panics) speaks it.
pub async fn with_locale(request: Request, next: Next) -> Response {
    let locale = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Locale::English, Locale::from_accept_language);
    LOCALE.scope(locale, next.run(request)).await
}

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
    #[error("{}", self.english())]
    WrongCredentials,
    /// The caller's role may not do this.
    #[error("Your role does not allow this action.")]
    Forbidden,
    /// A cookie-authenticated change without the matching `X-CSRF-Token`.
    #[error("Send the `csrf_token` of your session in the `X-CSRF-Token` header.")]
    CsrfFailed,
    /// Too many attempts.
    #[error("{}", self.english())]
    RateLimited {
        /// When to try again.
        retry_after_seconds: u64,
    },
    /// The credential holds as many event streams open as it may.
    #[error("{}", self.english())]
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
        code: ApiErrorCode,
        /// English sentence.
        message: String,
        /// Structured reasons.
        details: Option<ErrorDetails>,
    },
    /// `If-Match` names another version.
    #[error("{}", self.english())]
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
    /// A refusal core words in every language (a file too large, not a document).
    #[error("{}", self.english())]
    Said {
        /// Stable code, e.g. `payload_too_large`.
        code: ApiErrorCode,
        /// What core says about it.
        message: Message,
    },
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
    /// The stable code.
    pub const fn code(&self) -> ApiErrorCode {
        match self {
            Self::MalformedJson(_) => ApiErrorCode::MalformedJson,
            Self::MalformedRequest(_) => ApiErrorCode::MalformedRequest,
            Self::Unauthenticated | Self::WrongCredentials => ApiErrorCode::Unauthenticated,
            Self::Forbidden => ApiErrorCode::Forbidden,
            Self::CsrfFailed => ApiErrorCode::CsrfFailed,
            Self::RateLimited { .. } => ApiErrorCode::RateLimited,
            Self::TooManyStreams { .. } => ApiErrorCode::TooManyStreams,
            Self::NotFound => ApiErrorCode::NotFound,
            Self::MethodNotAllowed => ApiErrorCode::MethodNotAllowed,
            Self::Conflict { code, .. } | Self::Said { code, .. } => *code,
            Self::VersionMismatch { .. } => ApiErrorCode::VersionMismatch,
            Self::PreconditionRequired => ApiErrorCode::PreconditionRequired,
            Self::PayloadTooLarge(_) => ApiErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType(_) => ApiErrorCode::UnsupportedMediaType,
            Self::Validation(_) => ApiErrorCode::ValidationFailed,
            Self::Timeout => ApiErrorCode::Timeout,
            Self::Internal => ApiErrorCode::InternalError,
        }
    }

    /// The HTTP status of the code.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// A `409` with a code and sentence.
    pub fn conflict(code: ApiErrorCode, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into(), details: None }
    }

    /// What core says about this refusal in every language, beyond its code's sentence.
    fn said(&self) -> Option<Message> {
        match self {
            Self::WrongCredentials => Some(Message::WrongCredentials),
            Self::RateLimited { retry_after_seconds } => Some(Message::TryAgainIn { seconds: *retry_after_seconds }),
            Self::TooManyStreams { limit } => Some(Message::StreamsOpen { limit: *limit }),
            Self::VersionMismatch { current } => Some(Message::VersionNow { current: *current }),
            Self::Said { message, .. } => Some(message.clone()),
            _ => None,
        }
    }

    /// Core's sentence in English, for the variants that have one (see [`Self::said`]).
    fn english(&self) -> String {
        self.said().map(|said| said.text(Locale::English)).unwrap_or_default()
    }

    /// The sentence in `locale`: core's when it has one, the specific English one, or the
    /// catalogue's sentence for the code (with the technical detail of a malformed request,
    /// which is in English).
    fn message_in(&self, locale: Locale) -> String {
        if let Some(said) = self.said() {
            return said.text(locale);
        }
        let sentence = self.code().label_in(locale);
        match (locale, self) {
            (Locale::English, _) => self.to_string(),
            (
                _,
                Self::MalformedJson(detail)
                | Self::MalformedRequest(detail)
                | Self::PayloadTooLarge(detail)
                | Self::UnsupportedMediaType(detail),
            ) => format!("{sentence} ({detail})"),
            _ => sentence.to_owned(),
        }
    }

    /// The JSON body, in the locale of the request being handled.
    pub fn body(&self) -> ErrorResponse {
        let locale = request_locale();
        ErrorResponse {
            error: ErrorBody {
                code: self.code().as_str().to_owned(),
                message: self.message_in(locale),
                fields: match self {
                    Self::Validation(errors) => Some(errors.localized(locale)),
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

impl From<kycard_core::FieldError> for AppError {
    fn from(error: kycard_core::FieldError) -> Self {
        Self::Validation(error.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(self.body())).into_response();
        response.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(request_locale().as_str()));
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Self::RateLimited { retry_after_seconds } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
        }
        response
    }
}
