// The API docs page renders from the generated OpenAPI document, with local assets only and
// no console errors under the content security policy.
import assert from "node:assert/strict";
import { test } from "node:test";
import { openPage, screenshot, useServerAndBrowser } from "./support.mjs";

const app = useServerAndBrowser();

test("the API docs list the operations", async () => {
  const { page, context, problems } = await openPage(app.browser);
  const external = [];
  page.on("request", (req) => {
    if (!req.url().startsWith(app.server.base)) external.push(req.url());
  });
  await page.goto(app.server.base + "/api/docs/");
  await page.locator(".opblock").first().waitFor({ timeout: 15000 });
  const paths = await page.locator(".opblock-summary-path").allTextContents();
  assert.ok(paths.some((p) => p.replace(/\u200b/g, "") === "/api/v1/customers"), `paths: ${paths.join(", ")}`);
  await screenshot(page, "api-docs");
  assert.deepEqual(external, [], "nothing is loaded from outside the server");
  assert.deepEqual(problems, []);
  await context.close();
});
