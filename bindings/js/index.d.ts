// The functions of @kycard/core. The wire types (CustomerData, Customer, ...) are generated
// from the server's JSON Schemas into types.d.ts.
import type {
  CustomerData,
  Customer,
  DocumentKind,
  FieldError,
  FieldErrorCode,
} from "./types.js";

export type * from "./types.js";

/** A language messages come in. */
export type Locale = "en" | "es";
/** A language tag: `"es"`, `"es-MX"`, ... Anything else means English. */
export type LocaleTag = Locale | (string & {});
/** A calendar day: `"YYYY-MM-DD"` or a `Date` (its local day). Omitted: today where the code runs. */
export type Day = string | Date;

/** The languages messages come in. */
export declare const locales: readonly Locale[];

/** What `validateCustomer` and `applyPatch` answer. */
export type ValidationResult =
  | { ok: true; value: CustomerData; errors: [] }
  | { ok: false; value?: undefined; errors: FieldError[] };

/**
 * Checks a customer as the server does on `POST /customers`, returning every problem at once.
 * Throws a `TypeError` for a value of the wrong JSON type or an unknown field (what the server
 * answers with `400 malformed_request`).
 */
export declare function validateCustomer(input: CustomerData, today?: Day, locale?: LocaleTag): ValidationResult;

/** Applies a `PATCH` body to a customer's data and checks the result, as the server does. */
export declare function applyPatch(
  current: CustomerData,
  patch: CustomerData,
  today?: Day,
  locale?: LocaleTag,
): ValidationResult;

/** One document a customer needs. */
export interface RequiredDocument {
  kind: DocumentKind;
  /** Its name for people, in the requested language. */
  label: string;
}

/** The documents a customer needs, in checklist order: `[]` outside the card program, `null` until the customer is valid. */
export declare function requiredDocuments(profile: CustomerData, today?: Day, locale?: LocaleTag): RequiredDocument[] | null;

/** Whether a card may be issued, as `POST /customers/{id}/cards` would answer. */
export type CardEligibility =
  | { allowed: true; blocked_by: [] }
  | {
      allowed: false;
      /** What stands in the way: `document:<kind>`, `field:<path>`, `review:<stage>`, `renewal:official_id`, ... */
      blocked_by: string[];
      /** The API error code of the refusal. */
      code: "customer_not_active" | "individual_cards_not_enabled" | "official_id_expired";
      /** What the code means, in the requested language. */
      message: string;
    };

/** Whether a customer (as `GET /customers/{id}` returns it) may get a card. */
export declare function cardEligibility(customer: Customer, locale?: LocaleTag): CardEligibility;

/** Whether a proof of address issued on `issuedOn` is current on `today`. */
export declare function proofOfAddress(issuedOn: Day, today?: Day): "current" | "outdated" | "issued_in_future";

/** A content type kycard accepts, judged from a file's first bytes. */
export type ContentType = "image/jpeg" | "image/png" | "image/webp" | "application/pdf";

/** The type of a file judged from its first bytes (the first 16 are enough), or `null`. */
export declare function sniffContentType(bytes: Uint8Array | Uint8ClampedArray | ArrayBuffer | ArrayBufferView): ContentType | null;

/** Pixels as a canvas gives them (`ImageData`: 4 channels), or 1 to 3 channels. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  /** 1 (gray), 2 (gray and alpha), 3 (RGB) or 4 (RGBA, the default). */
  channels?: 1 | 2 | 3 | 4;
}

/** A quality rule of core. */
export type QualityRule = "resolution" | "underexposure" | "overexposure" | "contrast" | "sharpness";

/** What core measured in a picture. */
export interface QualityMeasures {
  /** The original width, in pixels. */
  width: number;
  /** The original height, in pixels. */
  height: number;
  /** Standard deviation of brightness (0–255). */
  contrast: number;
  /** Variance of the Laplacian at working size. */
  sharpness: number;
  /** Share (0–1) of under-exposed pixels. */
  dark_share: number;
  /** Share (0–1) of over-exposed pixels. */
  bright_share: number;
}

/** One rule's verdict on a picture. */
export interface QualityVerdict {
  rule: QualityRule;
  passed: boolean;
  /** What was measured, in words (`"812 px"`, `"3.2 %"`). */
  value: string;
  /** The limit, in words, with the rules' version. */
  threshold: string;
  /** What a person reads, in the requested language. */
  message: string;
}

/** A picture's measures and the verdict of every rule that applies to its document kind. */
export interface QualityReport {
  measures: QualityMeasures;
  rules: QualityVerdict[];
  /** The first rule the picture fails, or `null` when it is good enough to send. */
  problem: QualityRule | null;
  /** What to tell the person about `problem`. */
  message?: string;
}

/** Measures a photo of a document and judges it for `kind`, as the server will. */
export declare function measureQuality(pixels: Pixels, kind: DocumentKind, locale?: LocaleTag): QualityReport;

/** Judges measures (as `measureQuality` gives them) for `kind`. */
export declare function judgeQuality(measures: QualityMeasures, kind: DocumentKind, locale?: LocaleTag): QualityReport;

/** One value of a closed list and its label. */
export interface Choice<T extends string = string> {
  value: T;
  label: string;
}

/** Every closed list of the API, with labels in one language. */
export interface Choices {
  gender: readonly Choice<import("./types.js").Gender>[];
  id_type: readonly Choice<import("./types.js").IdType>[];
  occupation: readonly Choice<import("./types.js").Occupation>[];
  annual_salary_range: readonly Choice<import("./types.js").SalaryRange>[];
  account_purpose: readonly Choice<import("./types.js").AccountPurpose>[];
  expected_monthly_volume: readonly Choice<import("./types.js").MonthlyVolume>[];
  /** ISO 3166-1 alpha-2 codes with their short names. */
  country: readonly Choice[];
  document_kind: readonly Choice<DocumentKind>[];
}

/** Every closed list of the API with its labels in `locale`. */
export declare function choices(locale?: LocaleTag): Choices;

/** One field of a customer and its label. */
export interface FieldLabel {
  /** The request path, as field errors name it: `contact.email`, `individual.personal.full_name`, ... */
  path: string;
  label: string;
}

/** Every field of a customer, by request path in form order, with its label in `locale`. */
export declare function fieldLabels(locale?: LocaleTag): readonly FieldLabel[];

/** The error codes of the API and of fields, with what each means. */
export interface ErrorCatalogue {
  api: readonly { code: string; status: number; message: string }[];
  field: readonly { code: FieldErrorCode; message: string }[];
}

/** Every error code with its meaning in `locale`. */
export declare function errorCatalogue(locale?: LocaleTag): ErrorCatalogue;

/** The supported locale among language tags in order of preference (e.g. `navigator.languages`), else `"en"`. */
export declare function negotiateLocale(tags: string | readonly string[]): Locale;
