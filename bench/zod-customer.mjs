// kycard's customer validation (core/src/customer.rs and the modules it calls) written as a
// zod 4 schema, for the benchmark in bench/validation.mjs. It follows the Rust rules as closely
// as zod allows: same accepted inputs, same normalised value, every error at once with the same
// paths (kycard's error code in `params.code` where zod's own issue code says less; see
// `toFieldErrors`). Known differences are listed at the end of this file.
import { z } from "zod";

// ---- shared pieces -------------------------------------------------------------------------

const REQUIRED = "This field is required.";

/** Adds a custom issue carrying kycard's error code. */
const fail = (ctx, code, message, path) =>
  ctx.addIssue(path ? { code: "custom", message, params: { code }, path } : { code: "custom", message, params: { code } });

/** A string; absent or null reads as "required" (serde maps both to `None`). */
const str = () => z.string({ error: (iss) => (iss.input == null ? REQUIRED : undefined) });
/** Rust's `str::trim` (Unicode White_Space); JavaScript's `trim()` also strips U+FEFF. */
const EDGE_BLANKS = /^\p{White_Space}+|\p{White_Space}+$/gu;
const rustTrim = (v) => {
  const t = v.trim();
  return t.length === v.length || !v.includes("\uFEFF") ? t : v.replace(EDGE_BLANKS, "");
};
/** `required_text`: trimmed, not blank. */
const requiredText = () => str().overwrite(rustTrim).min(1, REQUIRED);
/** An optional text: absent, null or blank all mean "not given". */
const optionalText = () => z.string().overwrite(rustTrim).nullish();

const WHITE_SPACE_RUNS = /\p{White_Space}+/gu;
/** `collapse`: trimmed, every run of blanks one space. */
const collapse = (v) => rustTrim(v).replace(WHITE_SPACE_RUNS, " ");
const codePoints = (v) => {
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++; // count a surrogate pair once
  }
  return n;
};
const utf8Length = (v) => {
  let n = v.length;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 ? 1 : c >= 0xd800 && c <= 0xdbff ? (i++, 2) : 2;
  }
  return n;
};

/** A closed vocabulary (`choice`): trimmed, then an exact, case-sensitive match. */
const choice = (values) =>
  requiredText().pipe(z.enum(values, { error: `Choose one of: ${values.join(", ")}.` }));

// ---- countries (core/src/country_list.rs: the 249 officially assigned alpha-2 codes) -------

// prettier-ignore
export const COUNTRY_CODES = (
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD " +
  "CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF " +
  "GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
  "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA " +
  "NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI " +
  "SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
  "VN VU WF WS YE YT ZA ZM ZW"
).split(" ");
const COUNTRIES = new Set(COUNTRY_CODES);
const COUNTRY_MESSAGE = "Choose a country (ISO 3166-1 two-letter code, e.g. ES).";

/** A country code in any letter case, surrounding blanks trimmed; upper case out. */
const country = () =>
  requiredText().pipe(
    str()
      .regex(/^[A-Za-z]{2}$/, COUNTRY_MESSAGE)
      .overwrite((v) => v.toUpperCase())
      .refine((v) => COUNTRIES.has(v), { error: COUNTRY_MESSAGE, params: { code: "invalid_country" }, when: clean }),
  );
/** Runs a check only while the value has no issue yet (the Rust rules stop at a field's first problem). */
function clean(payload) {
  return payload.issues.length === 0;
}

// ---- dates -----------------------------------------------------------------------------------

const DATE_MESSAGE = "Enter a real date as YYYY-MM-DD.";
/** `strict_date`: exactly YYYY-MM-DD with ASCII digits and a day that exists (zod's ISO date regex). */
const wireDate = () =>
  requiredText().pipe(str().regex(z.regexes.date, DATE_MESSAGE));

/** `age_on`: whole years; a 29 February birthday is reached on 1 March in common years. */
function ageOn(born, today) {
  const by = +born.slice(0, 4), bm = +born.slice(5, 7), bd = +born.slice(8, 10);
  const had = today.m > bm || (today.m === bm && today.d >= bd);
  return today.y - by - (had ? 0 : 1);
}

// ---- contact (contact.rs) --------------------------------------------------------------------

const EMAIL_MAX = 254;
const LOCAL_MAX = 64;
// Dot-atom local part: ASCII atext or any non-ASCII character that is not a control or a blank.
const LOCAL_PART = /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\x00-\x7F\p{Cc}\p{White_Space}])+(?:\.(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\x00-\x7F\p{Cc}\p{White_Space}])+)*$/u;
// At least two labels of 1–63 letters/digits (any script) and inner hyphens.
const DOMAIN = /^(?:(?!-)[\p{Alpha}\p{N}-]{1,63}(?<!-)\.)+(?!-)[\p{Alpha}\p{N}-]{1,63}(?<!-)$/u;
const NUMERIC_TLD = /\.[0-9]+$/;
const EMAIL_MESSAGE = "Enter an email address like name@example.com.";

function emailProblem(v) {
  if (utf8Length(v) > EMAIL_MAX) return "too_long";
  const at = v.indexOf("@");
  if (at < 0 || v.indexOf("@", at + 1) >= 0) return "invalid_email";
  const local = v.slice(0, at), domain = v.slice(at + 1);
  if (utf8Length(local) > LOCAL_MAX || !LOCAL_PART.test(local)) return "invalid_email";
  if (!DOMAIN.test(domain) || NUMERIC_TLD.test(domain)) return "invalid_email";
  return null;
}

const email = requiredText()
  .superRefine((v, ctx) => {
    if (ctx.issues.length) return;
    const problem = emailProblem(v);
    if (problem === "too_long") fail(ctx, problem, `Must be at most ${EMAIL_MAX} characters.`);
    else if (problem) fail(ctx, problem, EMAIL_MESSAGE);
  })
  // The domain is lower-cased; the local part is kept as typed.
  .overwrite((v) => {
    const at = v.indexOf("@");
    return at < 0 ? v : v.slice(0, at + 1) + v.slice(at + 1).toLowerCase();
  });

const PHONE_MESSAGE = "Enter the number in international format, starting with + and the country code, e.g. +34600111222.";
const PHONE_READABILITY = /[ .\-()]/g;
const phone = requiredText().pipe(
  str()
    .overwrite((v) => v.replace(PHONE_READABILITY, ""))
    .regex(/^\+[1-9][0-9]{6,14}$/, PHONE_MESSAGE),
);

const contactSchema = z.strictObject({ email, phone });

// ---- personal details (person.rs) ------------------------------------------------------------

const NAME_MIN_CHARS = 2;
const NAME_MAX_CHARS = 140;
const ADDRESS_PART_MAX_CHARS = 100;
// ASCII letters, space ' - . ; any non-numeric letter of another script, a combining mark,
// typographic apostrophes, a Unicode hyphen, ZWNJ and ZWJ.
const NAME_CHARACTERS = /^(?:[A-Za-z '.\-’ʼ‐\u200C\u200D\p{M}]|(?!\p{N})\p{Alpha})+$/u;
const A_LETTER = /\p{Alpha}/u;

const fullName = requiredText()
  .overwrite(collapse)
  .superRefine((v, ctx) => {
    if (ctx.issues.length) return;
    if (!NAME_CHARACTERS.test(v) || !A_LETTER.test(v)) {
      fail(ctx, "invalid_characters", "Use letters, spaces, apostrophes, hyphens and dots only.");
      return;
    }
    const n = codePoints(v);
    if (n < NAME_MIN_CHARS) fail(ctx, "too_short", `Must be at least ${NAME_MIN_CHARS} characters.`);
    else if (n > NAME_MAX_CHARS) fail(ctx, "too_long", `Must be at most ${NAME_MAX_CHARS} characters.`);
  });

const GENDERS = ["female", "male", "non_binary", "undisclosed"];

// `plain_text`: no controls other than blanks, no bidirectional controls.
const HIDDEN = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]|(?![\p{White_Space}])\p{Cc}/u;
function checkAddressPart(v, ctx) {
  if (ctx.issues.length || v == null) return;
  if (HIDDEN.test(v)) {
    fail(ctx, "invalid_characters", "Control characters and invisible direction marks are not allowed.");
  } else if (codePoints(v) > ADDRESS_PART_MAX_CHARS) {
    fail(ctx, "too_long", `Must be at most ${ADDRESS_PART_MAX_CHARS} characters.`);
  }
}
const requiredPart = () => requiredText().superRefine(checkAddressPart).overwrite(collapse);
const optionalPart = () => optionalText().superRefine(checkAddressPart);

// ---- postal codes (postal.rs) ----------------------------------------------------------------

// `9` a digit, `A` a letter, `X` either, anything else a literal separator.
// prettier-ignore
const POSTAL_FORMATS = {
  AR: ["9999", "A9999AAA"], AT: ["9999"], AU: ["9999"], BE: ["9999"], BR: ["99999-999"], CA: ["A9A 9A9"],
  CH: ["9999"], CN: ["999999"], CZ: ["999 99"], DE: ["99999"], DK: ["9999"], ES: ["99999"], FI: ["99999"],
  FR: ["99999"], GB: ["A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA"], IE: ["A99 XXXX"],
  IN: ["999999"], IT: ["99999"], JP: ["999-9999"], KR: ["99999"], MX: ["99999"], NL: ["9999 AA"], NO: ["9999"],
  NZ: ["9999"], PL: ["99-999"], PT: ["9999-999"], RU: ["999999"], SE: ["999 99"], SG: ["999999"],
  US: ["99999", "99999-9999"], ZA: ["9999"],
};
const WITHOUT_POSTAL_CODES = new Set(
  ("AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GQ GY HK KI KM KN KP LY ML MO MR MW " +
    "NR NU QA RW SB SC SL SR SS ST SY TD TF TG TK TL TO TV UG VU YE ZW").split(" "),
);
const isSeparator = (c) => c === " " || c === "-";

function applyPostalFormat(format, compact) {
  let slots = 0;
  for (const f of format) if (!isSeparator(f)) slots++;
  if (slots !== compact.length) return null;
  let out = "";
  let i = 0;
  for (const f of format) {
    if (isSeparator(f)) {
      out += f;
      continue;
    }
    const c = compact[i++];
    const digit = c >= "0" && c <= "9";
    const upper = c >= "A" && c <= "Z";
    const fits = f === "9" ? digit : f === "A" ? upper : f === "X" ? digit || upper : c === f;
    if (!fits) return null;
    out += c;
  }
  return out;
}

/** `postal::normalize`: the canonical postal code, or null. */
function normalizePostal(code, raw) {
  raw = rustTrim(raw);
  if (!/^[\x00-\x7F]*$/.test(raw)) return null;
  const formats = POSTAL_FORMATS[code];
  if (formats) {
    const compact = raw.replace(/[ -]/g, "").toUpperCase();
    if (compact.length > 16) return null;
    for (const format of formats) {
      const out = applyPostalFormat(format, compact);
      if (out !== null) return out;
    }
    return null;
  }
  const collapsed = collapse(raw.toUpperCase());
  const ok = collapsed.length >= 2 && collapsed.length <= 10 && /^[A-Z0-9 -]+$/.test(collapsed) && /[A-Z0-9]/.test(collapsed);
  return ok ? collapsed : null;
}
const postalMessage = (code) => {
  const formats = POSTAL_FORMATS[code];
  return formats
    ? `Not a valid postal code for ${code}: expected ${formats.map((f) => f.replaceAll("9", "0").replaceAll("X", "A")).join(" or ")}.`
    : `Not a valid postal code for ${code}.`;
};

const addressSchema = z
  .strictObject({
    line1: requiredPart(),
    line2: optionalPart(),
    city: requiredPart(),
    region: optionalPart(),
    postal_code: optionalText(),
    country: country(),
  })
  // The postal code's format depends on the country: checked once the country is known, even
  // when other address fields failed (`when`), as core reports every error at once.
  .superRefine(
    (a, ctx) => {
      if (!a || !COUNTRIES.has(a.country) || (a.postal_code != null && typeof a.postal_code !== "string")) return;
      if (!a.postal_code) {
        if (!WITHOUT_POSTAL_CODES.has(a.country)) fail(ctx, "required", REQUIRED, ["postal_code"]);
      } else if (normalizePostal(a.country, a.postal_code) === null) {
        fail(ctx, "invalid_postal_code", postalMessage(a.country), ["postal_code"]);
      }
    },
    { when: () => true },
  )
  .transform((a) => ({
    line1: a.line1,
    line2: a.line2 ? collapse(a.line2) : undefined,
    city: a.city,
    region: a.region ? collapse(a.region) : undefined,
    postal_code: a.postal_code ? normalizePostal(a.country, a.postal_code) : undefined,
    country: a.country,
  }));

// ---- official ID (official_id.rs) ------------------------------------------------------------

const ID_TYPES = ["passport", "national_id", "drivers_license", "residence_permit"];
const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
const ALNUM = /^[A-Z0-9]+$/;

/** Normalised: blanks, dashes and dots removed, upper case (checked with its type and issuer). */
const idNumber = requiredText().overwrite((v) => v.replace(/[ .\-]/g, "").toUpperCase());

const SHAPE = {
  es_passport: "Expected 3 letters and 6 digits.",
  nine_digits: "Expected 9 digits.",
  us_passport: "Expected 9 digits, or a letter and 8 digits.",
  it_id: "Expected 2 letters, 5 digits and 2 letters.",
  dni: "Expected 8 digits and a check letter (e.g. 12345678Z).",
  nie: "Expected X, Y or Z, 7 digits and a check letter (e.g. X1234567L).",
};
const FORMATS = {
  es_passport: /^[A-Z]{3}[0-9]{6}$/,
  nine_digits: /^[0-9]{9}$/,
  us_passport: /^[A-Z0-9][0-9]{8}$/,
  it_id: /^[A-Z]{2}[0-9]{5}[A-Z]{2}$/,
};

/** `check_format`: `[code, message]` of the problem, or null. */
function idNumberProblem(number, type, issuer) {
  const exact = (shape) => (FORMATS[shape].test(number) ? null : ["invalid_format", SHAPE[shape]]);
  if (issuer === "ES" && (type === "national_id" || type === "drivers_license")) return spanishCheckLetter(number, false);
  if (issuer === "ES" && type === "residence_permit") return spanishCheckLetter(number, true);
  if (type === "passport" && issuer === "ES") return exact("es_passport");
  if (type === "passport" && issuer === "GB") return exact("nine_digits");
  if (type === "passport" && issuer === "US") return exact("us_passport");
  if (type === "national_id" && issuer === "IT") return exact("it_id");
  if (type === "passport") {
    return number.length >= 6 && number.length <= 9 && /[0-9]/.test(number)
      ? null
      : ["invalid_format", "A passport number has 6 to 9 letters and digits, at least one a digit."];
  }
  return number.length >= 5 && number.length <= 20 && /[0-9]/.test(number)
    ? null
    : ["invalid_format", "A document number has 5 to 20 letters and digits."];
}

function spanishCheckLetter(number, nie) {
  const lead = nie ? { X: "0", Y: "1", Z: "2" }[number[0]] : "";
  const digits = nie ? (lead ?? "?") + number.slice(1, 8) : number.slice(0, 8);
  if (number.length !== 9 || !/^[0-9]{8}$/.test(digits) || !(number[8] >= "A" && number[8] <= "Z")) {
    return ["invalid_format", SHAPE[nie ? "nie" : "dni"]];
  }
  return DNI_LETTERS[Number(digits) % 23] === number[8]
    ? null
    : ["invalid_check_digit", "The check letter does not match the number."];
}

// ---- financial (financial.rs) ----------------------------------------------------------------

const OCCUPATIONS = [
  "employee", "engineer", "healthcare", "education", "finance", "legal", "sales", "hospitality", "construction",
  "public_sector", "self_employed", "business_owner", "student", "retired", "unemployed", "other",
];
const SALARY_RANGES = ["below_25k", "25k_50k", "50k_100k", "100k_200k", "above_200k"];
const ACCOUNT_PURPOSES = ["everyday_spending", "travel", "online_purchases", "business_expenses", "bills_and_subscriptions", "other"];
const MONTHLY_VOLUMES = ["below_1k", "1k_5k", "5k_20k", "above_20k"];

const financialSchema = z.strictObject({
  occupation: choice(OCCUPATIONS),
  annual_salary_range: choice(SALARY_RANGES),
  account_purpose: choice(ACCOUNT_PURPOSES),
  expected_monthly_volume: choice(MONTHLY_VOLUMES),
});

// ---- the whole customer (customer.rs) ----------------------------------------------------------

/**
 * The customer schema for checks made on `today` ("YYYY-MM-DD"): ages and document expiry are
 * judged against it. Build it once per day and reuse it.
 */
export function customerSchema(today) {
  if (!z.regexes.date.test(today)) throw new TypeError(`today: a "YYYY-MM-DD" date, not ${JSON.stringify(today)}`);
  const day = { y: +today.slice(0, 4), m: +today.slice(5, 7), d: +today.slice(8, 10) };

  const dateOfBirth = wireDate().superRefine((v, ctx) => {
    if (ctx.issues.length) return;
    if (v > today) return fail(ctx, "in_future", "The date of birth cannot be in the future.");
    const age = ageOn(v, day);
    if (age < 18) fail(ctx, "too_young", "The customer must be at least 18 years old.");
    else if (age > 120) fail(ctx, "too_old", "Check the year: the customer would be over 120 years old.");
  });

  // An ID that expires today is still valid today.
  const expiresOn = wireDate().superRefine((v, ctx) => {
    if (!ctx.issues.length && v < today) fail(ctx, "expired", "The document has expired.");
  });

  const personal = z.strictObject({
    full_name: fullName,
    date_of_birth: dateOfBirth,
    gender: choice(GENDERS),
    address: addressSchema.prefault({}),
  });

  const officialId = z
    .strictObject({
      type: choice(ID_TYPES),
      number: idNumber,
      issuing_country: country(),
      expires_on: expiresOn,
    })
    // The number's format depends on the type and the issuing country: checked when all three
    // are valid, whatever else failed.
    .superRefine(
      (o, ctx) => {
        if (!o || !ID_TYPES.includes(o.type) || !COUNTRIES.has(o.issuing_country)) return;
        const n = o.number;
        if (typeof n !== "string" || ctx.issues.some((i) => i.path?.[0] === "number")) return;
        if (n === "") fail(ctx, "required", REQUIRED, ["number"]);
        else if (!ALNUM.test(n)) fail(ctx, "invalid_characters", "Use only letters and digits.", ["number"]);
        else {
          const problem = idNumberProblem(n, o.type, o.issuing_country);
          if (problem) fail(ctx, problem[0], problem[1], ["number"]);
        }
      },
      { when: () => true },
    );

  const individual = z.strictObject({
    personal: personal.prefault({}),
    official_id: officialId.prefault({}),
    financial: financialSchema.prefault({}),
  });

  return z
    .strictObject({
      contact: contactSchema.prefault({}),
      individual_cards: z.boolean().nullish(),
      individual: individual.nullish(),
    })
    .superRefine(
      (c, ctx) => {
        if (!c || typeof c !== "object") return;
        const enrolled = c.individual_cards === true;
        const given = c.individual != null;
        if (enrolled && !given) {
          fail(ctx, "required", "Personal details, official ID and financial information are required for individual cards.", ["individual"]);
        } else if (!enrolled && given) {
          fail(ctx, "not_allowed", "Leave this out unless individual cards are enabled.", ["individual"]);
        }
      },
      { when: () => true },
    )
    .transform((c) =>
      c.individual_cards === true
        ? { contact: c.contact, individual_cards: true, individual: c.individual }
        : { contact: c.contact, individual_cards: false },
    );
}

// zod's built-in checks (type, min, regex) cannot carry `params`; their messages name the code.
const CODE_OF_MESSAGE = new Map([
  [REQUIRED, "required"],
  [COUNTRY_MESSAGE, "invalid_country"],
  [DATE_MESSAGE, "invalid_date"],
  [PHONE_MESSAGE, "invalid_phone"],
]);

/** zod's issues as kycard's `{path, code, message}` (kycard's code where zod's says less). */
export function toFieldErrors(error) {
  return error.issues.map((issue) => ({
    path: issue.path.join("."),
    code:
      issue.params?.code ??
      CODE_OF_MESSAGE.get(issue.message) ??
      (issue.code === "invalid_value" ? "invalid_choice" : issue.code),
    message: issue.message,
  }));
}

// Known differences from core (zod cannot, or cannot cheaply, say the same):
// * Malformed input (a number where text belongs, an unknown field) is a TypeError in the
//   package (the server's 400); here it is one more issue (invalid_type, unrecognized_keys).
// * `contact: null` (or a null block inside `individual`) is an invalid_type issue here;
//   core reads null as absent and reports the fields inside as required.
// * With `individual_cards: false` the `individual` block is still parsed, so its own errors
//   come with `not_allowed` (core reports only `not_allowed`).
// * Errors come in zod's order (children before the cross-field checks), not form order.
// * Letters, digits and combining marks follow the JavaScript engine's Unicode version, not
//   the Unicode version of Rust's std and core's Unicode 14 mark table.
