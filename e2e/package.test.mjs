// The npm package in a real browser, through the real server: the plain-JavaScript example
// page at /examples/, core's shared vectors run by the package inside Chromium, and the JSON
// Schemas served at /api/v1/schemas/ checked against valid and malformed payloads.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { openPage, root, screenshot, useServerAndBrowser } from "./support.mjs";

const app = useServerAndBrowser();

function vectors() {
  const dir = join(root, "core/tests/vectors");
  const files = {};
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json") && n !== "bases.json")) {
    files[name] = JSON.parse(readFileSync(join(dir, name), "utf8"));
  }
  return { bases: JSON.parse(readFileSync(join(dir, "bases.json"), "utf8")), files };
}

test("the example page checks a customer live, in English and Spanish", async () => {
  const { page, context, problems } = await openPage(app.browser, { locale: "en-US" });
  await page.goto(`${app.server.base}/examples`);
  assert.ok(page.url().endsWith("/examples/"), page.url());
  const email = page.locator("#contact-email");
  await email.fill("ana@");
  await email.blur();
  const emailError = page.locator("#contact-email-error");
  assert.equal(await emailError.textContent(), "Enter an email address like name@example.com.");
  assert.equal(await email.getAttribute("aria-invalid"), "true");

  await page.selectOption("#locale", "es");
  assert.equal(await page.locator("html").getAttribute("lang"), "es");
  assert.equal(await page.locator('label[for="contact-email"]').textContent(), "Correo electrónico");
  assert.equal(await page.locator("#contact-email-error").textContent(), "Escribe una dirección de correo como nombre@example.com.");
  assert.equal(await page.locator("#contact-email").inputValue(), "ana@", "typed values survive the language switch");

  await page.locator("#contact-email").fill("ana@example.com");
  await page.locator("#contact-phone").fill("+34 600 111 222");
  await page.check("#individual_cards");
  const fill = async (path, value) => page.locator(`#${path.replaceAll(".", "-")}`).fill(value);
  const pick = async (path, value) => page.selectOption(`#${path.replaceAll(".", "-")}`, value);
  await fill("individual.personal.full_name", "Ana María García López");
  await fill("individual.personal.date_of_birth", "1990-04-01");
  await pick("individual.personal.gender", "female");
  await fill("individual.personal.address.line1", "Calle Mayor 1");
  await fill("individual.personal.address.city", "Madrid");
  await fill("individual.personal.address.postal_code", "2801");
  await pick("individual.personal.address.country", "ES");
  await page.locator("#individual-personal-address-postal_code").blur();
  assert.match(
    await page.locator("#individual-personal-address-postal_code-error").textContent(),
    /^No es un código postal válido de España/,
  );
  await fill("individual.personal.address.postal_code", "28013");
  await pick("individual.official_id.type", "national_id");
  await fill("individual.official_id.number", "12345678Z");
  await pick("individual.official_id.issuing_country", "ES");
  await fill("individual.official_id.expires_on", "2099-05-20");
  await pick("individual.financial.occupation", "engineer");
  await pick("individual.financial.annual_salary_range", "50k_100k");
  await pick("individual.financial.account_purpose", "everyday_spending");
  await pick("individual.financial.expected_monthly_volume", "1k_5k");

  await page.locator("#outcome").waitFor({ state: "visible" });
  const documents = await page.locator("#documents li").allTextContents();
  assert.deepEqual(documents, ["Documento de identidad (anverso)", "Documento de identidad (reverso)", "Justificante de domicilio"]);
  const sent = await page.locator("#normalized").textContent();
  assert.match(sent, /"phone": "\+34600111222"/);
  assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
  await screenshot(page, "example-valid-es");
  assert.deepEqual(problems, [], "no console errors under the content security policy");
  await context.close();
});

test("the package gives the same answers in Chromium as core natively", async () => {
  // Only the test's own runner needs the policy bypassed (it is passed in as text).
  const { page, context, problems } = await openPage(app.browser, { bypassCSP: true });
  await page.goto(`${app.server.base}/examples/`);
  const { bases, files } = vectors();
  const runner = readFileSync(join(root, "bindings/js/tests/vectors.mjs"), "utf8");
  const outcome = await page.evaluate(
    async ({ runner, bases, files }) => {
      const pkg = await import("/examples/kycard-core/index.js");
      const { runVectors } = await import(`data:text/javascript,${encodeURIComponent(runner)}`);
      return runVectors(pkg, bases, files);
    },
    { runner, bases, files },
  );
  assert.ok(outcome.cases > 100, `only ${outcome.cases} cases`);
  assert.deepEqual(outcome.failures, []);
  assert.deepEqual(problems, []);
  await context.close();
});

async function schemaValidator() {
  const index = await (await fetch(`${app.server.base}/api/v1/schemas/`)).json();
  assert.equal(index.dialect, "https://json-schema.org/draft/2020-12/schema");
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const { name, url } of index.schemas) {
    const response = await fetch(app.server.base + url);
    assert.equal(response.status, 200, url);
    assert.equal(response.headers.get("content-type"), "application/schema+json");
    const schema = await response.json();
    assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema", name);
    ajv.addSchema(schema);
  }
  return { ajv, names: index.schemas.map((s) => s.name) };
}

test("the JSON Schemas accept every valid vector and the server's answers, and refuse malformed payloads", async () => {
  const { ajv, names } = await schemaValidator();
  for (const type of ["CustomerData", "Customer", "ErrorResponse", "Card", "Document", "HistoryEntry", "FieldError"]) {
    assert.ok(names.includes(type), `${type} has a schema`);
  }
  const customerData = ajv.getSchema("CustomerData.json");
  const { bases, files } = vectors();
  const { buildInput } = await import("../bindings/js/tests/vectors.mjs");
  let valid = 0;
  for (const [file, { cases }] of Object.entries(files)) {
    for (const c of cases.filter((c) => c.check === "customer" && c.expect.valid === true)) {
      const input = buildInput(bases, c);
      assert.ok(customerData(input), `[${file}] ${c.name}: ${ajv.errorsText(customerData.errors)}`);
      valid += 1;
    }
  }
  assert.ok(valid > 10, `only ${valid} valid vectors`);
  for (const base of Object.values(bases)) assert.ok(customerData(base), ajv.errorsText(customerData.errors));

  const national = bases.national_id;
  const malformed = {
    "an email of the wrong type": { ...national, contact: { ...national.contact, email: 5 } },
    "an unknown field": { ...national, nickname: "Ana" },
    "individual_cards as a string": { ...national, individual_cards: "yes" },
    "a gender outside the list": { ...national, individual: { ...national.individual, personal: { ...national.individual.personal, gender: "robot" } } },
    "an array for an object": { ...national, contact: [] },
    "not an object": "customer",
  };
  for (const [what, body] of Object.entries(malformed)) {
    assert.equal(customerData(body), false, `${what} must be refused`);
  }

  // What the server answers fits the schemas of its answers.
  const headers = { authorization: `Bearer ${app.server.keys.operator}`, "content-type": "application/json" };
  const created = await fetch(`${app.server.base}/api/v1/customers`, { method: "POST", headers, body: JSON.stringify(national) });
  assert.equal(created.status, 201);
  const customer = ajv.getSchema("Customer.json");
  assert.ok(customer(await created.json()), ajv.errorsText(customer.errors));
  const list = await (await fetch(`${app.server.base}/api/v1/customers`, { headers })).json();
  assert.ok(list.data.length >= 1);
  const page = ajv.getSchema("Page_Customer.json");
  assert.ok(page(list), ajv.errorsText(page.errors));
  assert.equal(page({ ...list, data: [{ ...list.data[0], status: "asleep" }] }), false, "a page's items are held to Customer's schema");
  const refused = await fetch(`${app.server.base}/api/v1/customers`, { method: "POST", headers: { ...headers, "accept-language": "es" }, body: JSON.stringify({ contact: {} }) });
  assert.equal(refused.status, 422);
  const errorResponse = ajv.getSchema("ErrorResponse.json");
  assert.ok(errorResponse(await refused.json()), ajv.errorsText(errorResponse.errors));
});

test("the OpenAPI document links every component to its JSON Schema", async () => {
  const document = await (await fetch(`${app.server.base}/api/v1/openapi.json`)).json();
  const components = Object.entries(document.components.schemas);
  assert.ok(components.length > 30);
  for (const [name, schema] of components) {
    assert.equal(schema.externalDocs?.url, `/api/v1/schemas/${name}.json`, name);
  }
  const missing = await fetch(`${app.server.base}/api/v1/schemas/Nothing.json`, { headers: { "accept-language": "es" } });
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.message, "El recurso solicitado no existe.");
});
