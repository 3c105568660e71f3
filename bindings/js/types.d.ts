// Generated from kycard's JSON Schemas by `kycard schemas --typescript`. Do not edit.

export type AccountPurpose = "everyday_spending" | "travel" | "online_purchases" | "business_expenses" | "bills_and_subscriptions" | "other";

/**
 * Who did something.
 */
export interface Actor {
  /**
   * The user's or key's id; absent for the system.
   */
  id?: string | null;
  /**
   * System, user or API key.
   */
  kind: ActorKind;
}

export type ActorKind = "system" | "user" | "api_key";

/**
 * A residential address.
 */
export interface AddressData {
  /**
   * City or town.
   */
  city: string;
  /**
   * ISO 3166-1 alpha-2 code.
   */
  country: string;
  /**
   * Street and number.
   */
  line1: string;
  /**
   * Optional second line.
   */
  line2?: string | null;
  /**
   * Postal code in the country's format (optional only where the country has none).
   */
  postal_code?: string | null;
  /**
   * Optional state, province or region.
   */
  region?: string | null;
}

/**
 * `AddressData` for `PATCH`: only the fields sent change; an empty optional text clears it.
 */
export interface AddressPatch {
  /**
   * City or town.
   */
  city?: string | null;
  /**
   * ISO 3166-1 alpha-2 code.
   */
  country?: string | null;
  /**
   * Street and number.
   */
  line1?: string | null;
  /**
   * Optional second line.
   */
  line2?: string | null;
  /**
   * Postal code in the country's format (optional only where the country has none).
   */
  postal_code?: string | null;
  /**
   * Optional state, province or region.
   */
  region?: string | null;
}

/**
 * An API key as `GET /keys` lists it. The secret is shown once, when the key is made, and
 * never stored: only its digest is.
 */
export interface ApiKeyInfo {
  /**
   * When it was made.
   */
  created_at: string;
  /**
   * Identifier (for `DELETE /keys/{id}`).
   */
  id: string;
  /**
   * What the key is for, as given when it was made (may be empty).
   */
  label: string;
  /**
   * When it was last used, to within five minutes; `null` if never.
   */
  last_used_at?: string | null;
  /**
   * The key's public start, `kyc_<8 hex>`, to recognise it.
   */
  prefix: string;
  /**
   * When it was revoked; `null` while it works.
   */
  revoked_at?: string | null;
  /**
   * What the key may do.
   */
  role: Role;
}

/**
 * A card as the API returns it: never the full number.
 */
export interface Card {
  /**
   * Name printed on the card.
   */
  cardholder_name: string;
  /**
   * When it was issued.
   */
  created_at: string;
  /**
   * The cardholder.
   */
  customer_id: string;
  /**
   * Expiry month, 1–12.
   */
  exp_month: number;
  /**
   * Expiry year, four digits.
   */
  exp_year: number;
  /**
   * A `UUIDv7`.
   */
  id: string;
  /**
   * Last four digits of the number.
   */
  last4: string;
  /**
   * Active, frozen or canceled.
   */
  status: CardStatus;
  /**
   * Virtual or physical.
   */
  type: CardType;
}

export type CardStatus = "active" | "frozen" | "canceled";

export type CardType = "virtual";

/**
 * One rule an automatic review measured.
 */
export interface Check {
  /**
   * English explanation.
   */
  message: string;
  /**
   * Stable rule name, e.g. `proof_of_address_age_days`.
   */
  name: string;
  /**
   * Whether the rule held.
   */
  passed: boolean;
  /**
   * The limit it was compared with.
   */
  threshold: string;
  /**
   * What was measured.
   */
  value: string;
}

/**
 * Contact details, always required.
 */
export interface ContactData {
  /**
   * Email address.
   */
  email: string;
  /**
   * Phone number in international (E.164) form.
   */
  phone: string;
}

/**
 * `ContactData` for `PATCH`: only the fields sent change; an empty optional text clears it.
 */
export interface ContactPatch {
  /**
   * Email address.
   */
  email?: string | null;
  /**
   * Phone number in international (E.164) form.
   */
  phone?: string | null;
}

/**
 * Body of `POST /webhooks`.
 */
export interface CreateWebhookRequest {
  /**
   * Event types to deliver, at least one.
   */
  events: EventType[];
  /**
   * Where deliveries are `POST`ed: `https://…` (plain `http://` only to loopback addresses
   * in sandbox organizations).
   */
  url: string;
}

/**
 * A customer as the API returns it.
 */
export interface Customer {
  /**
   * Normalised contact details.
   */
  contact: ContactData;
  /**
   * When it was created.
   */
  created_at: string;
  /**
   * A `UUIDv7`.
   */
  id: string;
  individual?: IndividualData | null;
  /**
   * Whether the customer is in the card program.
   */
  individual_cards: boolean;
  renewal?: Renewal | null;
  /**
   * Documents the customer needs and where each stands.
   */
  requirements?: Requirement[];
  review?: ReviewSummary | null;
  status?: CustomerStatus | null;
  /**
   * When it last changed.
   */
  updated_at: string;
  /**
   * Increases on every change; sent back in `If-Match`.
   */
  version: number;
}

/**
 * Body of `POST /customers` and `PATCH /customers/{id}`; also the editable part of a customer.
 * 
 * On `PATCH`, an absent field keeps its value and an empty optional text clears it.
 */
export interface CustomerData {
  contact: ContactData;
  /**
   * Required when `individual_cards` is true, refused otherwise.
   */
  individual?: IndividualData | null;
  /**
   * Enrols the customer in the individual card program; absent means `false`.
   */
  individual_cards?: boolean | null;
}

/**
 * `CustomerData` for `PATCH`: only the fields sent change; an empty optional text clears it.
 */
export interface CustomerPatch {
  contact?: ContactPatch | null;
  /**
   * Required when `individual_cards` is true, refused otherwise.
   */
  individual?: IndividualPatch | null;
  /**
   * Enrols the customer in the individual card program; absent means `false`.
   */
  individual_cards?: boolean | null;
}

export type CustomerStatus = "pending" | "active" | "rejected";

export type Decision = "approve" | "reject";

/**
 * One `POST` of an event to a webhook.
 */
export interface DeliveryAttempt {
  /**
   * When it was sent.
   */
  at: string;
  /**
   * How long the receiver took.
   */
  duration_ms: number;
  /**
   * Why it failed without an answer, e.g. `timed out`.
   */
  error?: string | null;
  /**
   * The receiver's HTTP status; absent when no answer came (timeout, refused connection).
   */
  status_code?: number | null;
}

export type DeliveryStatus = "pending" | "succeeded" | "failed";

/**
 * An uploaded document as the API returns it.
 */
export interface Document {
  /**
   * What was read inside the file and judged: each quality measure with its threshold
   * (sharpness, exposure, contrast, resolution), a PDF's text, or why nothing could be read.
   */
  checks?: Check[];
  /**
   * Sniffed from the bytes.
   */
  content_type: string;
  /**
   * A `UUIDv7`.
   */
  id: string;
  /**
   * Date printed on a proof of address.
   */
  issued_on?: string | null;
  /**
   * Which requirement it answers.
   */
  kind: DocumentKind;
  /**
   * Whether `GET /documents/{id}/preview` has a picture to show: a downscaled JPEG
   * re-encoded without the original's metadata (no EXIF or GPS).
   */
  preview?: boolean;
  /**
   * Hex SHA-256 of the content.
   */
  sha256: string;
  /**
   * Bytes.
   */
  size: number;
  /**
   * Uploaded, accepted or flagged.
   */
  state: RequirementState;
  /**
   * When it arrived.
   */
  uploaded_at: string;
}

export type DocumentKind = "government_id_front" | "government_id_back" | "passport" | "proof_of_address";

/**
 * The inside of an error response.
 */
export interface ErrorBody {
  /**
   * Stable machine-readable code, e.g. `validation_failed`.
   */
  code: string;
  details?: ErrorDetails | null;
  /**
   * Every field problem, for `validation_failed`.
   */
  fields?: FieldError[] | null;
  /**
   * A sentence for people, in the language `Accept-Language` asked for (English or Spanish).
   */
  message: string;
}

/**
 * Structured reasons attached to some errors.
 */
export interface ErrorDetails {
  /**
   * What stands in the way, e.g. `document:proof_of_address`, `field:<path>`, `review:manual`.
   */
  blocked_by?: string[];
  status?: CustomerStatus | null;
}

/**
 * Every error response: `{"error": {...}}`.
 */
export interface ErrorResponse {
  /**
   * The error.
   */
  error: ErrorBody;
}

export type EventType = "customer.created" | "customer.updated" | "customer.status_changed" | "customer.requirements_changed" | "customer.renewal_required" | "card.issued" | "card.status_changed";

/**
 * One problem with one field, as the API sends it.
 */
export interface FieldError {
  /**
   * Machine-readable reason.
   */
  code: FieldErrorCode;
  /**
   * A sentence for people, in the requested language.
   */
  message: string;
  /**
   * Dotted path of the field in the request body, e.g. `individual.personal.date_of_birth`.
   */
  path: string;
}

export type FieldErrorCode = "required" | "not_allowed" | "too_short" | "too_long" | "invalid_characters" | "invalid_format" | "invalid_email" | "invalid_phone" | "invalid_date" | "in_future" | "too_young" | "too_old" | "invalid_choice" | "invalid_country" | "invalid_postal_code" | "invalid_check_digit" | "expired" | "cannot_disable";

/**
 * Financial information.
 */
export interface FinancialData {
  account_purpose: AccountPurpose;
  annual_salary_range: SalaryRange;
  expected_monthly_volume: MonthlyVolume;
  occupation: Occupation;
}

/**
 * `FinancialData` for `PATCH`: only the fields sent change; an empty optional text clears it.
 */
export interface FinancialPatch {
  account_purpose?: AccountPurpose | null;
  annual_salary_range?: SalaryRange | null;
  expected_monthly_volume?: MonthlyVolume | null;
  occupation?: Occupation | null;
}

/**
 * One thing to correct.
 */
export interface Flag {
  /**
   * Why, from the catalogue.
   */
  code: FlagCode;
  /**
   * A final flag ends the onboarding: no resubmission.
   */
  final?: boolean;
  /**
   * Explanation for the customer; the code's label when left empty.
   */
  message?: string;
  /**
   * What is wrong: `document:<kind>` or `field:<path>`.
   */
  target: string;
}

export type FlagCode = "document_unreadable" | "document_expired" | "document_outdated" | "document_mismatch" | "document_wrong_type" | "document_altered" | "identity_mismatch" | "watchlist_match" | "field_incorrect";

export type Gender = "female" | "male" | "non_binary" | "undisclosed";

/**
 * `GET /health`.
 */
export interface Health {
  /**
   * `ok` when the server can serve requests.
   */
  status: string;
  /**
   * Server version.
   */
  version: string;
}

/**
 * One entry of `GET /customers/{id}/history`.
 */
export interface HistoryEntry {
  /**
   * Who.
   */
  actor: Actor;
  /**
   * When.
   */
  at: string;
  /**
   * What an automatic decision measured.
   */
  checks?: Check[] | null;
  /**
   * What happened, e.g. `document.uploaded`, `status.changed`, `review.decided`.
   */
  event: string;
  /**
   * State before, for changes.
   */
  from?: string | null;
  /**
   * Why, in words.
   */
  reason?: string | null;
  /**
   * State after, for changes.
   */
  to?: string | null;
}

export type IdType = "passport" | "national_id" | "drivers_license" | "residence_permit";

/**
 * What the individual card program requires.
 */
export interface IndividualData {
  financial: FinancialData;
  official_id: OfficialIdData;
  personal: PersonalData;
}

/**
 * `IndividualData` for `PATCH`: only the fields sent change; an empty optional text clears it.
 */
export interface IndividualPatch {
  financial?: FinancialPatch | null;
  official_id?: OfficialIdPatch | null;
  personal?: PersonalPatch | null;
}

/**
 * Body of `POST /customers/{id}/cards`.
 */
export interface IssueCardRequest {
  /**
   * Only `virtual` for now.
   */
  type: CardType;
}

export type MonthlyVolume = "below_1k" | "1k_5k" | "5k_20k" | "above_20k";

export type Occupation = "employee" | "engineer" | "healthcare" | "education" | "finance" | "legal" | "sales" | "hospitality" | "construction" | "public_sector" | "self_employed" | "business_owner" | "student" | "retired" | "unemployed" | "other";

/**
 * The identity document.
 */
export interface OfficialIdData {
  /**
   * `YYYY-MM-DD`, the last day the document is valid.
   */
  expires_on: string;
  /**
   * ISO 3166-1 alpha-2 code of the issuer.
   */
  issuing_country: string;
  /**
   * Document number as printed.
   */
  number: string;
  type: IdType;
}

/**
 * `OfficialIdData` for `PATCH`: only the fields sent change; an empty optional text clears it.
 */
export interface OfficialIdPatch {
  /**
   * `YYYY-MM-DD`, the last day the document is valid.
   */
  expires_on?: string | null;
  /**
   * ISO 3166-1 alpha-2 code of the issuer.
   */
  issuing_country?: string | null;
  /**
   * Document number as printed.
   */
  number?: string | null;
  type?: IdType | null;
}

/**
 * `{"data": [...], "next_cursor": ...}`: every list endpoint.
 */
export interface Page_ApiKeyInfo {
  /**
   * The items.
   */
  data: ApiKeyInfo[];
  /**
   * Pass as `cursor` for the next page; `null` on the last one (always present, so a typed
   * client generated from the `OpenAPI` document sees it).
   */
  next_cursor?: string | null;
}

/**
 * `{"data": [...], "next_cursor": ...}`: every list endpoint.
 */
export interface Page_Card {
  /**
   * The items.
   */
  data: Card[];
  /**
   * Pass as `cursor` for the next page; `null` on the last one (always present, so a typed
   * client generated from the `OpenAPI` document sees it).
   */
  next_cursor?: string | null;
}

/**
 * `{"data": [...], "next_cursor": ...}`: every list endpoint.
 */
export interface Page_Customer {
  /**
   * The items.
   */
  data: Customer[];
  /**
   * Pass as `cursor` for the next page; `null` on the last one (always present, so a typed
   * client generated from the `OpenAPI` document sees it).
   */
  next_cursor?: string | null;
}

/**
 * `{"data": [...], "next_cursor": ...}`: every list endpoint.
 */
export interface Page_Document {
  /**
   * The items.
   */
  data: Document[];
  /**
   * Pass as `cursor` for the next page; `null` on the last one (always present, so a typed
   * client generated from the `OpenAPI` document sees it).
   */
  next_cursor?: string | null;
}

/**
 * `{"data": [...], "next_cursor": ...}`: every list endpoint.
 */
export interface Page_HistoryEntry {
  /**
   * The items.
   */
  data: HistoryEntry[];
  /**
   * Pass as `cursor` for the next page; `null` on the last one (always present, so a typed
   * client generated from the `OpenAPI` document sees it).
   */
  next_cursor?: string | null;
}

/**
 * `{"data": [...], "next_cursor": ...}`: every list endpoint.
 */
export interface Page_Webhook {
  /**
   * The items.
   */
  data: Webhook[];
  /**
   * Pass as `cursor` for the next page; `null` on the last one (always present, so a typed
   * client generated from the `OpenAPI` document sees it).
   */
  next_cursor?: string | null;
}

/**
 * `{"data": [...], "next_cursor": ...}`: every list endpoint.
 */
export interface Page_WebhookDelivery {
  /**
   * The items.
   */
  data: WebhookDelivery[];
  /**
   * Pass as `cursor` for the next page; `null` on the last one (always present, so a typed
   * client generated from the `OpenAPI` document sees it).
   */
  next_cursor?: string | null;
}

/**
 * Personal details.
 */
export interface PersonalData {
  address: AddressData;
  /**
   * `YYYY-MM-DD`.
   */
  date_of_birth: string;
  /**
   * Full name in any script.
   */
  full_name: string;
  gender: Gender;
}

/**
 * `PersonalData` for `PATCH`: only the fields sent change; an empty optional text clears it.
 */
export interface PersonalPatch {
  address?: AddressPatch | null;
  /**
   * `YYYY-MM-DD`.
   */
  date_of_birth?: string | null;
  /**
   * Full name in any script.
   */
  full_name?: string | null;
  gender?: Gender | null;
}

/**
 * `GET /ready`: whether this instance can take traffic, check by check.
 */
export interface Readiness {
  /**
   * Each dependency checked.
   */
  checks: ReadinessCheck[];
  /**
   * `ready` when every check passed, else `not_ready`.
   */
  status: string;
}

/**
 * One dependency `GET /ready` checked.
 */
export interface ReadinessCheck {
  /**
   * What failed, when it did (no paths or secrets).
   */
  message?: string | null;
  /**
   * `database` or `documents`.
   */
  name: string;
  /**
   * Whether it answered.
   */
  ok: boolean;
}

/**
 * An active customer's identity document that expires soon or has expired: a renewed one
 * must be uploaded (and its new expiry entered), then reviewed.
 */
export interface Renewal {
  /**
   * Whether that day has passed: then no new card is issued until the renewal is approved.
   */
  expired: boolean;
  /**
   * The expiry date on file.
   */
  expires_on: string;
}

/**
 * One required document and its state.
 */
export interface Requirement {
  /**
   * Which document.
   */
  document: DocumentKind;
  /**
   * The reviewer's or the automatic check's explanation, when flagged.
   */
  message?: string | null;
  reason?: FlagCode | null;
  /**
   * Missing, uploaded, accepted or flagged.
   */
  state: RequirementState;
}

export type RequirementState = "missing" | "uploaded" | "accepted" | "flagged";

/**
 * Body of `POST /customers/{id}/review`.
 */
export interface ReviewDecisionRequest {
  /**
   * Approve or reject.
   */
  decision: Decision;
  /**
   * What to correct; at least one when rejecting.
   */
  flags?: Flag[];
}

export type ReviewStage = "awaiting_documents" | "automatic" | "manual" | "decided";

/**
 * The review part of a customer.
 */
export interface ReviewSummary {
  /**
   * When the last decision was made.
   */
  decided_at?: string | null;
  /**
   * What must be corrected before resubmitting (after a rejection).
   */
  flags: Flag[];
  /**
   * False after a final rejection: nothing more can be resubmitted.
   */
  resubmittable: boolean;
  /**
   * Where the review stands.
   */
  stage: ReviewStage;
}

export type Role = "operator" | "reviewer" | "admin";

export type SalaryRange = "below_25k" | "25k_50k" | "50k_100k" | "100k_200k" | "above_200k";

/**
 * The list of schemas.
 */
export interface SchemaIndex {
  /**
   * The dialect, `https://json-schema.org/draft/2020-12/schema`.
   */
  dialect: string;
  /**
   * Every wire type's schema.
   */
  schemas: SchemaLink[];
}

/**
 * One entry of the schema list.
 */
export interface SchemaLink {
  /**
   * The wire type, e.g. `CustomerData`.
   */
  name: string;
  /**
   * Where its schema is served.
   */
  url: string;
}

/**
 * `POST /session` and `GET /session`.
 */
export interface SessionInfo {
  /**
   * Send back as `X-CSRF-Token` on every unsafe request.
   */
  csrf_token: string;
  /**
   * Who is signed in.
   */
  user: SessionUser;
}

/**
 * The signed-in user.
 */
export interface SessionUser {
  /**
   * Sign-in email.
   */
  email: string;
  /**
   * User id.
   */
  id: string;
  /**
   * The organization's slug.
   */
  organization: string;
  /**
   * What the user may do.
   */
  role: Role;
}

/**
 * Body of `POST /session`.
 */
export interface SignInRequest {
  /**
   * Sign-in email.
   */
  email: string;
  /**
   * Password.
   */
  password: string;
}

/**
 * Body of `POST /simulate/customers/{id}/review`.
 */
export interface SimulateRequest {
  /**
   * `approve`, `reject` or `manual`.
   */
  outcome: SimulatedOutcome;
}

export type SimulatedOutcome = "approve" | "reject" | "manual";

/**
 * A webhook subscription.
 */
export interface Webhook {
  /**
   * When it was made.
   */
  created_at: string;
  /**
   * Subscribed event types.
   */
  events: EventType[];
  /**
   * Identifier.
   */
  id: string;
  /**
   * The signing secret: only in the answer of `POST /webhooks`, never again.
   */
  secret?: string | null;
  /**
   * Where deliveries go.
   */
  url: string;
}

/**
 * One event on its way to one webhook, with every attempt so far.
 */
export interface WebhookDelivery {
  /**
   * Attempts, oldest first.
   */
  attempts: DeliveryAttempt[];
  /**
   * When the event was queued for this webhook.
   */
  created_at: string;
  /**
   * The event's `id` (as in `GET /events`).
   */
  event_id: string;
  /**
   * The event's type.
   */
  event_type: EventType;
  /**
   * Identifier.
   */
  id: string;
  /**
   * When the next attempt is due, while pending.
   */
  next_attempt_at?: string | null;
  /**
   * Pending, succeeded or failed.
   */
  status: DeliveryStatus;
}
