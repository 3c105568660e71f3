// The npm package as a user gets it: its tarball (`npm pack`) installed into a new project,
// imported by name, run on core's shared vectors, and its declarations type-checked by tsc.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { runVectors } from "./vectors.mjs";

const root = resolve(import.meta.dirname, "../../..");
const tarball = process.env.KYCARD_PACKAGE ?? join(root, "target/npm/kycard-core-0.1.0.tgz");
let project;
let kycard;

/** core's vector files, parsed. */
export function vectorFiles() {
  const dir = join(root, "core/tests/vectors");
  const files = {};
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json") && n !== "bases.json")) {
    files[name] = JSON.parse(readFileSync(join(dir, name), "utf8"));
  }
  return { bases: JSON.parse(readFileSync(join(dir, "bases.json"), "utf8")), files };
}

before(() => {
  project = mkdtempSync(join(tmpdir(), "kycard-package-"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-kycard", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], { cwd: project, stdio: "pipe" });
  writeFileSync(join(project, "probe.mjs"), 'export * from "@kycard/core";\n');
});

after(() => rmSync(project, { recursive: true, force: true }));

async function pkg() {
  kycard ??= await import(pathToFileURL(join(project, "probe.mjs")));
  return kycard;
}

test("the installed package passes every shared vector, as core does natively", async () => {
  const { bases, files } = vectorFiles();
  const { cases, failures } = runVectors(await pkg(), bases, files);
  assert.ok(cases > 100, `only ${cases} cases`);
  assert.deepEqual(failures, []);
});

test("where making code is forbidden (a strict Content Security Policy), the answers are the same", () => {
  // Node's --disallow-code-generation-from-strings makes `new Function` throw, as a browser
  // does under a policy without 'unsafe-eval': the package then reads and builds customers
  // with its loops instead of the functions it generates.
  writeFileSync(join(project, "vectors.json"), JSON.stringify(vectorFiles()));
  const script = `
    import { readFileSync } from "node:fs";
    import { runVectors } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "vectors.mjs")).href)};
    const kycard = await import("./probe.mjs");
    let generates = true;
    try { new Function(""); } catch { generates = false; }
    const { bases, files } = JSON.parse(readFileSync("vectors.json", "utf8"));
    console.log(JSON.stringify({ generates, ...runVectors(kycard, bases, files) }));`;
  const out = execFileSync("node", ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], { cwd: project });
  const { generates, cases, failures } = JSON.parse(out.toString().trim().split("\n").pop());
  assert.equal(generates, false, "code generation was not forbidden");
  assert.ok(cases > 100, `only ${cases} cases`);
  assert.deepEqual(failures, []);
});

test("messages come in the asked language, codes and paths do not change", async () => {
  const k = await pkg();
  const body = { contact: { email: "nope", phone: "+34600111222" } };
  const english = k.validateCustomer(body, "2026-06-15");
  const spanish = k.validateCustomer(body, "2026-06-15", "es-ES");
  assert.equal(english.ok, false);
  assert.deepEqual(english.errors.map((e) => [e.path, e.code]), [["contact.email", "invalid_email"]]);
  assert.deepEqual(spanish.errors.map((e) => [e.path, e.code]), [["contact.email", "invalid_email"]]);
  assert.equal(english.errors[0].message, "Enter an email address like name@example.com.");
  assert.equal(spanish.errors[0].message, "Escribe una dirección de correo como nombre@example.com.");
  assert.equal(k.validateCustomer(body, "2026-06-15", "fr").errors[0].message, english.errors[0].message);
  assert.equal(k.negotiateLocale(["fr-FR", "es-MX", "en"]), "es");
  assert.equal(k.negotiateLocale("de"), "en");
  assert.equal(k.choices("es").country.find((c) => c.value === "DE").label, "Alemania");
  assert.equal(k.fieldLabels("es").find((f) => f.path === "individual.personal.full_name").label, "Nombre completo");
});

test("the lists and the error catalogue cover every code the API uses", async () => {
  const k = await pkg();
  const lists = k.choices();
  assert.deepEqual(lists.gender.map((c) => c.value), ["female", "male", "non_binary", "undisclosed"]);
  assert.equal(lists.country.length, 249);
  assert.ok(Object.isFrozen(lists.gender[0]));
  const catalogue = k.errorCatalogue("es");
  for (const code of ["validation_failed", "customer_not_active", "not_found", "rate_limited", "idempotency_key_reused"]) {
    const entry = catalogue.api.find((e) => e.code === code);
    assert.ok(entry && entry.status >= 400 && entry.message.length > 0, code);
  }
  assert.equal(catalogue.api.find((e) => e.code === "validation_failed").status, 422);
  assert.ok(catalogue.field.some((e) => e.code === "invalid_check_digit"));
  assert.notEqual(catalogue.field[0].message, k.errorCatalogue("en").field[0].message);
});

test("eligibility follows the customer to where a card is allowed", async () => {
  const k = await pkg();
  const customer = {
    id: "019a0000-0000-7000-8000-000000000001", version: 3, created_at: "2026-06-01T10:00:00Z",
    updated_at: "2026-06-01T10:00:00Z", contact: { email: "ana@example.com", phone: "+34600111222" },
    individual_cards: true, status: "pending",
    requirements: [{ document: "passport", state: "uploaded" }, { document: "proof_of_address", state: "missing" }],
    review: { stage: "awaiting_documents", flags: [], decided_at: null, resubmittable: true },
  };
  const pending = k.cardEligibility(customer, "es");
  assert.equal(pending.allowed, false);
  assert.equal(pending.code, "customer_not_active");
  assert.deepEqual(pending.blocked_by, ["document:proof_of_address"]);
  assert.match(pending.message, /clientes activos/);
  const active = k.cardEligibility({ ...customer, status: "active", review: { ...customer.review, stage: "decided" } });
  assert.deepEqual(active, { allowed: true, blocked_by: [] });
  assert.equal(k.cardEligibility({ ...customer, individual_cards: false, status: undefined, review: undefined }).code, "individual_cards_not_enabled");
  assert.throws(
    () => k.cardEligibility({ ...customer, requirements: [{ document: "selfie", state: "missing" }] }),
    (e) => e instanceof TypeError && /^customer\.requirements\[0\]\.document: `selfie` is not one of .*passport/.test(e.message),
  );
  assert.throws(() => k.cardEligibility({ ...customer, review: { ...customer.review, stage: undefined } }), /^TypeError: customer\.review\.stage: missing/);
});

test("bad input gets a TypeError that names it, and loses nothing", async () => {
  const k = await pkg();
  for (const [input, pattern] of [
    [null, /plain object, not null/],
    [[], /not an array/],
    ["{}", /not string/],
    [{ contact: { email: 5 } }, /^input\.contact\.email: expected a string or null, not number 5$/],
    [{ contact: {}, nickname: "x" }, /^input\.nickname: unknown field \(expected one of contact, individual_cards, individual\)$/],
    [{ individual_cards: "yes" }, /^input\.individual_cards: expected a boolean or null, not string "yes"$/],
    [{ individual: { personal: [] } }, /^input\.individual\.personal: expected an object or null, not an array$/],
    [{ contact: { email: "a\uD800" } }, /^input\.contact\.email: a string with a lone surrogate/],
  ]) {
    assert.throws(() => k.validateCustomer(input), (e) => e instanceof TypeError && pattern.test(e.message), String(input));
  }
  // What JSON.stringify leaves out is not sent: undefined members, non-enumerable ones.
  const hidden = { contact: { email: "ana@example.com", phone: "+34600111222", fax: undefined } };
  Object.defineProperty(hidden, "nickname", { value: "x", enumerable: false });
  assert.equal(k.validateCustomer(hidden).ok, true);
  assert.deepEqual(k.validateCustomer(hidden).value.contact, { email: "ana@example.com", phone: "+34600111222" });
  assert.throws(() => k.validateCustomer({}, "15/06/2026"), TypeError);
  assert.throws(() => k.validateCustomer({}, 20260615), TypeError);
  assert.throws(() => k.validateCustomer({}, new Date("nope")), TypeError);
  assert.throws(() => k.validateCustomer({}, undefined, 42), TypeError);
  assert.throws(() => k.measureQuality({ width: 2, height: 2, data: new Uint8Array(3) }, "passport"), /pixel buffer holds 3 bytes/);
  assert.throws(() => k.measureQuality({ width: -1, height: 2, data: new Uint8Array(0) }, "passport"), TypeError);
  assert.throws(() => k.measureQuality({ width: 1, height: 1, data: new Uint8Array(4) }, "selfie"), /not one of/);
  assert.throws(() => k.sniffContentType("%PDF-"), TypeError);
  // Unicode and huge values are answers, not crashes; the same call works afterwards.
  const huge = { contact: { email: `${"é".repeat(1_000_000)}@example.com`, phone: "+34600111222" } };
  assert.deepEqual(k.validateCustomer(huge).errors.map((e) => e.code), ["too_long"]);
  const valid = k.validateCustomer({ contact: { email: "zoë@exämple.com", phone: "+34 (600) 111-222" } });
  assert.equal(valid.ok, true);
  assert.equal(valid.value.contact.phone, "+34600111222");
  assert.deepEqual(Object.keys(valid.value), ["contact", "individual_cards"], "the server's order");
  assert.throws(() => k.judgeQuality({ width: 1.5, height: 1, contrast: 1, sharpness: 1, dark_share: 0, bright_share: 0 }, "passport"), /^TypeError: measures\.width: expected an integer/);
  assert.throws(() => k.judgeQuality({ width: 1, height: 1, contrast: NaN, sharpness: 1, dark_share: 0, bright_share: 0 }, "passport"), /measures\.contrast: expected a finite number, not number NaN/);
});

test("the declarations type-check a sample program and refuse wrong types", () => {
  writeFileSync(
    join(project, "sample.ts"),
    `import { validateCustomer, requiredDocuments, cardEligibility, choices, errorCatalogue, measureQuality,
  type CustomerData, type Customer, type FieldError, type ValidationResult } from "@kycard/core";

const input: CustomerData = { contact: { email: "ana@example.com", phone: "+34600111222" }, individual_cards: false };
const result: ValidationResult = validateCustomer(input, new Date(), "es");
if (result.ok) {
  const email: string | null | undefined = result.value.contact?.email;
  console.log(email);
} else {
  const first: FieldError | undefined = result.errors[0];
  const code: "required" | string = first?.code ?? "";
  console.log(code);
}
const documents = requiredDocuments(input);
if (documents) for (const d of documents) console.log(d.kind.toUpperCase(), d.label);
declare const customer: Customer;
const eligibility = cardEligibility(customer);
if (!eligibility.allowed) console.log(eligibility.code, eligibility.blocked_by.join());
console.log(choices("es").gender.map((g) => g.value), errorCatalogue().api[0]?.status);
const report = measureQuality({ width: 1, height: 1, data: new Uint8ClampedArray(4) }, "passport");
console.log(report.problem, report.measures.sharpness);

// @ts-expect-error: an email is a string
validateCustomer({ contact: { email: 5 } });
// @ts-expect-error: no such field
validateCustomer({ contact: {}, nickname: "x" });
// @ts-expect-error: not a document kind
measureQuality({ width: 1, height: 1, data: new Uint8Array(4) }, "selfie");
`,
  );
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022", "dom"], noImplicitAny: true, skipLibCheck: false }, files: ["sample.ts"] }),
  );
  const tsc = join(root, "node_modules/.bin/tsc");
  try {
    execFileSync(tsc, ["-p", project], { cwd: project, stdio: "pipe" });
  } catch (error) {
    assert.fail(`tsc --noEmit failed:\n${error.stdout}${error.stderr}`);
  }
});

test("the declarations never fall back to any", () => {
  for (const file of ["index.d.ts", "types.d.ts"]) {
    const text = readFileSync(join(project, "node_modules/@kycard/core", file), "utf8");
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    assert.doesNotMatch(code, /\bany\b/, file);
  }
});
