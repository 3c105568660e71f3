// The operator's whole path in the real app against the real binary: create a customer with
// the Individual cards checkbox, see why no card can be issued yet, upload the documents,
// watch the status turn Active without reloading, issue a card, freeze it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { api, audit, blurredPng, isoDate, openPage, png, profile, screenshot, signIn, uploadByApi, useServerAndBrowser } from "./support.mjs";

const app = useServerAndBrowser();

/** Fills the whole new-customer form for a German national ID holder. */
export async function fillProfile(page, { email, name }) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Phone").fill("+4915123456789");
  await page.getByLabel("Individual cards").check();
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Date of birth").fill("1990-04-12");
  await page.getByLabel("Gender").selectOption("female");
  await page.getByLabel("Address", { exact: true }).fill("Hauptstraße 5");
  await page.getByLabel("City").fill("Berlin");
  await page.getByLabel("Postal code").fill("10115");
  await page.getByLabel("Country of residence").selectOption("DE");
  await page.getByLabel("Document type").selectOption("national_id");
  await page.getByLabel("Document number").fill("T22000129");
  await page.getByLabel("Issuing country").selectOption("DE");
  await page.getByLabel("Expiry date").fill(isoDate(800));
  await page.getByLabel("Occupation").selectOption("engineer");
  await page.getByLabel("Annual salary").selectOption("50k_100k");
  await page.getByLabel("Account purpose").selectOption("everyday_spending");
  await page.getByLabel("Expected monthly spending").selectOption("1k_5k");
}

/** Uploads one document through its upload control. */
async function upload(page, kind, label, file) {
  await page.locator(`#upload-${kind}-file`).setInputFiles(file);
  if (kind === "proof_of_address") await page.locator(`#upload-${kind}-issued-on`).fill(isoDate(-10));
  await page.getByRole("button", { name: `Upload ${label}` }).click();
}

test("create → documents → Active live → card, with the refusal explained while pending", async () => {
  const { page, context, problems } = await openPage(app.browser);
  await signIn(page, app.server, "operator");
  await page.getByText("No customers yet").waitFor();
  await screenshot(page, "customers-empty");

  const nav = page.getByRole("navigation");
  await nav.getByRole("link", { name: "New customer" }).click();
  await page.getByRole("heading", { name: "New customer" }).waitFor();
  assert.equal(await nav.getByRole("link", { name: "New customer" }).getAttribute("aria-current"), "page");
  assert.equal(await nav.getByRole("link", { name: "Customers" }).getAttribute("aria-current"), null);
  await fillProfile(page, { email: "lena.fischer@example.com", name: "Lena Fischer" });
  await screenshot(page, "new-customer-filled");
  await page.getByRole("button", { name: "Create customer" }).click();

  await page.getByRole("heading", { name: "Lena Fischer" }).waitFor();
  await page.getByRole("heading", { name: "Pending: documents needed" }).waitFor();
  const issue = page.getByRole("button", { name: "Issue card" });
  assert.equal(await issue.isDisabled(), true, "no card while pending");
  const why = await page.locator("#issue-card-why").textContent();
  assert.match(why, /Government ID \(front\) is missing/);
  assert.match(why, /Proof of address is missing/);
  // The reason shown is the API's own: the server refuses with the same blockers.
  const id = page.url().split("/").pop();
  const refused = await api(app.server, "operator", "POST", `/customers/${id}/cards`, { type: "virtual" });
  assert.equal(refused.status, 409);
  assert.deepEqual(refused.body.error.details.blocked_by, [
    "document:government_id_front",
    "document:government_id_back",
    "document:proof_of_address",
  ]);
  await screenshot(page, "customer-pending-card-refused");

  // A file that is not an image, behind an image name, is refused in the browser. It replaces
  // the file chosen before it: "Upload" never sends a file other than the last one chosen.
  const image = (name) => ({ name, mimeType: "image/png", buffer: png(1600, 1000) });
  const frontControl = page.locator(".requirement", { hasText: "Government ID (front)" });
  await page.locator("#upload-government_id_front-file").setInputFiles(image("earlier.png"));
  await frontControl.getByText("earlier.png").waitFor();
  await page.locator("#upload-government_id_front-file").setInputFiles({
    name: "front.png",
    mimeType: "image/png",
    buffer: Buffer.from("not an image at all"),
  });
  await page.getByText("The file is not a JPEG, PNG, WebP or PDF (judged from its content, not its name).").waitFor();
  assert.equal(await frontControl.getByText("earlier.png").count(), 0);
  assert.equal(await page.getByRole("button", { name: "Upload Government ID (front)" }).isDisabled(), true);
  await screenshot(page, "upload-wrong-content");

  // A blurred photo is measured in the browser by core's own rules and retaken before it is
  // sent: no request leaves the page.
  const uploads = [];
  page.on("request", (r) => r.url().includes("/documents") && r.method() === "POST" && uploads.push(r.url()));
  await page.locator("#upload-government_id_front-file").setInputFiles({ name: "shaky.png", mimeType: "image/png", buffer: blurredPng(1600, 1000) });
  await frontControl.getByText("The picture is too blurred: take it again, holding the camera still.").waitFor();
  assert.equal(await page.getByRole("button", { name: "Upload Government ID (front)" }).isDisabled(), true);
  await screenshot(page, "upload-blurred-refused");
  assert.equal(uploads.length, 0);

  await upload(page, "government_id_front", "Government ID (front)", image("front.png"));
  await page.locator(".requirement", { hasText: "Government ID (front)" }).getByText("Uploaded, awaiting review").waitFor();
  await upload(page, "government_id_back", "Government ID (back)", image("back.png"));
  await page.locator(".requirement", { hasText: "Government ID (back)" }).getByText("Uploaded, awaiting review").waitFor();
  await screenshot(page, "customer-two-documents");
  await upload(page, "proof_of_address", "Proof of address", image("bill.png"));

  // The automatic review runs in the server; the page hears about it on the event stream.
  await page.getByRole("heading", { name: "Approved" }).waitFor({ timeout: 15_000 });
  await screenshot(page, "customer-active");
  assert.equal(await issue.isDisabled(), false);
  await issue.click();
  const card = page.locator(".card-row");
  await card.getByText(/•••• \d{4}/).waitFor();
  const last4 = (await card.locator(".pan").textContent()).slice(-4);
  const cards = await api(app.server, "operator", "GET", `/customers/${id}/cards`);
  assert.equal(cards.body.data[0].last4, last4);
  await card.getByRole("button", { name: "Freeze" }).click();
  await card.getByText("Frozen").waitFor();
  await screenshot(page, "customer-card-frozen");

  await page.getByRole("navigation").getByRole("link", { name: "Customers" }).click();
  await page.getByRole("link", { name: "Lena Fischer" }).waitFor();
  await page.locator("table.list").getByText("Active").waitFor();
  await screenshot(page, "customers-list");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the draft survives a reload and is cleared once the customer exists", async () => {
  const { page, context, problems } = await openPage(app.browser);
  await signIn(page, app.server, "operator");
  await page.goto(app.server.base + "/customers/new");
  await page.getByLabel("Email").fill("draft@example.com");
  await page.getByLabel("Individual cards").check();
  // Screen readers hear what appeared; focus stays on the checkbox.
  await page.getByRole("status").getByText("Personal details, official ID and financial information are now shown below.").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), "individual_cards");
  await page.getByLabel("Full name").fill("Zoë Draft");
  // Unticking hides the program's fields and keeps what was typed.
  await page.getByLabel("Individual cards").uncheck();
  assert.equal(await page.getByLabel("Full name").count(), 0);
  await page.getByRole("status").getByText("what was typed in them is kept").waitFor();
  await page.getByLabel("Individual cards").check();
  assert.equal(await page.getByLabel("Full name").inputValue(), "Zoë Draft");

  await page.reload();
  await page.getByLabel("Email").waitFor();
  assert.equal(await page.getByLabel("Email").inputValue(), "draft@example.com");
  assert.equal(await page.getByLabel("Full name").inputValue(), "Zoë Draft");
  await screenshot(page, "new-customer-draft-restored");

  await page.getByLabel("Individual cards").uncheck();
  await page.getByLabel("Phone").fill("+34600111222");
  // Submitting twice in a row creates one customer.
  await page.evaluate(() => {
    const form = document.querySelector("main form");
    form.requestSubmit();
    form.requestSubmit();
  });
  await page.getByRole("heading", { name: "draft@example.com" }).waitFor();
  const list = await api(app.server, "operator", "GET", "/customers?q=draft%40example.com");
  assert.equal(list.body.data.length, 1, "one customer");
  await page.goto(app.server.base + "/customers/new");
  await page.getByLabel("Email").waitFor();
  assert.equal(await page.getByLabel("Email").inputValue(), "", "the draft is gone");
  assert.deepEqual(problems, []);
  await context.close();
});

test("an upload whose answer is lost is retried without storing the file twice", async () => {
  const created = await api(app.server, "operator", "POST", "/customers", profile("lost.answer@example.com"));
  const id = created.body.id;
  const { page, context, problems } = await openPage(app.browser);
  await signIn(page, app.server, "operator");
  await page.goto(`${app.server.base}/customers/${id}`);
  await page.getByRole("heading", { name: "Documents", exact: true }).waitFor();

  // The first upload reaches the server, which stores the file, but the connection drops
  // before the answer arrives: the browser sees a network failure.
  let attempts = 0;
  await page.route("**/api/v1/customers/*/documents", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    attempts += 1;
    if (attempts > 1) return route.continue();
    const answer = await route.fetch();
    assert.equal(answer.status(), 201, "the server stored the first attempt");
    await route.abort("connectionreset");
  });
  await upload(page, "government_id_front", "Government ID (front)", { name: "front.png", mimeType: "image/png", buffer: png(1600, 1000) });
  const front = page.locator(".requirement", { hasText: "Government ID (front)" });
  await front.getByText("The server cannot be reached").waitFor();
  // The event stream then says the document arrived; the failed control stays open anyway,
  // so the person can settle it.
  await front.getByText("Uploaded, awaiting review").waitFor();
  await screenshot(page, "upload-answer-lost");
  assert.deepEqual(await audit(page, "customer page, upload failed"), []);

  // One button sends the file again; there is no second one doing the same.
  assert.equal(await front.getByRole("button", { name: /upload|try again/i }).count(), 1);
  await front.getByRole("button", { name: "Try again" }).click();
  // Settled: the control closes as after any upload, and the failure is gone.
  await front.getByRole("button", { name: "Try again" }).waitFor({ state: "hidden" });
  await front.getByText("The server cannot be reached").waitFor({ state: "hidden" });
  await front.locator("details:not([open])").waitFor({ state: "attached" });
  await screenshot(page, "upload-retried");
  assert.equal(attempts, 2);
  // The retry carried the same Idempotency-Key: the server answered it from the first attempt.
  const history = await api(app.server, "operator", "GET", `/customers/${id}/history`);
  assert.equal(history.body.data.filter((e) => e.event === "document.uploaded").length, 1);
  // Chromium reports the dropped connection itself; anything else is a problem.
  assert.deepEqual(problems.filter((p) => !p.includes("net::ERR_CONNECTION_RESET")), []);
  await context.close();
});

test("a live refresh that fails, or answers after the page is left, loses nothing and breaks nothing", async () => {
  const created = await api(app.server, "operator", "POST", "/customers", profile("refresh.cases@example.com"));
  assert.equal(created.status, 201);
  const id = created.body.id;
  const { page, context, problems } = await openPage(app.browser);
  await signIn(page, app.server, "operator");
  await page.goto(`${app.server.base}/customers/${id}`);
  await page.getByRole("heading", { name: "Pending: documents needed" }).waitFor();
  // A file chosen and not sent yet: what a refresh must not throw away.
  await page.locator("#upload-government_id_front-file").setInputFiles({
    name: "front.png",
    mimeType: "image/png",
    buffer: png(1600, 1000),
  });
  const send = page.getByRole("button", { name: "Upload Government ID (front)" });
  const preview = page.locator(".requirement", { hasText: "Government ID (front)" }).locator("img");
  await preview.waitFor();

  // Every refresh after a live event fails: the page says so and keeps the chosen file.
  const customerUrl = `**/api/v1/customers/${id}`;
  await page.route(customerUrl, (route) => route.abort("failed"));
  await uploadByApi(app.server, id, "government_id_back");
  await page.getByText("This page could not be brought up to date").waitFor();
  await screenshot(page, "customer-refresh-failed");
  assert.deepEqual(await audit(page, "customer page, refresh failed"), []);
  assert.equal(await send.isEnabled(), true, "the chosen file is still there to send");
  await preview.waitFor();
  // Once the server answers again, "Refresh now" catches up and the notice goes.
  await page.unroute(customerUrl);
  await page.getByRole("button", { name: "Refresh now" }).click();
  await page.locator(".requirement", { hasText: "Government ID (back)" }).getByText("Uploaded, awaiting review").waitFor();
  await page.getByText("This page could not be brought up to date").waitFor({ state: "hidden" });
  assert.equal(await send.isEnabled(), true);

  // A refresh still under way when the person leaves the page: its answer arrives to a page
  // that is gone, and is dropped.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let seen;
  const requested = new Promise((resolve) => (seen = resolve));
  await page.route(customerUrl, async (route) => {
    seen();
    await held;
    await route.continue();
  });
  await uploadByApi(app.server, id, "proof_of_address", { issued_on: isoDate(-10) });
  await requested;
  await page.getByRole("navigation").getByRole("link", { name: "Customers" }).click();
  await page.getByRole("heading", { name: "Customers" }).waitFor();
  const delivered = page.waitForEvent("requestfinished", (request) => request.url().endsWith(`/customers/${id}`));
  release();
  await delivered;
  // Let the page's tasks run on the late answer.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
  await page.getByRole("link", { name: "Marta Ruiz Soto" }).first().waitFor();
  // Chromium reports the refused requests itself; anything else is a problem.
  assert.deepEqual(problems.filter((p) => !p.includes("net::ERR_FAILED")), []);
  await context.close();
});
