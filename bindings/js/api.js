// The package's functions over kycard-core compiled to WebAssembly (bindings/src/lib.rs).
// Every decision is core's; this file only moves values across: a customer's data as a mask
// and its values' UTF-8, written straight into the wasm's memory; answers as flat text
// (fields separated by US, \x1f; records by RS, \x1e; groups of records by GS, \x1d); other
// values as numbers. That costs a fraction of JSON both ways; bindings/src/lib.rs explains
// the layout and gives the measures.
import * as raw from "./wasm/kycard.js";

/** The languages messages come in. */
export const locales = Object.freeze(["en", "es"]);

const US = "\x1f";
const RS = "\x1e";
const GS = "\x1d";

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
  return value;
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

// ---- JSON types, as JSON.stringify would hand them to a JSON parser ---------------------------

/**
 * The value JSON.stringify would write for `value` under `key`: `toJSON` called, wrapper
 * objects unwrapped, non-finite numbers `null`, and `undefined` for what it leaves out
 * (functions, symbols). Only met off the fast paths, for values that are not plain.
 */
function jsonValue(value, key) {
  if (value !== null && typeof value === "object" && typeof value.toJSON === "function") value = value.toJSON(key);
  if (value instanceof Number) value = Number(value);
  else if (value instanceof String) value = String(value);
  else if (value instanceof Boolean) value = value.valueOf();
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      throw new TypeError(`${key}: a BigInt has no JSON form`);
    case "function":
    case "symbol":
      return undefined;
    default:
      return value;
  }
}

/** A JSON value in words, for an error message. */
function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case "object":
      return "an object";
    default:
      return `${typeof value} ${value}`;
  }
}

function wrongType(path, expected, value) {
  return new TypeError(value === undefined ? `${path}: missing, expected ${expected}` : `${path}: expected ${expected}, not ${describe(value)}`);
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

// ---- a customer's data, flat ----------------------------------------------------------------

const OBJECT = 0;
const TEXT = 1;
const SWITCH = 2;

let layout;

/**
 * The shape of a customer's data (`CustomerData`), from core's paths: a tree of objects (by
 * key, their children in the order the server sends them), text fields (with the index of
 * their value) and the `individual_cards` switch, each with its bit in the mask that says
 * what was given. Read once, on first use: the wasm is not ready while the modules load.
 */
function customerLayout() {
  if (layout) return layout;
  const [[switchPath], fieldPaths, objectPaths] = raw.fieldPaths().split(RS).map((record) => record.split(US));
  const textPaths = fieldPaths.filter((path) => path !== switchPath);
  const root = { kind: OBJECT, bit: 0, children: Object.create(null), order: [] };
  const nodes = new Map([["", root]]);
  const add = (path, made) => {
    const dot = path.lastIndexOf(".");
    const parentPath = path.slice(0, Math.max(dot, 0));
    const parent = nodes.get(parentPath) ?? add(parentPath, objectNode(parentPath));
    made.key = path.slice(dot + 1);
    parent.children[made.key] = made;
    parent.order.push(made);
    nodes.set(path, made);
    return made;
  };
  const objectNode = (path) => {
    const index = objectPaths.indexOf(path);
    if (index === -1) throw new Error(`kycard: ${path} is not among core's objects`);
    return { kind: OBJECT, bit: 1 << (textPaths.length + index), children: Object.create(null), order: [] };
  };
  const switchBit = 1 << (textPaths.length + objectPaths.length);
  for (const path of fieldPaths) {
    const index = textPaths.indexOf(path);
    add(path, index === -1 ? { kind: SWITCH, bit: switchBit } : { kind: TEXT, bit: 1 << index, index });
  }
  for (const node of nodes.values()) if (node.kind === OBJECT) node.expected = node.order.map((c) => c.key).join(", ");
  layout = { root, textPaths, switchOn: switchBit * 2, builders: new Map() };
  layout.read = compile(["isPlain", "keys"], readerSource(layout))?.(isPlain, Object.keys) ?? null;
  return layout;
}

// ---- code generated from the layout ---------------------------------------------------------
//
// Reading a customer's fields by a key held in a variable, and adding them to new objects the
// same way, costs V8 a dictionary lookup per field: building a customer took 0.56 µs so,
// against 0.013 µs for an object literal. Where the page allows it (a Content Security Policy
// without 'unsafe-eval' does not), the layout is turned once into functions that read and
// build customers with the keys written out, as zod 4 and ajv do with their schemas. The code
// holds only core's field names, quoted; values are arguments. Without it, the loops below
// give the same answers, more slowly (a test runs every vector both ways).

/** A function made from source, or `undefined` where the page forbids making code. */
function compile(parameters, body) {
  try {
    return new Function(...parameters, body);
  } catch {
    return undefined;
  }
}

/**
 * The source of `quickObject` for the root, unrolled: each known key read by name, each
 * object's own keys counted against the known ones it holds (one more is an unknown field, or
 * a known one set to `undefined`: both take the exact walk).
 */
function readerSource({ root, switchOn }) {
  const walk = (node, object, depth) => {
    const [x, n] = [`x${depth}`, `n${depth}`];
    const lines = [`let ${n} = 0, ${x};`];
    for (const child of node.order) {
      lines.push(`${x} = ${object}[${JSON.stringify(child.key)}];`, `if (${x} !== undefined) { ${n}++; if (${x} !== null) {`);
      if (child.kind === TEXT) lines.push(`if (typeof ${x} !== "string") return -1; v[${child.index}] = ${x}; m |= ${child.bit};`);
      else if (child.kind === SWITCH) lines.push(`if (typeof ${x} !== "boolean") return -1; m |= ${x} ? ${child.bit | switchOn} : ${child.bit};`);
      else lines.push(`if (!isPlain(${x})) return -1; m |= ${child.bit}; {`, ...walk(child, x, depth + 1), "}");
      lines.push("} }");
    }
    lines.push(`if (keys(${object}).length !== ${n}) return -1;`);
    return lines;
  };
  return `return function read(o, v) {\nlet m = 0;\n${walk(root, "o", 0).join("\n")}\nreturn m;\n};`;
}

/** The source of an object literal holding what `mask` says, text fields from `v`. */
function literalSource(node, mask) {
  const members = node.order
    .filter((child) => mask & child.bit)
    .map((child) => {
      const value =
        child.kind === OBJECT ? literalSource(child, mask) : child.kind === TEXT ? `v[${child.index}]` : String((mask & layout.switchOn) !== 0);
      return `${JSON.stringify(child.key)}: ${value}`;
    });
  return `{ ${members.join(", ")} }`;
}

/** How many masks get a builder of their own: a form sends a few shapes, not thousands. */
const BUILDERS = 64;

/** A customer's data: what `mask` says it holds, text fields' `values` by index. */
function customerData(mask, values) {
  let build = layout.builders.get(mask);
  if (build === undefined && layout.read !== null && layout.builders.size < BUILDERS) {
    build = compile(["v"], `return ${literalSource(layout.root, mask)};`);
    if (build) layout.builders.set(mask, build);
  }
  return build ? build(values) : buildObject(mask, values, layout.root);
}

/** Whether JSON.stringify writes `value` as the very object it is: a plain object, no `toJSON`. */
function isPlain(value) {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && value.toJSON === undefined;
}

/**
 * A customer's data as `[values, mask]`, its JSON types checked as the server's parser
 * checks them (unknown fields refused at every level): a wrong type is a TypeError naming its
 * path under `name`. `values` holds the text fields' values by index, as far as `mask` gives
 * them.
 */
function flatCustomer(name, input) {
  const { root, textPaths } = customerLayout();
  const values = new Array(textPaths.length);
  objectArgument(name, input);
  // Plain data takes the quick walk; anything else (an unknown field, a wrong type, a class
  // instance, `toJSON`) the exact one, which reads what JSON.stringify would write and finds
  // the first problem the server's parser would.
  let mask = isPlain(input) ? (layout.read ? layout.read(input, values) : quickObject(root, input, values)) : -1;
  if (mask < 0) {
    const object = jsonValue(input, "");
    if (!isObject(object)) throw wrongType(name, "a plain object", object);
    mask = exactObject(root, object, name, values);
  }
  return [values, mask >>> 0];
}

/** The wasm's memory, and a view of it as bytes (renewed when the memory grows). */
let memory;
let memoryBytes = new Uint8Array(0);
/** Where wasm reads a call's input, and how many bytes it has room for there. */
let inputAt = 0;
let inputRoom = 0;

/** The most bytes `writeText` may write for a text. */
const roomFor = (text) => 4 + 3 * text.length;

/** The most bytes `writeCustomer` may write for a customer's values. */
function roomForCustomer(values, mask) {
  let most = 0;
  for (let i = 0; i < values.length; i++) if (mask & (1 << i)) most += roomFor(values[i]);
  return most;
}

/**
 * Writes a call's input where wasm reads it (bindings/src/lib.rs, `input`): the given values
 * of one or two customers, then `today` and the locale tag, each as its length in bytes (32
 * bits, little endian) then its UTF-8. One pass over the characters, straight into the wasm's
 * memory: no copy, no allocation per text, no character escaped. Answers the length written.
 */
function writeInput(today, locale, name, values, mask, name2, values2, mask2) {
  const most =
    roomFor(today) + roomFor(locale) + roomForCustomer(values, mask) + (values2 ? roomForCustomer(values2, mask2) : 0);
  if (most > inputRoom) {
    inputAt = raw.input(most);
    inputRoom = most;
  }
  memory ??= raw.wasmMemory();
  if (memoryBytes.buffer !== memory.buffer) memoryBytes = new Uint8Array(memory.buffer);
  let at = writeCustomer(inputAt, name, values, mask);
  if (values2) at = writeCustomer(at, name2, values2, mask2);
  at = writeText(at, today, "today");
  at = writeText(at, locale, "locale");
  return at - inputAt;
}

/** Writes a customer's given values from `at` and answers where the next text goes. */
function writeCustomer(at, name, values, mask) {
  for (let i = 0; i < values.length; i++) if (mask & (1 << i)) at = writeText(at, values[i], name, i);
  return at;
}

/** Writes one text at `at` (its length, then its UTF-8) and answers where the next one goes. */
function writeText(at, value, name, field) {
  const out = memoryBytes;
  const start = at;
  at += 4;
  for (let j = 0; j < value.length; j++) {
    let unit = value.charCodeAt(j);
    if (unit < 0x80) {
      out[at++] = unit;
    } else if (unit < 0x800) {
      out[at++] = 0xc0 | (unit >> 6);
      out[at++] = 0x80 | (unit & 0x3f);
    } else if ((unit & 0xf800) !== 0xd800) {
      out[at++] = 0xe0 | (unit >> 12);
      out[at++] = 0x80 | ((unit >> 6) & 0x3f);
      out[at++] = 0x80 | (unit & 0x3f);
    } else {
      // A surrogate: text only in a pair, high then low.
      const low = value.charCodeAt(j + 1);
      if (unit >= 0xdc00 || (low & 0xfc00) !== 0xdc00) {
        const where = field === undefined ? name : `${name}.${layout.textPaths[field]}`;
        throw new TypeError(`${where}: a string with a lone surrogate, which is not text`);
      }
      unit = 0x10000 + ((unit & 0x3ff) << 10) + (low & 0x3ff);
      out[at++] = 0xf0 | (unit >> 18);
      out[at++] = 0x80 | ((unit >> 12) & 0x3f);
      out[at++] = 0x80 | ((unit >> 6) & 0x3f);
      out[at++] = 0x80 | (unit & 0x3f);
      j++;
    }
  }
  const length = at - start - 4;
  out[start] = length;
  out[start + 1] = length >>> 8;
  out[start + 2] = length >>> 16;
  out[start + 3] = length >>> 24;
  return at;
}

/** The mask of a plain object's fields, its values put in `values`; -1 for anything else. */
function quickObject(node, object, values) {
  const keys = Object.keys(object);
  const { order, children } = node;
  let mask = node.bit;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    // Keys mostly come in the server's order: a comparison saves a lookup.
    const child = order[i] !== undefined && order[i].key === key ? order[i] : children[key];
    if (child === undefined) return -1;
    const value = object[key];
    if (value === undefined || value === null) continue;
    if (child.kind === TEXT) {
      if (typeof value !== "string") return -1;
      values[child.index] = value;
      mask |= child.bit;
    } else if (child.kind === OBJECT) {
      if (!isPlain(value)) return -1;
      const inner = quickObject(child, value, values);
      if (inner < 0) return -1;
      mask |= inner;
    } else {
      if (typeof value !== "boolean") return -1;
      mask |= value ? child.bit | layout.switchOn : child.bit;
    }
  }
  return mask;
}

/** `quickObject` for any object, in key order as JSON.stringify writes it and serde reads it. */
function exactObject(node, object, where, values) {
  let mask = node.bit;
  for (const key of Object.keys(object)) {
    const value = jsonValue(object[key], key);
    // JSON.stringify leaves out what has no JSON form (undefined, functions, symbols).
    if (value === undefined) continue;
    const child = node.children[key];
    if (child === undefined) throw new TypeError(`${where}.${key}: unknown field (expected one of ${node.expected})`);
    if (value === null) continue;
    if (child.kind === TEXT) {
      if (typeof value !== "string") throw wrongType(`${where}.${key}`, "a string or null", value);
      values[child.index] = value;
      mask |= child.bit;
    } else if (child.kind === OBJECT) {
      if (!isObject(value)) throw wrongType(`${where}.${key}`, "an object or null", value);
      mask |= exactObject(child, value, `${where}.${key}`, values);
    } else {
      if (typeof value !== "boolean") throw wrongType(`${where}.${key}`, "a boolean or null", value);
      mask |= value ? child.bit | layout.switchOn : child.bit;
    }
  }
  return mask;
}

/**
 * A checked customer's normalised data from its flat form: the mask of what it holds, the
 * mask of the values that differ from those `sent` (in field order), then those values.
 */
function customerFromFlat(text, sent) {
  const parts = text.split(US);
  const changed = Number(parts[1]);
  const values = new Array(layout.textPaths.length);
  for (let i = 0, next = 2; i < values.length; i++) values[i] = changed & (1 << i) ? parts[next++] : sent[i];
  return customerData(Number(parts[0]), values);
}

/** `customerData` with a loop: the object `node` holding what `mask` says. */
function buildObject(mask, values, node) {
  const object = {};
  for (const child of node.order) {
    if ((mask & child.bit) === 0) continue;
    if (child.kind === OBJECT) object[child.key] = buildObject(mask, values, child);
    else if (child.kind === TEXT) object[child.key] = values[child.index];
    else object[child.key] = (mask & layout.switchOn) !== 0;
  }
  return object;
}

/** Records of flat text, each split into its fields; none in an empty text. */
const records = (text) => (text === "" ? [] : text.split(RS).map((record) => record.split(US)));

/**
 * What `validateCustomer` and `applyPatch` answer, from wasm's flat answer and the data sent
 * (`values` and `mask`): no answer means the data sent is valid and already normalised.
 */
function validation(text, values, mask) {
  if (text === undefined) return { ok: true, value: customerData(mask, values), errors: [] };
  if (text.charCodeAt(0) === 0x1e) {
    return { ok: false, errors: records(text.slice(1)).map(([path, code, message]) => ({ path, code, message })) };
  }
  return { ok: true, value: customerFromFlat(text, values), errors: [] };
}

/**
 * Checks a customer as the server does on `POST /customers`.
 * @returns `{ ok: true, value, errors: [] }` with the normalised customer, or
 *          `{ ok: false, errors: [{ path, code, message }] }` listing every problem.
 */
export function validateCustomer(input, today, locale) {
  const [values, mask] = flatCustomer("input", input);
  const length = writeInput(dateArgument("today", today), localeArgument(locale), "input", values, mask);
  return validation(call(() => raw.validate(length, mask)), values, mask);
}

/**
 * Applies a `PATCH` body to a customer's data (absent fields keep their value, an empty
 * optional text clears it) and checks the result, as the server does.
 */
export function applyPatch(current, patch, today, locale) {
  const [baseValues, baseMask] = flatCustomer("current", current);
  const [changeValues, changeMask] = flatCustomer("patch", patch);
  const length = writeInput(dateArgument("today", today), localeArgument(locale), "current", baseValues, baseMask, "patch", changeValues, changeMask);
  // Only wasm has the merged data: it always answers, every value included.
  return validation(call(() => raw.patch(length, baseMask, changeMask)), [], 0);
}

/**
 * The documents a customer needs, in checklist order: `[]` outside the card program, `null`
 * until the customer passes `validateCustomer`.
 */
export function requiredDocuments(profile, today, locale) {
  const [values, mask] = flatCustomer("profile", profile);
  const length = writeInput(dateArgument("today", today), localeArgument(locale), "profile", values, mask);
  const text = call(() => raw.requiredDocuments(length, mask));
  return text === undefined ? null : records(text).map(([kind, label]) => ({ kind, label }));
}

// ---- card eligibility -------------------------------------------------------------------------

/** A value read from JSON-like input. */
const field = (object, key) => jsonValue(object[key], key);

/** `value` under `path` as a string, US and RS (which no valid value holds) shown as U+FFFD. */
function stringAt(path, value, expected) {
  if (typeof value !== "string") throw wrongType(path, expected, value);
  return /[\x1e\x1f]/.test(value) ? value.replace(/[\x1e\x1f]/g, "\uFFFD") : value;
}

function booleanAt(path, value) {
  if (typeof value !== "boolean") throw wrongType(path, "a boolean", value);
  return value;
}

/** An optional object under `path`: `undefined` when absent or null. */
function optionalObject(path, value) {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw wrongType(path, "an object or null", value);
  return value;
}

/** The objects of an optional list under `path`. */
function objectList(path, value) {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw wrongType(path, "an array", value);
  return value.map((item, i) => {
    const object = jsonValue(item, String(i));
    if (!isObject(object)) throw wrongType(`${path}[${i}]`, "an object", object);
    return object;
  });
}

/**
 * Whether a customer (as `GET /customers/{id}` returns it) may get a card:
 * `{ allowed, blocked_by, code?, message? }`, what `POST /customers/{id}/cards` would answer.
 */
export function cardEligibility(customer, locale) {
  objectArgument("customer", customer);
  const id = stringAt("customer.id", field(customer, "id"), "a UUID string");
  const status = field(customer, "status");
  const review = optionalObject("customer.review", field(customer, "review"));
  const renewal = optionalObject("customer.renewal", field(customer, "renewal"));
  const requirements = objectList("customer.requirements", field(customer, "requirements")).map(
    (r, i) =>
      stringAt(`customer.requirements[${i}].document`, field(r, "document"), "a document kind") +
      US +
      stringAt(`customer.requirements[${i}].state`, field(r, "state"), "a requirement state"),
  );
  const flags = review
    ? objectList("customer.review.flags", field(review, "flags")).map((flag, i) =>
        stringAt(`customer.review.flags[${i}].target`, field(flag, "target"), "a flag target"),
      )
    : [];
  const text = call(() =>
    raw.eligibility(
      id,
      status === undefined || status === null ? undefined : stringAt("customer.status", status, "a status or null"),
      review && stringAt("customer.review.stage", field(review, "stage"), "a review stage"),
      review ? booleanAt("customer.review.resubmittable", field(review, "resubmittable")) : false,
      requirements.join(RS),
      flags.join(US),
      renewal && stringAt("customer.renewal.expires_on", field(renewal, "expires_on"), "a YYYY-MM-DD date"),
      renewal ? booleanAt("customer.renewal.expired", field(renewal, "expired")) : false,
      localeArgument(locale),
    ),
  );
  if (text === "") return { allowed: true, blocked_by: [] };
  const [code, message, ...blockedBy] = text.split(US);
  return { allowed: false, blocked_by: blockedBy, code, message };
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

// ---- picture quality ------------------------------------------------------------------------

function dimension(name, value, max) {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new TypeError(`${name}: an integer from 0 to ${max}`);
  return value;
}

function kindArgument(kind) {
  if (typeof kind !== "string") throw new TypeError("kind: a document kind such as \"passport\"");
  return kind;
}

/** The report on measures: core's verdict on each rule, in `locale`. */
function qualityReport(measures, kind, locale) {
  const { width, height, contrast, sharpness, dark_share, bright_share } = measures;
  const text = call(() =>
    raw.judgeQuality(width, height, contrast, sharpness, dark_share, bright_share, kind, localeArgument(locale)),
  );
  const [[problem, message], ...verdicts] = records(text);
  const report = {
    measures,
    rules: verdicts.map(([rule, passed, value, threshold, advice]) => ({
      rule,
      passed: passed === "1",
      value,
      threshold,
      message: advice,
    })),
    problem: problem || null,
  };
  if (problem) report.message = message;
  return report;
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
  const m = call(() => raw.measureQuality(width, height, channels, data, kindArgument(kind)));
  const measures = { width: m[0], height: m[1], contrast: m[2], sharpness: m[3], dark_share: m[4], bright_share: m[5] };
  return qualityReport(measures, kind, locale);
}

/** A measure read from `measures`: a number (an integer from 0 to 2^32 - 1 for `whole`). */
function measure(measures, key, whole) {
  const given = measures[key];
  const value = jsonValue(given, key);
  if (typeof value !== "number" || (whole && !(Number.isInteger(value) && value >= 0 && value <= 0xffffffff))) {
    // NaN and infinities have no JSON form (null): say what was given.
    throw wrongType(`measures.${key}`, whole ? "an integer from 0 to 4294967295" : "a finite number", typeof given === "number" ? given : value);
  }
  return value;
}

/** Judges measures (as `measureQuality` gives them) for `kind`. */
export function judgeQuality(measures, kind, locale) {
  objectArgument("measures", measures);
  kindArgument(kind);
  const checked = {
    width: measure(measures, "width", true),
    height: measure(measures, "height", true),
    contrast: measure(measures, "contrast", false),
    sharpness: measure(measures, "sharpness", false),
    dark_share: measure(measures, "dark_share", false),
    bright_share: measure(measures, "bright_share", false),
  };
  return qualityReport(checked, kind, locale);
}

// ---- lists, labels and codes ------------------------------------------------------------------

const cached = new Map();

function once(key, make) {
  if (!cached.has(key)) cached.set(key, deepFreeze(make()));
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
  return once(`choices:${tag}`, () =>
    Object.fromEntries(
      raw
        .choices(tag)
        .split(GS)
        .map((group) => {
          const [[name], ...list] = records(group);
          return [name, list.map(([value, label]) => ({ value, label }))];
        }),
    ),
  );
}

/** Every field of a customer, by request path in form order, with its label in `locale`: `[{ path, label }]`. */
export function fieldLabels(locale) {
  const tag = localeArgument(locale);
  return once(`fields:${tag}`, () => records(raw.fieldLabels(tag)).map(([path, label]) => ({ path, label })));
}

/** Every error code with its meaning in `locale`: `{ api: [{ code, status, message }], field: [{ code, message }] }`. */
export function errorCatalogue(locale) {
  const tag = localeArgument(locale);
  return once(`errors:${tag}`, () => {
    const [api, fieldCodes] = raw.errorCatalogue(tag).split(GS).map(records);
    return {
      api: api.map(([code, status, message]) => ({ code, status: Number(status), message })),
      field: fieldCodes.map(([code, message]) => ({ code, message })),
    };
  });
}

/** The supported locale among language tags in order of preference (e.g. `navigator.languages`), else `"en"`. */
export function negotiateLocale(tags) {
  const list = typeof tags === "string" ? [tags] : Array.from(tags ?? [], String);
  return raw.negotiateLocale(list.join(","));
}
