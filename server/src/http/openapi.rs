//! The `OpenAPI` document, generated from the handlers' annotations and core's wire types, so
//! it cannot drift from the code; served at `/api/v1/openapi.json`, with Swagger UI (assets
//! embedded in the binary, no CDN) at `/api/docs`.

use super::schemas::LinkSchemas;
use super::{cards, customers, documents, events, health, keys, reviews, schemas, session, webhooks};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "kycard API", description = "Onboarding customers into an individual card program. See shared/API.md."),
    paths(
        health::health, health::ready,
        customers::create, customers::list, customers::read, customers::patch,
        documents::upload, documents::list, documents::content, documents::preview,
        reviews::queue, reviews::decide, reviews::history, reviews::simulate,
        cards::issue, cards::list, cards::read, cards::freeze, cards::unfreeze, cards::cancel,
        session::sign_in, session::current, session::sign_out,
        events::events,
        webhooks::create, webhooks::list, webhooks::remove, webhooks::deliveries,
        keys::list, keys::revoke,
        schemas::index, schemas::schema,
    ),
    modifiers(&Security, &LinkSchemas),
    security(("api_key" = []), ("session" = [])),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key: `Authorization: Bearer kyc_…`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "kycard_session",
                "Browser session from `POST /session`; unsafe requests also need `X-CSRF-Token`.",
            ))),
        );
    }
}
