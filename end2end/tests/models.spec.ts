// Models (issue #26): an admin withholds a model from users, who no longer
// see it and whose crafted request is refused; the picker is searched and a
// model pinned to its top.
import { test, expect, Page } from "@playwright/test";
import { addKey, hydrated, register, signIn } from "./helpers";

const WITHHELD = "gpt-test-1"; // listed by the fake provider, unknown to the catalogue

async function setUserAccess(page: Page, allowed: boolean) {
  const row = page.locator(`[data-testid="model-admin-row"][data-model="${WITHHELD}"]`);
  // Listed once a key's list has been read (in the background after the key was added).
  await expect(async () => {
    await page.goto("/admin/models");
    await hydrated(page);
    await page.getByTestId("model-admin-search").fill(WITHHELD);
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  const box = row.getByTestId("model-access-USER");
  if ((await box.isChecked()) !== allowed) {
    await box.setChecked(allowed);
    await expect(page.getByText("Access updated")).toBeVisible();
  }
}

const addOpenAiKey = (page: Page) => addKey(page, "OPENAI", "sk-proj-models-journey-key-000000");

/** Opens the picker on a freshly loaded start page and searches it. */
async function search(page: Page, query: string) {
  await page.goto("/");
  await hydrated(page);
  await page.getByTestId("model-picker-button").click();
  await page.getByTestId("model-search").fill(query);
}

const option = (page: Page, id: string) =>
  page.locator(`[data-testid="model-option"][data-model="${id}"]`);

test("a model withheld from users is gone from their picker and refused on the server", async ({ page, browser }) => {
  const user = await browser.newPage({ viewport: page.viewportSize() ?? undefined });
  await register(user, `models-${test.info().project.name}-${Date.now()}@example.com`);
  await addOpenAiKey(user);

  await signIn(page, "admin@vibebot.local", "password123");
  await setUserAccess(page, false);
  // The page names the catalogue's date and the models without a price.
  await expect(page.getByTestId("catalogue-date")).toContainText("Catalogue as of 2026-12-04");
  await expect(page.getByTestId("unpriced-count")).toContainText("no price");

  await search(user, "gpt");
  await expect(option(user, "gpt-4.1")).toBeVisible();
  await expect(option(user, WITHHELD)).toHaveCount(0);

  const origin = new URL(user.url()).origin;
  const crafted = await user.request.post("/api/conversations/create", {
    form: { model: WITHHELD },
    headers: { origin },
  });
  expect(crafted.status()).toBe(403);
  expect(await crafted.text()).toContain("is not available to your account (user role)");

  // Allowed again: listed for the user (the key's list is read in the background).
  await setUserAccess(page, true);
  await expect(async () => {
    await search(user, "test");
    await expect(option(user, WITHHELD)).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(option(user, WITHHELD)).toContainText("price unknown");
  await user.close();
});

test("the picker is searched and a pinned model comes first", async ({ page }) => {
  await register(page, `picker-${test.info().project.name}-${Date.now()}@example.com`);
  await addOpenAiKey(page);
  // The words typed, in any order and case, in the name or the id.
  await search(page, "MINI 4o");
  await expect(page.getByTestId("model-option")).toHaveCount(1);
  const mini = option(page, "gpt-4o-mini");
  await expect(mini).toContainText("GPT-4o mini");
  await expect(mini).toContainText("128K context");
  await expect(mini).toContainText("$0.15 / $0.60 per M tokens");
  await mini.getByTestId("model-pin").click();
  await expect(mini.getByTestId("model-pin")).toHaveAttribute("aria-pressed", "true");

  // Kept: after a reload the pinned model heads the list and starts new chats.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("model-picker")).toHaveAttribute("data-model", "gpt-4o-mini");
  await page.getByTestId("model-picker-button").click();
  const first = page.locator(".model-picker__section").first();
  await expect(first.getByRole("heading")).toHaveText("Pinned");
  await expect(first.getByTestId("model-option")).toHaveAttribute("data-model", "gpt-4o-mini");
  // Escape closes it; a choice is made by a tap or a click.
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("model-search")).toHaveCount(0);
});
