// The API docs page renders from the generated OpenAPI document, with local assets only and
// no console errors under the content security policy.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, openPage, screenshot, startServer } from "./support.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the API docs list the operations", async () => {
  const { page, context, problems } = await openPage(browser);
  const external = [];
  page.on("request", (req) => {
    if (!req.url().startsWith(server.base)) external.push(req.url());
  });
  await page.goto(server.base + "/api/docs/");
  await page.locator(".opblock").first().waitFor({ timeout: 15000 });
  const paths = await page.locator(".opblock-summary-path").allTextContents();
  assert.ok(paths.some((p) => p.replace(/\u200b/g, "") === "/api/v1/customers"), `paths: ${paths.join(", ")}`);
  await screenshot(page, "api-docs");
  assert.deepEqual(external, [], "nothing is loaded from outside the server");
  assert.deepEqual(problems, []);
  await context.close();
});
