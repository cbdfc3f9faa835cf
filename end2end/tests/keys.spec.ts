import { test, expect, Page } from "@playwright/test";
import { hydrated } from "./helpers";

test("add a key, see only its hint, test it, reload, delete it", async ({ page }) => {
  const secret = "sk-ant-api03-e2e-browser-secret-0123456789-k9z8";
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Email").fill(`keys-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();

  await page.getByTestId("signed-in-as").click();
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  await expect(page.getByTestId("no-keys")).toBeVisible();

  await page.getByLabel("Provider").selectOption("CLAUDE");
  await page.getByLabel("Name (optional)").fill("Browser key");
  await page.getByLabel("API key").fill(secret);
  await page.getByRole("button", { name: "Save key" }).click();
  await expect(page.getByText("Key saved.")).toBeVisible();

  const row = page.getByTestId("key-row");
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("key-hint")).toHaveText("sk-ant-…k9z8");
  await expect(row.getByText("Default")).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  // The fake provider answers for Anthropic in these tests.
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByTestId("key-test-result")).toHaveText("Works: 4 chat models available");

  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("key-hint")).toHaveText("sk-ant-…k9z8");
  expect(await page.content()).not.toContain(secret);

  await page.getByTestId("key-row").getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page.getByTestId("no-keys")).toBeVisible();
});

test("a private endpoint is refused with a clear message", async ({ page }) => {
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Email").fill(`ssrf-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();

  await page.goto("/settings/keys");
  await hydrated(page);
  await page.getByLabel("Provider").selectOption("OPENAI");
  await page.getByLabel("API key").fill("sk-proj-some-key-for-metadata-0000");
  await page.getByLabel(/Base URL/).fill("http://169.254.169.254/latest");
  await page.getByRole("button", { name: "Save key" }).click();
  await expect(page.getByRole("alert")).toContainText("private or internal network");
  await expect(page.getByTestId("no-keys")).toBeVisible();
});
