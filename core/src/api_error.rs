//! The API's error catalogue: every stable `error.code` of `shared/API.md`, its HTTP status and
//! what it means, in each language.
//!
//! The server answers with these codes; the npm package lists them (`errorCatalogue()`) so a
//! client can branch on a code and show its sentence without a round trip.

choice_enum! {
    /// A stable error code. The label is what the code means, said to people.
    pub enum ApiErrorCode {
        MalformedJson = "malformed_json" => "The request body is not valid JSON." / "El cuerpo de la petición no es JSON válido.",
        MalformedRequest = "malformed_request" => "The request has the wrong shape: a value of the wrong type, an unknown field, or a bad header or query value." / "La petición tiene una forma incorrecta: un valor de tipo equivocado, un campo desconocido o una cabecera o parámetro no válidos.",
        Unauthenticated = "unauthenticated" => "Authentication is required: send an API key or sign in." / "Hay que autenticarse: envía una clave de API o inicia sesión.",
        Forbidden = "forbidden" => "Your role does not allow this action." / "Tu rol no permite esta acción.",
        CsrfFailed = "csrf_failed" => "Send the `csrf_token` of your session in the `X-CSRF-Token` header." / "Envía el `csrf_token` de tu sesión en la cabecera `X-CSRF-Token`.",
        RateLimited = "rate_limited" => "Too many attempts; wait as long as `Retry-After` says, then try again." / "Demasiados intentos; espera lo que indique `Retry-After` y vuelve a intentarlo.",
        TooManyStreams = "too_many_streams" => "This credential has as many event streams open as it may; close one first." / "Esta credencial ya tiene abiertos todos los flujos de eventos que puede; cierra uno antes.",
        NotFound = "not_found" => "The requested resource does not exist." / "El recurso solicitado no existe.",
        MethodNotAllowed = "method_not_allowed" => "This method is not allowed on this resource." / "Este método no está permitido en este recurso.",
        CustomerNotActive = "customer_not_active" => "Cards can only be issued to active customers; `details.blocked_by` says what stands in the way." / "Solo se emiten tarjetas a clientes activos; `details.blocked_by` indica qué lo impide.",
        IndividualCardsNotEnabled = "individual_cards_not_enabled" => "The customer is not enrolled in individual cards." / "El cliente no está dado de alta en tarjetas individuales.",
        OfficialIdExpired = "official_id_expired" => "The identity document on file has expired: a renewed one must be approved first." / "El documento de identidad registrado ha caducado: primero debe aprobarse uno renovado.",
        InvalidTransition = "invalid_transition" => "The current status does not allow this action." / "El estado actual no permite esta acción.",
        ResubmissionNotAllowed = "resubmission_not_allowed" => "The rejection is final: nothing can be resubmitted." / "El rechazo es definitivo: no se puede volver a enviar nada.",
        CustomerChanged = "customer_changed" => "The customer changed meanwhile; reload and try again." / "El cliente ha cambiado mientras tanto; recarga y vuelve a intentarlo.",
        CardLimitReached = "card_limit_reached" => "The customer already holds as many cards as allowed." / "El cliente ya tiene tantas tarjetas como se permite.",
        WebhookLimitReached = "webhook_limit_reached" => "The organization already has as many webhooks as allowed." / "La organización ya tiene tantos webhooks como se permite.",
        IdempotencyKeyInUse = "idempotency_key_in_use" => "A request with this `Idempotency-Key` is still running; retry later." / "Una petición con esta `Idempotency-Key` aún está en curso; reinténtalo más tarde.",
        IdempotencyKeyReused = "idempotency_key_reused" => "This `Idempotency-Key` was used for a different request." / "Esta `Idempotency-Key` ya se usó en otra petición distinta.",
        VersionMismatch = "version_mismatch" => "The resource changed since you read it; reload and try again." / "El recurso ha cambiado desde que lo leíste; recarga y vuelve a intentarlo.",
        PreconditionRequired = "precondition_required" => "Send `If-Match` with the version you read." / "Envía `If-Match` con la versión que leíste.",
        PayloadTooLarge = "payload_too_large" => "The request or file is larger than allowed." / "La petición o el archivo supera el tamaño permitido.",
        UnsupportedMediaType = "unsupported_media_type" => "The content type is not accepted here." / "Aquí no se acepta este tipo de contenido.",
        ValidationFailed = "validation_failed" => "Some fields are invalid; see `fields`." / "Algunos campos no son válidos; mira `fields`.",
        Timeout = "timeout" => "The request took too long and was stopped." / "La petición tardó demasiado y se detuvo.",
        InternalError = "internal_error" => "Something went wrong on our side. Try again; if it keeps happening, contact support." / "Algo ha fallado por nuestra parte. Vuelve a intentarlo; si sigue ocurriendo, contacta con soporte.",
    }
}

impl ApiErrorCode {
    /// The HTTP status the code comes with.
    pub const fn status(self) -> u16 {
        match self {
            Self::MalformedJson | Self::MalformedRequest => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden | Self::CsrfFailed => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Timeout => 408,
            Self::CustomerNotActive
            | Self::IndividualCardsNotEnabled
            | Self::OfficialIdExpired
            | Self::InvalidTransition
            | Self::ResubmissionNotAllowed
            | Self::CustomerChanged
            | Self::CardLimitReached
            | Self::WebhookLimitReached
            | Self::IdempotencyKeyInUse
            | Self::IdempotencyKeyReused => 409,
            Self::VersionMismatch => 412,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::ValidationFailed => 422,
            Self::PreconditionRequired => 428,
            Self::RateLimited | Self::TooManyStreams => 429,
            Self::InternalError => 500,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn every_code_has_a_status_and_both_languages() {
        for code in ApiErrorCode::ALL {
            assert!((400..600).contains(&code.status()), "{code}");
            assert_ne!(code.label_in(Locale::English), code.label_in(Locale::Spanish), "{code}");
            assert_eq!(ApiErrorCode::parse(code.as_str()), Some(*code));
        }
    }
}
