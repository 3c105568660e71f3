// A reviewer decides in the queue; a rejection flags a document, the operator uploads a new
// one (resubmission), and the reviewer approves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { api, customerWithDocuments, isoDate, openPage, pdf, png, profile, screenshot, signIn, uploadByApi, useServerAndBrowser } from "./support.mjs";

const app = useServerAndBrowser();

test("reject in the queue, resubmit a document, approve", async () => {
  // The sandbox tag sends this customer to the manual queue.
  const created = await api(app.server, "operator", "POST", "/customers", profile("marta+review_manual@example.com"));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  await uploadByApi(app.server, id, "government_id_front");
  await uploadByApi(app.server, id, "government_id_back", {}, { bytes: pdf, type: "application/pdf", name: "back.pdf" });
  await uploadByApi(app.server, id, "proof_of_address", { issued_on: isoDate(-5) });

  const reviewer = await openPage(app.browser);
  await signIn(reviewer.page, app.server, "reviewer");
  const page = reviewer.page;
  await page.getByRole("heading", { name: "Review queue" }).waitFor();
  await page.getByRole("link", { name: "Marta Ruiz Soto" }).waitFor({ timeout: 15_000 });
  await screenshot(page, "review-queue");
  await page.getByRole("link", { name: "Marta Ruiz Soto" }).click();
  await page.getByRole("heading", { name: "Review: Marta Ruiz Soto" }).waitFor();
  await page.getByRole("img", { name: "Government ID (front)" }).waitFor();
  // The PDF is shown inline, from the same origin, served as a PDF.
  const frame = page.locator('iframe[title="Government ID (back) (PDF)"]');
  await frame.waitFor();
  const inline = await frame.getAttribute("src");
  const served = await page.evaluate(async (src) => {
    const res = await fetch(src);
    return { status: res.status, type: res.headers.get("content-type"), disposition: res.headers.get("content-disposition") };
  }, inline);
  assert.equal(served.status, 200);
  assert.equal(served.type, "application/pdf");
  assert.match(served.disposition, /^inline;/);
  await page.getByRole("checkbox", { name: "Government ID (front)" }).check();
  await page.getByLabel("Message about Government ID (front)").fill("The photo is blurred.");
  await screenshot(page, "review-reject-flags");
  await page.getByRole("button", { name: "Reject with these flags" }).click();
  await page.getByRole("heading", { name: "Review queue" }).waitFor();
  await page.getByText("Nothing to review").waitFor();

  const operator = await openPage(app.browser);
  await signIn(operator.page, app.server, "operator");
  await operator.page.goto(`${app.server.base}/customers/${id}`);
  await operator.page.getByRole("heading", { name: "Rejected: corrections needed" }).waitFor();
  await operator.page.locator(".flag").getByText("The photo is blurred.").waitFor();
  await screenshot(operator.page, "customer-rejected");
  await operator.page.locator("#upload-government_id_front-file").setInputFiles({
    name: "front-sharp.png",
    mimeType: "image/png",
    buffer: png(2000, 1300, 7),
  });
  await operator.page.getByRole("button", { name: "Upload Government ID (front)" }).click();
  await operator.page.getByRole("heading", { name: /Pending/ }).waitFor({ timeout: 15_000 });
  await screenshot(operator.page, "customer-resubmitted");

  await page.goto(`${app.server.base}/reviews`);
  await page.getByRole("link", { name: "Marta Ruiz Soto" }).waitFor({ timeout: 15_000 });
  // The documents fail to load this time: the page says so where they would be, holds the
  // decision until they are in view, and loads them on "Try again".
  await page.route(`**/api/v1/customers/${id}/documents`, (route) => route.abort("failed"), { times: 1 });
  const historyLoads = [];
  page.on("request", (r) => r.url().endsWith(`/customers/${id}/history`) && historyLoads.push(r.url()));
  await page.getByRole("link", { name: "Marta Ruiz Soto" }).click();
  await page.getByText("The documents could not be loaded").waitFor();
  assert.equal(await page.getByRole("button", { name: "Approve" }).isDisabled(), true);
  await screenshot(page, "review-documents-failed");
  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByRole("img", { name: "Government ID (front)" }).waitFor();
  await page.getByText("The documents could not be loaded").waitFor({ state: "hidden" });
  // Only what failed was fetched again: the history loaded once.
  assert.equal(historyLoads.length, 1);
  await page.getByRole("button", { name: "Approve" }).click();
  await page.getByText("Nothing to review").waitFor();

  // The operator's page turns Active by itself.
  await operator.page.getByRole("heading", { name: "Approved" }).waitFor({ timeout: 15_000 });
  await screenshot(operator.page, "customer-approved-by-reviewer");
  // Chromium reports the refused request itself; anything else is a problem.
  assert.deepEqual(reviewer.problems.filter((p) => !p.includes("net::ERR_FAILED")), []);
  assert.deepEqual(operator.problems, []);
  await reviewer.context.close();
  await operator.context.close();
});

test("a rejected field is corrected on the customer page, which resubmits", async () => {
  // The sandbox tag makes the automatic review reject with a flag on the full name.
  const id = await customerWithDocuments(app.server, profile("rui+review_reject@example.com"));

  const { page, context, problems } = await openPage(app.browser);
  await signIn(page, app.server, "operator");
  await page.goto(`${app.server.base}/customers/${id}`);
  await page.getByRole("heading", { name: "Rejected: corrections needed" }).waitFor({ timeout: 15_000 });
  await page.getByRole("heading", { name: "Correct the details" }).waitFor();
  const name = page.getByLabel("Full name");
  assert.equal(await name.inputValue(), "Marta Ruiz Soto");
  await name.fill("M");
  await page.locator("#individual-personal-full_name-error").getByText(/./).waitFor();
  await screenshot(page, "customer-correction-invalid");
  await name.fill("Marta Ruiz-Soto");
  // A live update arrives while the correction is being typed (another document replaced):
  // what was typed stays.
  const refreshed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/customers/${id}`) && r.request().method() === "GET");
  await uploadByApi(app.server, id, "government_id_back");
  await refreshed;
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
  assert.equal(await name.inputValue(), "Marta Ruiz-Soto");
  await screenshot(page, "customer-correction");
  await page.getByRole("button", { name: "Save corrections" }).click();
  const deadline = Date.now() + 15_000;
  let events = [];
  while (Date.now() < deadline) {
    const history = await api(app.server, "operator", "GET", `/customers/${id}/history`);
    events = history.body.data.map((e) => e.event);
    if (events.includes("customer.resubmitted")) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(events.includes("customer.resubmitted"), events.join(", "));
  const after = await api(app.server, "operator", "GET", `/customers/${id}`);
  assert.equal(after.body.individual.personal.full_name, "Marta Ruiz-Soto");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a list that fails to load says so in place and loads on Try again", async () => {
  for (const [role, path, heading, failed] of [
    ["operator", "/customers", "Customers", "The customers could not be loaded"],
    ["reviewer", "/reviews", "Review queue", "The queue could not be loaded"],
  ]) {
    const { page, context, problems } = await openPage(app.browser);
    await signIn(page, app.server, role);
    // Signing in lands on this list: let that load finish before the next one is made to fail.
    await page.getByRole("heading", { name: heading }).waitFor();
    await page.getByText(/Loading/).waitFor({ state: "hidden" });
    await page.route(`**/api/v1${path}?*`, (route) => route.abort("failed"), { times: 1 });
    await page.goto(app.server.base + path);
    await page.getByRole("heading", { name: heading }).waitFor();
    await page.getByText(failed).waitFor();
    await screenshot(page, `${role}-list-failed`);
    assert.equal(await page.getByText(/No customers yet|Nothing to review/).isVisible(), false, "no empty state after a failure");
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByText(failed).waitFor({ state: "hidden" });
    // The list, or its empty state: either way, loaded.
    await page.getByText(/Loading/).waitFor({ state: "hidden" });
    await page.locator("main table.list, main p.empty").first().waitFor();
    // Chromium reports the refused request itself; anything else is a problem.
    assert.deepEqual(problems.filter((p) => !p.includes("net::ERR_FAILED")), []);
    await context.close();
  }
});

test("a watchlist match waits for a reviewer, shown side by side", async () => {
  // The built-in sample list holds "ROSSI, Marco Antonio", born 2 July 1975.
  const body = profile("marco@example.com");
  body.individual.personal.full_name = "Marco Antonio Rossi";
  body.individual.personal.date_of_birth = "1975-07-02";
  body.individual.official_id.number = "99887766P";
  const id = await customerWithDocuments(app.server, body);

  const reviewer = await openPage(app.browser);
  await signIn(reviewer.page, app.server, "reviewer");
  const page = reviewer.page;
  await page.getByRole("link", { name: "Marco Antonio Rossi" }).waitFor({ timeout: 15_000 });
  await page.getByRole("link", { name: "Marco Antonio Rossi" }).click();
  const attention = page.locator("section.attention");
  await attention.getByRole("heading", { name: "Why a person decides" }).waitFor();
  const text = await attention.innerText();
  assert.match(text, /Customer Marco Antonio Rossi, born 1975-07-02/);
  assert.match(text, /90002 ROSSI, Marco Antonio, born 1975-07-02, 1976/);
  await page.getByRole("img", { name: "Government ID (front)" }).waitFor();
  await screenshot(page, "review-watchlist-match");
});

test("the reviewer's pages speak Spanish too", async () => {
  const id = await customerWithDocuments(app.server, profile("lucia+review_manual@example.com"));
  const reviewer = await openPage(app.browser);
  await signIn(reviewer.page, app.server, "reviewer");
  const page = reviewer.page;
  await page.getByLabel("Language / Idioma").selectOption("es");
  await page.getByRole("heading", { name: "Cola de revisión" }).waitFor();
  await page.goto(`${app.server.base}/reviews/${id}`);
  await page.getByRole("heading", { name: "Revisión: Marta Ruiz Soto" }).waitFor();
  for (const heading of ["Datos", "Documentos", "Decisión", "Historial"]) {
    await page.getByRole("heading", { name: heading, exact: true }).waitFor();
  }
  await page.getByRole("img", { name: "Documento de identidad (anverso)" }).waitFor();
  await page.getByRole("checkbox", { name: "Documento de identidad (anverso)" }).check();
  const reasons = await page.getByLabel("Motivo para Documento de identidad (anverso)").locator("option").allTextContents();
  assert.ok(reasons.includes("No se puede leer el documento: sube una copia nítida, completa y bien iluminada."), reasons.join(" | "));
  await page.getByRole("button", { name: "Aprobar" }).waitFor();
  await page.getByRole("button", { name: "Rechazar con estas marcas" }).waitFor();
  await screenshot(page, "review-spanish");
  assert.deepEqual(reviewer.problems, []);
  await reviewer.context.close();
});

test("an ID that expires soon asks the operator for the renewed one, which reopens its uploads", async () => {
  const body = profile("lena@example.com");
  body.individual.official_id.number = "55667788Z";
  body.individual.official_id.expires_on = isoDate(20);
  const id = await customerWithDocuments(app.server, body);

  const { page, context, problems } = await openPage(app.browser);
  await signIn(page, app.server, "operator");
  await page.goto(`${app.server.base}/customers/${id}`);
  await page.getByRole("heading", { name: "Approved" }).waitFor({ timeout: 15_000 });
  const renewal = page.locator("section", { has: page.getByRole("heading", { name: "Identity document renewal" }) });
  await renewal.getByText(`expires on ${isoDate(20)}`).waitFor();
  await page.getByRole("heading", { name: "Enter the renewed identity document" }).waitFor();
  await screenshot(page, "customer-renewal-due");
  await page.getByLabel("Expiry date").fill(isoDate(3650));
  await page.getByRole("button", { name: "Save corrections" }).click();
  // The photos of the old document no longer count: the ID's uploads open again.
  await page.getByRole("heading", { name: /Pending/ }).waitFor({ timeout: 15_000 });
  await page.locator("#upload-government_id_front-file").waitFor();
  await page.getByText("Identity document renewal").waitFor({ state: "hidden" });
  await screenshot(page, "customer-renewal-uploads");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the reviewer sees a long history whole, page after page", async () => {
  const id = await customerWithDocuments(app.server, profile("long+review_manual@example.com"));
  // Once the automatic review has sent it to the manual queue, 110 contact changes: more
  // history than one page of 100.
  for (let tries = 0; tries < 100; tries += 1) {
    const queue = await api(app.server, "reviewer", "GET", "/reviews?stage=manual");
    if (queue.body.data.some((c) => c.id === id)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let current = (await api(app.server, "operator", "GET", `/customers/${id}`)).body;
  for (let n = 0; n < 110; n += 1) {
    const phone = `+3460011${String(1000 + n).padStart(4, "0")}`;
    const res = await fetch(`${app.server.base}/api/v1/customers/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${app.server.keys.operator}`, "content-type": "application/json", "if-match": `"${current.version}"` },
      body: JSON.stringify({ contact: { phone } }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    current = await res.json();
  }
  let total = 0;
  let cursor = null;
  do {
    const page = await api(app.server, "operator", "GET", `/customers/${id}/history${cursor ? `?cursor=${cursor}` : ""}`);
    total += page.body.data.length;
    cursor = page.body.next_cursor;
  } while (cursor);
  assert.ok(total > 110, `history entries: ${total}`);

  const { page, context } = await openPage(app.browser);
  await signIn(page, app.server, "reviewer");
  await page.goto(`${app.server.base}/reviews/${id}`);
  await page.getByRole("heading", { name: "History" }).waitFor();
  await page.locator("ol.history > li").nth(total - 1).waitFor();
  assert.equal(await page.locator("ol.history > li").count(), total, "every entry, not the first page only");
  await context.close();
});
