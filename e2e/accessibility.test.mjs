// axe-core on every screen of the app: no serious or critical violation. Keyboard focus and
// contrast are part of axe's rules; the pages are visited as each role sees them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { api, isoDate, openPage, png, root, screenshot, signIn, useServerAndBrowser } from "./support.mjs";

const app = useServerAndBrowser();
const axePath = join(root, "node_modules", "axe-core", "axe.min.js");

/** Runs axe on the page as it is now; returns the serious and critical violations. */
async function audit(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const { violations } = await axe.run(document, { resultTypes: ["violations"] });
    return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  const listed = result.map((v) => `${v.id} (${v.impact})`).join(", ");
  console.log(`axe ${name}: ${result.length} violation(s)${listed ? `: ${listed}` : ""}; ${bad.length} serious or critical`);
  return bad;
}

test("every page passes axe with no serious or critical violation", async () => {
  const customer = await api(app.server, "operator", "POST", "/customers", {
    contact: { email: "axe@example.com", phone: "+34600111222" },
    individual_cards: true,
    individual: {
      personal: {
        full_name: "Axel Ek",
        date_of_birth: "1980-01-01",
        gender: "male",
        address: { line1: "Calle Mayor 1", city: "Madrid", postal_code: "28013", country: "ES" },
      },
      official_id: { type: "passport", number: "AAA123456", issuing_country: "ES", expires_on: isoDate(900) },
      financial: {
        occupation: "engineer",
        annual_salary_range: "50k_100k",
        account_purpose: "travel",
        expected_monthly_volume: "1k_5k",
      },
    },
  });
  assert.equal(customer.status, 201, JSON.stringify(customer.body));
  const id = customer.body.id;
  // A manual-queue customer for the reviewer's pages.
  const manual = await api(app.server, "operator", "POST", "/customers", {
    contact: { email: "axe+review_manual@example.com", phone: "+34600111223" },
    individual_cards: true,
    individual: customer.body.individual,
  });
  const manualId = manual.body.id;
  for (const [kind, extra] of [["passport", {}], ["proof_of_address", { issued_on: isoDate(-3) }]]) {
    const form = new FormData();
    form.append("kind", kind);
    for (const [k, v] of Object.entries(extra)) form.append(k, v);
    form.append("file", new Blob([png(1600, 1000)], { type: "image/png" }), `${kind}.png`);
    const res = await fetch(`${app.server.base}/api/v1/customers/${manualId}/documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.server.keys.operator}` },
      body: form,
    });
    assert.equal(res.status, 201, await res.text());
  }

  const failures = {};
  const check = async (page, name) => {
    const bad = await audit(page, name);
    if (bad.length) failures[name] = bad;
  };

  const visitor = await openPage(app.browser, { bypassCSP: true });
  await visitor.page.goto(app.server.base + "/");
  await visitor.page.getByRole("heading", { name: "Sign in" }).waitFor();
  await check(visitor.page, "sign-in");
  await visitor.context.close();

  const operator = await openPage(app.browser, { bypassCSP: true });
  await signIn(operator.page, app.server, "operator");
  await operator.page.locator("table.list").waitFor();
  await check(operator.page, "customers");
  await operator.page.goto(app.server.base + "/customers/new");
  await operator.page.getByLabel("Individual cards").check();
  await operator.page.getByRole("button", { name: "Create customer" }).click();
  await operator.page.getByLabel("Full name").waitFor();
  await check(operator.page, "new-customer-with-errors");
  await operator.page.goto(`${app.server.base}/customers/${id}`);
  await operator.page.getByRole("heading", { name: "Axel Ek" }).waitFor();
  await check(operator.page, "customer");
  await operator.context.close();

  const reviewer = await openPage(app.browser, { bypassCSP: true });
  await signIn(reviewer.page, app.server, "reviewer");
  await reviewer.page.getByRole("link", { name: "Axel Ek" }).waitFor({ timeout: 15_000 });
  await check(reviewer.page, "review-queue");
  await reviewer.page.getByRole("link", { name: "Axel Ek" }).click();
  await reviewer.page.getByRole("button", { name: "Approve" }).waitFor();
  await screenshot(reviewer.page, "review-page");
  await check(reviewer.page, "review");
  await reviewer.context.close();

  assert.deepEqual(failures, {}, JSON.stringify(failures, null, 2));
});
