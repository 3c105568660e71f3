// A reviewer decides in the queue; a rejection flags a document, the operator uploads a new
// one (resubmission), and the reviewer approves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { api, isoDate, openPage, png, screenshot, signIn, useServerAndBrowser } from "./support.mjs";

const app = useServerAndBrowser();

const profile = (email) => ({
  contact: { email, phone: "+34600111222" },
  individual_cards: true,
  individual: {
    personal: {
      full_name: "Marta Ruiz Soto",
      date_of_birth: "1985-02-20",
      gender: "female",
      address: { line1: "Calle Mayor 1", city: "Madrid", postal_code: "28013", country: "ES" },
    },
    official_id: { type: "national_id", number: "12345678Z", issuing_country: "ES", expires_on: isoDate(900) },
    financial: {
      occupation: "finance",
      annual_salary_range: "50k_100k",
      account_purpose: "travel",
      expected_monthly_volume: "1k_5k",
    },
  },
});

async function uploadByApi(server, id, kind, extra = {}) {
  const form = new FormData();
  form.append("kind", kind);
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  form.append("file", new Blob([png(1600, 1000)], { type: "image/png" }), `${kind}.png`);
  const res = await fetch(`${server.base}/api/v1/customers/${id}/documents`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.keys.operator}` },
    body: form,
  });
  assert.equal(res.status, 201, await res.text());
}

test("reject in the queue, resubmit a document, approve", async () => {
  // The sandbox tag sends this customer to the manual queue.
  const created = await api(app.server, "operator", "POST", "/customers", profile("marta+review_manual@example.com"));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  await uploadByApi(app.server, id, "government_id_front");
  await uploadByApi(app.server, id, "government_id_back");
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
  await page.getByRole("link", { name: "Marta Ruiz Soto" }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await page.getByText("Nothing to review").waitFor();

  // The operator's page turns Active by itself.
  await operator.page.getByRole("heading", { name: "Approved" }).waitFor({ timeout: 15_000 });
  await screenshot(operator.page, "customer-approved-by-reviewer");
  assert.deepEqual(reviewer.problems, []);
  assert.deepEqual(operator.problems, []);
  await reviewer.context.close();
  await operator.context.close();
});
