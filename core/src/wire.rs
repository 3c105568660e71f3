//! The JSON shapes of `shared/API.md`: one definition used by the server and the web app.
//!
//! Request data keeps every field optional and textual (`Option<String>`), so that a missing or
//! misspelt value becomes a field error listed with all the others (`422`) rather than a parse
//! failure that stops at the first problem. A value of the wrong JSON type is still a parse
//! failure (`400 malformed_request`). The server answers the same shapes filled with the
//! normalised values, so a client can load a customer into its form, edit and send it back.

use crate::card::{CardStatus, CardType};
use crate::documents::{DocumentKind, RequirementState};
use crate::field_error::FieldErrorCode;
use crate::review::{Flag, FlagCode};
use crate::status::{CustomerStatus, ReviewStage};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One JSON object as `T`. serde's derive also reads a struct from an array of its fields in
/// order (`[null, null]` as a `ContactData`), which the API does not speak: this refuses it.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Fields<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Object)
            }
        }
        deserializer.deserialize_map(Fields(std::marker::PhantomData))
    }
}

/// An optional block: an object, `null` or absent, never an array.
fn object<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    Option::<Object<T>>::deserialize(deserializer).map(|o| o.map(|Object(t)| t))
}

/// A list of objects, never of arrays.
fn objects<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
    Vec::<Object<T>>::deserialize(deserializer).map(|list| list.into_iter().map(|Object(t)| t).collect())
}

/// Body of `POST /customers` and `PATCH /customers/{id}`; also the editable part of a customer.
///
/// On `PATCH`, an absent field keeps its value and an empty optional text clears it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerData {
    /// Email and phone.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "object")]
    pub contact: Option<ContactData>,
    /// Enrols the customer in the individual card program; absent means `false` on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual_cards: Option<bool>,
    /// Required when `individual_cards` is true, refused when it is false.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "object")]
    pub individual: Option<IndividualData>,
}

/// Contact details, always required.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactData {
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number in international (E.164) form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// What the individual card program requires.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndividualData {
    /// Name, birth date, gender, address.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "object")]
    pub personal: Option<PersonalData>,
    /// The identity document.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "object")]
    pub official_id: Option<OfficialIdData>,
    /// Occupation and expected use.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "object")]
    pub financial: Option<FinancialData>,
}

/// Personal details.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalData {
    /// Full name in any script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub date_of_birth: Option<String>,
    /// One of [`crate::person::Gender`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::person::Gender>))]
    pub gender: Option<String>,
    /// Residential address.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "object")]
    pub address: Option<AddressData>,
}

/// A residential address.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressData {
    /// Street and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Optional second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City or town.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Optional state, province or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code in the country's format (optional only where the country has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The identity document.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialIdData {
    /// One of [`crate::official_id::IdType`].
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::official_id::IdType>))]
    pub id_type: Option<String>,
    /// Document number as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// ISO 3166-1 alpha-2 code of the issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<String>,
    /// `YYYY-MM-DD`, the last day the document is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub expires_on: Option<String>,
}

/// Financial information.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinancialData {
    /// One of [`crate::financial::Occupation`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::financial::Occupation>))]
    pub occupation: Option<String>,
    /// One of [`crate::financial::SalaryRange`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::financial::SalaryRange>))]
    pub annual_salary_range: Option<String>,
    /// One of [`crate::financial::AccountPurpose`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::financial::AccountPurpose>))]
    pub account_purpose: Option<String>,
    /// One of [`crate::financial::MonthlyVolume`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::financial::MonthlyVolume>))]
    pub expected_monthly_volume: Option<String>,
}

/// A customer as the API returns it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// A `UUIDv7`.
    pub id: Uuid,
    /// Increases on every change; sent back in `If-Match`.
    pub version: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Normalised contact details.
    pub contact: ContactData,
    /// Whether the customer is in the card program.
    pub individual_cards: bool,
    /// Normalised program data, when enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual: Option<IndividualData>,
    /// Onboarding status, when enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CustomerStatus>,
    /// Documents the customer needs and where each stands.
    #[serde(default)]
    pub requirements: Vec<Requirement>,
    /// Where the review stands, when enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewSummary>,
    /// For an active customer whose identity document expires within 30 days or has
    /// expired: the renewal owed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<crate::documents::Renewal>,
}

/// One required document and its state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// Which document.
    pub document: DocumentKind,
    /// Missing, uploaded, accepted or flagged.
    pub state: RequirementState,
    /// Why it was flagged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<FlagCode>,
    /// The reviewer's or the automatic check's explanation, when flagged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The review part of a customer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    /// Where the review stands.
    pub stage: ReviewStage,
    /// What must be corrected before resubmitting (after a rejection).
    pub flags: Vec<Flag>,
    /// When the last decision was made.
    pub decided_at: Option<DateTime<Utc>>,
    /// False after a final rejection: nothing more can be resubmitted.
    pub resubmittable: bool,
}

/// An uploaded document as the API returns it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// A `UUIDv7`.
    pub id: Uuid,
    /// Which requirement it answers.
    pub kind: DocumentKind,
    /// Sniffed from the bytes.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Uploaded, accepted or flagged.
    pub state: RequirementState,
    /// Date printed on a proof of address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<NaiveDate>,
    /// When it arrived.
    pub uploaded_at: DateTime<Utc>,
    /// Whether `GET /documents/{id}/preview` has a picture to show: a downscaled JPEG
    /// re-encoded without the original's metadata (no EXIF or GPS).
    #[serde(default)]
    pub preview: bool,
    /// What was read inside the file and judged: each quality measure with its threshold
    /// (sharpness, exposure, contrast, resolution), a PDF's text, or why nothing could be read.
    #[serde(default)]
    pub checks: Vec<Check>,
}

/// Body of `POST /customers/{id}/cards`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueCardRequest {
    /// Only `virtual` for now.
    #[serde(rename = "type")]
    pub card_type: CardType,
}

/// A card as the API returns it: never the full number.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// A `UUIDv7`.
    pub id: Uuid,
    /// The cardholder.
    pub customer_id: Uuid,
    /// Virtual or physical.
    #[serde(rename = "type")]
    pub card_type: CardType,
    /// Active, frozen or canceled.
    pub status: CardStatus,
    /// Last four digits of the number.
    pub last4: String,
    /// Expiry month, 1–12.
    pub exp_month: u32,
    /// Expiry year, four digits.
    pub exp_year: i32,
    /// Name printed on the card.
    pub cardholder_name: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
}

choice_enum! {
    /// A reviewer's verdict.
    pub enum Decision {
        Approve = "approve" => "Approve" / "Aprobar",
        Reject = "reject" => "Reject" / "Rechazar",
    }
}

/// Body of `POST /customers/{id}/review`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecisionRequest {
    /// Approve or reject.
    pub decision: Decision,
    /// What to correct; at least one when rejecting.
    #[serde(default, deserialize_with = "objects")]
    pub flags: Vec<Flag>,
}

choice_enum! {
    /// What an API key or user may do. `admin` may do everything.
    pub enum Role {
        Operator = "operator" => "Operator" / "Operador",
        Reviewer = "reviewer" => "Reviewer" / "Revisor",
        Admin = "admin" => "Administrator" / "Administrador",
    }
}

impl Customer {
    /// The editable part, as a `PATCH` body would carry it (forms start from this).
    pub fn data(&self) -> CustomerData {
        CustomerData {
            contact: Some(self.contact.clone()),
            individual_cards: Some(self.individual_cards),
            individual: self.individual.clone(),
        }
    }
}

impl Role {
    /// Whether this role covers `needed` (an admin covers every role).
    pub fn covers(self, needed: Role) -> bool {
        self == Role::Admin || self == needed
    }
}

choice_enum! {
    /// Who did something recorded in the history.
    pub enum ActorKind {
        System = "system" => "System" / "Sistema",
        User = "user" => "User" / "Usuario",
        ApiKey = "api_key" => "API key" / "Clave de API",
    }
}

/// Who did something.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// System, user or API key.
    pub kind: ActorKind,
    /// The user's or key's id; absent for the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
}

/// One rule an automatic review measured.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable rule name, e.g. `proof_of_address_age_days`.
    pub name: String,
    /// Whether the rule held.
    pub passed: bool,
    /// What was measured.
    pub value: String,
    /// The limit it was compared with.
    pub threshold: String,
    /// English explanation.
    pub message: String,
}

/// One entry of `GET /customers/{id}/history`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What happened, e.g. `document.uploaded`, `status.changed`, `review.decided`.
    pub event: String,
    /// State before, for changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// State after, for changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What an automatic decision measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<Check>>,
}

/// `{"data": [...], "next_cursor": ...}`: every list endpoint.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last one (always present, so a typed
    /// client generated from the `OpenAPI` document sees it).
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Every error response: `{"error": {...}}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// The inside of an error response.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// A sentence for people, in the language `Accept-Language` asked for (English or Spanish).
    pub message: String,
    /// Every field problem, for `validation_failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldErrorBody>>,
    /// Structured reasons, e.g. why a customer is not active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<ErrorDetails>,
}

/// One problem with one field, as the API sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = FieldError))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrorBody {
    /// Dotted path of the field in the request body, e.g. `individual.personal.date_of_birth`.
    pub path: String,
    /// Machine-readable reason.
    pub code: FieldErrorCode,
    /// A sentence for people, in the requested language.
    pub message: String,
}

/// Structured reasons attached to some errors.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorDetails {
    /// The customer's status, for `customer_not_active`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CustomerStatus>,
    /// What stands in the way, e.g. `document:proof_of_address`, `field:<path>`, `review:manual`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_by: Vec<String>,
}

/// Body of `POST /session`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// Sign-in email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// The signed-in user.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// User id.
    pub id: Uuid,
    /// Sign-in email.
    pub email: String,
    /// What the user may do.
    pub role: Role,
    /// The organization's slug.
    pub organization: String,
}

/// `POST /session` and `GET /session`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Who is signed in.
    pub user: SessionUser,
    /// Send back as `X-CSRF-Token` on every unsafe request.
    pub csrf_token: String,
}

/// One event of `GET /events` (and of webhook deliveries): `data` is the customer or card
/// object as the API returns it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiEvent<T> {
    /// Position in the organization's event log; send back as `Last-Event-ID` to resume.
    pub id: String,
    /// `customer.created`, `customer.status_changed`, `customer.requirements_changed`,
    /// `customer.updated`, `customer.renewal_required`, `card.issued` or `card.status_changed`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the change committed.
    pub created_at: DateTime<Utc>,
    /// The object.
    pub data: T,
}

/// `GET /health`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the server can serve requests.
    pub status: String,
    /// Server version.
    pub version: String,
}

/// `GET /ready`: whether this instance can take traffic, check by check.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// `ready` when every check passed, else `not_ready`.
    pub status: String,
    /// Each dependency checked.
    pub checks: Vec<ReadinessCheck>,
}

/// One dependency `GET /ready` checked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessCheck {
    /// `database` or `documents`.
    pub name: String,
    /// Whether it answered.
    pub ok: bool,
    /// What failed, when it did (no paths or secrets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

choice_enum! {
    /// The kinds of event `GET /events` sends and webhooks subscribe to.
    pub enum EventType {
        CustomerCreated = "customer.created" => "Customer created" / "Cliente creado",
        CustomerUpdated = "customer.updated" => "Customer details changed" / "Datos del cliente cambiados",
        CustomerStatusChanged = "customer.status_changed" => "Customer status changed" / "Estado del cliente cambiado",
        CustomerRequirementsChanged = "customer.requirements_changed" => "Customer documents or review changed" / "Documentos o revisión del cliente cambiados",
        CustomerRenewalRequired = "customer.renewal_required" => "Customer's identity document expires or expired" / "El documento de identidad del cliente caduca o ha caducado",
        CardIssued = "card.issued" => "Card issued" / "Tarjeta emitida",
        CardStatusChanged = "card.status_changed" => "Card status changed" / "Estado de la tarjeta cambiado",
    }
}

/// Body of `POST /webhooks`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// Where deliveries are `POST`ed: `https://…` (plain `http://` only to loopback addresses
    /// in sandbox organizations).
    #[serde(default)]
    pub url: Option<String>,
    /// Event types to deliver, at least one.
    #[serde(default)]
    pub events: Option<Vec<String>>,
}

/// A webhook subscription.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// Identifier.
    pub id: Uuid,
    /// Where deliveries go.
    pub url: String,
    /// Subscribed event types.
    pub events: Vec<EventType>,
    /// The signing secret: only in the answer of `POST /webhooks`, never again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// An API key as `GET /keys` lists it. The secret is shown once, when the key is made, and
/// never stored: only its digest is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    /// Identifier (for `DELETE /keys/{id}`).
    pub id: Uuid,
    /// The key's public start, `kyc_<8 hex>`, to recognise it.
    pub prefix: String,
    /// What the key may do.
    pub role: Role,
    /// What the key is for, as given when it was made (may be empty).
    pub label: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last used, to within five minutes; `null` if never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; `null` while it works.
    pub revoked_at: Option<DateTime<Utc>>,
}

choice_enum! {
    /// Where a webhook delivery stands.
    pub enum DeliveryStatus {
        Pending = "pending" => "Waiting for its next attempt" / "Esperando su próximo intento",
        Succeeded = "succeeded" => "Delivered (the receiver answered 2xx)" / "Entregado (el receptor respondió 2xx)",
        Failed = "failed" => "Given up after 24 hours of retries" / "Abandonado tras 24 horas de reintentos",
    }
}

/// One `POST` of an event to a webhook.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when no answer came (timeout, refused connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Why it failed without an answer, e.g. `timed out`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long the receiver took.
    pub duration_ms: u64,
}

/// One event on its way to one webhook, with every attempt so far.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// Identifier.
    pub id: Uuid,
    /// The event's `id` (as in `GET /events`).
    pub event_id: String,
    /// The event's type.
    pub event_type: EventType,
    /// Pending, succeeded or failed.
    pub status: DeliveryStatus,
    /// Attempts, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
    /// When the next attempt is due, while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the event was queued for this webhook.
    pub created_at: DateTime<Utc>,
}
