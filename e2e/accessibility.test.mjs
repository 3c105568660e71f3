// axe-core on every screen of the app: no serious or critical violation. Keyboard focus and
// contrast are part of axe's rules; the pages are visited as each role sees them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { api, audit, isoDate, openPage, profile, screenshot, signIn, uploadByApi, useServerAndBrowser } from "./support.mjs";

const app = useServerAndBrowser();
test("every page passes axe with no serious or critical violation", async () => {
  const customer = await api(app.server, "operator", "POST", "/customers", profile("axe@example.com"));
  assert.equal(customer.status, 201, JSON.stringify(customer.body));
  const id = customer.body.id;
  // A manual-queue customer for the reviewer's pages.
  const manual = await api(app.server, "operator", "POST", "/customers", profile("axe+review_manual@example.com"));
  await uploadByApi(app.server, manual.body.id, "government_id_front");
  await uploadByApi(app.server, manual.body.id, "government_id_back");
  await uploadByApi(app.server, manual.body.id, "proof_of_address", { issued_on: isoDate(-3) });

  const failures = {};
  const check = async (page, name) => {
    const bad = await audit(page, name);
    if (bad.length) failures[name] = bad;
  };

  const visitor = await openPage(app.browser);
  await visitor.page.goto(app.server.base + "/");
  await visitor.page.getByRole("heading", { name: "Sign in" }).waitFor();
  await check(visitor.page, "sign-in");
  await visitor.context.close();

  const operator = await openPage(app.browser);
  await signIn(operator.page, app.server, "operator");
  await operator.page.locator("table.list").waitFor();
  await check(operator.page, "customers");
  await operator.page.goto(app.server.base + "/customers/new");
  await operator.page.getByLabel("Individual cards").check();
  await operator.page.getByRole("button", { name: "Create customer" }).click();
  await operator.page.getByLabel("Full name").waitFor();
  await check(operator.page, "new-customer-with-errors");
  await operator.page.goto(`${app.server.base}/customers/${id}`);
  await operator.page.getByRole("heading", { name: "Marta Ruiz Soto" }).waitFor();
  await check(operator.page, "customer");
  await operator.context.close();

  const reviewer = await openPage(app.browser);
  await signIn(reviewer.page, app.server, "reviewer");
  await reviewer.page.getByRole("link", { name: "Marta Ruiz Soto" }).waitFor({ timeout: 15_000 });
  await check(reviewer.page, "review-queue");
  await reviewer.page.getByRole("link", { name: "Marta Ruiz Soto" }).click();
  await reviewer.page.getByRole("button", { name: "Approve" }).waitFor();
  await screenshot(reviewer.page, "review-page");
  await check(reviewer.page, "review");
  await reviewer.context.close();

  assert.deepEqual(failures, {}, JSON.stringify(failures, null, 2));
});
