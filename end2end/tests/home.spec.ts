import { test, expect } from "@playwright/test";

test("home page is server-rendered, then hydrates and talks to the server", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));

  // Server-rendered content arrives before any WASM runs.
  await page.goto("/", { waitUntil: "commit" });
  await expect(page.getByRole("heading", { name: "VibeBot" })).toBeVisible();

  // Wait for the WASM bundle to load and hydrate.
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });

  // Only a live, hydrated button can call the server function and show its answer.
  await page.getByTestId("status-check").click();
  await expect(page.getByTestId("status-result")).toContainText("database connected");
  await expect(page.getByTestId("status-result")).toContainText(/schema \d{14}/);

  expect(errors).toEqual([]);
});

test("unknown pages get a 404 with a way back", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to VibeBot" })).toHaveAttribute("href", "/");
});
