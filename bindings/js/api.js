// The package's functions over kycard-core compiled to WebAssembly (bindings/src/lib.rs).
// Every decision is core's; this file only moves values across: JSON text in and out, which
// costs less than walking objects field by field across the wasm boundary.
import * as raw from "./wasm/kycard.js";

/** The languages messages come in. */
export const locales = Object.freeze(["en", "es"]);

const pad = (n) => String(n).padStart(2, "0");

/** Today's date where the code runs, as `YYYY-MM-DD` (core takes "today" as an argument). */
function localDate(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function dateArgument(name, value) {
  if (value === undefined || value === null) return localDate(new Date());
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`${name}: an invalid Date`);
    return localDate(value);
  }
  if (typeof value === "string") return value;
  throw new TypeError(`${name}: a "YYYY-MM-DD" string or a Date, not ${typeof value}`);
}

function localeArgument(locale) {
  if (locale === undefined || locale === null) return "en";
  if (typeof locale !== "string") throw new TypeError(`locale: a language tag such as "es", not ${typeof locale}`);
  return locale;
}

function objectArgument(name, value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${name}: a plain object, not ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
  }
  return JSON.stringify(value);
}

/** Calls into wasm, turning its errors (bad input) into TypeErrors. */
function call(fn) {
  try {
    return fn();
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw new TypeError(error?.message ?? String(error));
  }
}

/**
 * Checks a customer as the server does on `POST /customers`.
 * @returns `{ ok: true, value, errors: [] }` with the normalised customer, or
 *          `{ ok: false, errors: [{ path, code, message }] }` listing every problem.
 */
export function validateCustomer(input, today, locale) {
  const body = objectArgument("input", input);
  return JSON.parse(call(() => raw.validate(body, dateArgument("today", today), localeArgument(locale))));
}

/**
 * Applies a `PATCH` body to a customer's data (absent fields keep their value, an empty
 * optional text clears it) and checks the result, as the server does.
 */
export function applyPatch(current, patch, today, locale) {
  const base = objectArgument("current", current);
  const change = objectArgument("patch", patch);
  return JSON.parse(call(() => raw.patch(base, change, dateArgument("today", today), localeArgument(locale))));
}

/**
 * The documents a customer needs, in checklist order: `[]` outside the card program, `null`
 * until the customer passes `validateCustomer`.
 */
export function requiredDocuments(profile, today, locale) {
  const body = objectArgument("profile", profile);
  return JSON.parse(call(() => raw.requiredDocuments(body, dateArgument("today", today), localeArgument(locale))));
}

/**
 * Whether a customer (as `GET /customers/{id}` returns it) may get a card:
 * `{ allowed, blocked_by, code?, message? }`, what `POST /customers/{id}/cards` would answer.
 */
export function cardEligibility(customer, locale) {
  const body = objectArgument("customer", customer);
  return JSON.parse(call(() => raw.eligibility(body, localeArgument(locale))));
}

/** Whether a proof of address issued on `issuedOn` is current: `current`, `outdated` or `issued_in_future`. */
export function proofOfAddress(issuedOn, today) {
  return call(() => raw.proofOfAddress(dateArgument("issuedOn", issuedOn), dateArgument("today", today)));
}

function bytesArgument(name, value) {
  if (value instanceof Uint8Array || value instanceof Uint8ClampedArray) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${name}: a Uint8Array, Uint8ClampedArray or ArrayBuffer`);
}

/** The type of a file judged from its first bytes: a JPEG, PNG, WebP or PDF content type, or `null`. */
export function sniffContentType(bytes) {
  return raw.sniffContentType(bytesArgument("bytes", bytes)) ?? null;
}

function dimension(name, value, max) {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new TypeError(`${name}: an integer from 0 to ${max}`);
  return value;
}

/**
 * Measures a photo of a document (pixels as a canvas's `ImageData` holds them, or 1 to 4
 * channels) and judges it for `kind` as the server will: `{ measures, rules, problem, message? }`.
 */
export function measureQuality(pixels, kind, locale) {
  if (pixels === null || typeof pixels !== "object") throw new TypeError("pixels: { width, height, data, channels? }");
  const width = dimension("pixels.width", pixels.width, 0xffffffff);
  const height = dimension("pixels.height", pixels.height, 0xffffffff);
  const channels = dimension("pixels.channels", pixels.channels ?? 4, 255);
  const data = bytesArgument("pixels.data", pixels.data);
  if (typeof kind !== "string") throw new TypeError("kind: a document kind such as \"passport\"");
  return JSON.parse(call(() => raw.measureQuality(width, height, channels, data, kind, localeArgument(locale))));
}

/** Judges measures (as `measureQuality` gives them) for `kind`. */
export function judgeQuality(measures, kind, locale) {
  const body = objectArgument("measures", measures);
  if (typeof kind !== "string") throw new TypeError("kind: a document kind such as \"passport\"");
  return JSON.parse(call(() => raw.judgeQuality(body, kind, localeArgument(locale))));
}

const cached = new Map();

function once(key, make) {
  if (!cached.has(key)) cached.set(key, deepFreeze(JSON.parse(make())));
  return cached.get(key);
}

function deepFreeze(value) {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Every closed list of the API (`gender`, `id_type`, `country`, ...) with its labels in `locale`. */
export function choices(locale) {
  const tag = localeArgument(locale);
  return once(`choices:${tag}`, () => raw.choices(tag));
}

/** Every field of a customer, by request path in form order, with its label in `locale`: `[{ path, label }]`. */
export function fieldLabels(locale) {
  const tag = localeArgument(locale);
  return once(`fields:${tag}`, () => raw.fieldLabels(tag));
}

/** Every error code with its meaning in `locale`: `{ api: [{ code, status, message }], field: [{ code, message }] }`. */
export function errorCatalogue(locale) {
  const tag = localeArgument(locale);
  return once(`errors:${tag}`, () => raw.errorCatalogue(tag));
}

/** The supported locale among language tags in order of preference (e.g. `navigator.languages`), else `"en"`. */
export function negotiateLocale(tags) {
  const list = typeof tags === "string" ? [tags] : Array.from(tags ?? [], String);
  return raw.negotiateLocale(list.join(","));
}
