// The new-customer page checks contact details in the browser with kycard-core: messages
// appear without any request to the server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { openPage, screenshot, useServerAndBrowser } from "./support.mjs";

const app = useServerAndBrowser();

test("a bad email shows core's message with no request to the server", async () => {
  const { page, context, problems } = await openPage(app.browser);
  await page.goto(app.server.base + "/");
  const email = page.getByLabel("Email");
  await email.waitFor();
  await screenshot(page, "new-customer-empty");

  const requests = [];
  page.on("request", (req) => requests.push(req.url()));

  await email.fill("ana@example");
  await email.press("Tab");
  const error = page.locator("#contact-email-error");
  await assert.doesNotReject(error.getByText("Enter an email address like name@example.com.").waitFor({ timeout: 5000 }));
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  const describedBy = await email.getAttribute("aria-describedby");
  assert.ok(describedBy.split(" ").includes("contact-email-error"), `aria-describedby=${describedBy}`);
  await screenshot(page, "new-customer-bad-email");

  // Fixing the value clears the message as the person types.
  await email.fill("ana@example.com");
  await assert.doesNotReject(page.waitForFunction(() => document.querySelector("#contact-email-error").textContent === ""));
  assert.equal(await email.getAttribute("aria-invalid"), "false");

  const phone = page.getByLabel("Phone");
  await phone.fill("600111222");
  await phone.press("Tab");
  await assert.doesNotReject(page.locator("#contact-phone-error").getByText("international format").waitFor({ timeout: 5000 }));
  await screenshot(page, "new-customer-bad-phone");

  assert.deepEqual(requests, [], "validation must not call the server");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the form is usable at 375 px wide", async () => {
  const { page, context, problems } = await openPage(app.browser, { viewport: { width: 375, height: 740 } });
  await page.goto(app.server.base + "/");
  await page.getByLabel("Email").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await screenshot(page, "new-customer-narrow");
  assert.deepEqual(problems, []);
  await context.close();
});
