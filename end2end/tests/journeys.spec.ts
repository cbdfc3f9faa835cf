// The product journeys of the UI issue, at desktop and phone sizes (see the
// projects in playwright.config.ts).
import { test, expect } from "@playwright/test";
import {
  hydrated, lastAnswer, newChat, openAccountMenu, register, say, signInAsSeededUser,
} from "./helpers";

const unique = (what: string) => `${what}-${test.info().project.name}-${Date.now()}@example.com`;

test("first run: no key yet, add one, the first chat streams", async ({ page }) => {
  await register(page, unique("first-run"));
  await expect(page.getByTestId("no-models")).toBeVisible();
  await page.getByRole("link", { name: "Add an API key" }).click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Provider").selectOption("CLAUDE");
  await page.getByLabel("API key").fill("sk-ant-api03-first-run-journey-key-0000");
  await page.getByRole("button", { name: "Save key" }).click();
  await expect(page.getByText("Key saved.")).toBeVisible();

  await newChat(page);
  await expect(page.getByRole("list", { name: "Example prompts" })).toBeVisible();
  await say(page, "My very first question [tokens=25] [delay=40]");
  await expect(page).toHaveURL(/\/c\/[a-z0-9]+$/);
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "streaming");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete", { timeout: 15_000 });
  await expect(lastAnswer(page).getByTestId("message-text")).toContainText("tok25");
  await expect(page.getByTestId("conversation-title")).toHaveText("My very first question [tokens=25] [delay=40]");
});

test("an example prompt starts a conversation", async ({ page }) => {
  await signInAsSeededUser(page);
  await newChat(page);
  const example = page.getByRole("list", { name: "Example prompts" }).getByRole("button").first();
  const text = (await example.innerText()).trim();
  await example.click();
  await expect(page).toHaveURL(/\/c\/[a-z0-9]+$/);
  await expect(page.getByTestId("user-message").first().getByTestId("message-text")).toHaveText(text);
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
});

test("the dark theme is remembered across reloads and devices", async ({ page, browser }) => {
  const email = unique("theme");
  await register(page, email);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();

  await openAccountMenu(page);
  await page.getByRole("radio", { name: "Dark" }).check();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect.poll(background).not.toBe(light);
  const dark = await background();

  // The server renders the chosen theme from the first byte.
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await background()).toBe(dark);

  // Another device: signing in brings the choice along.
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto("/login");
  await hydrated(second);
  await second.getByLabel("Email").fill(email);
  await second.getByLabel("Password").fill("a long enough password");
  await second.getByRole("button", { name: "Sign in" }).click();
  await expect(second.getByTestId("signed-in-as")).toBeVisible();
  await second.reload();
  await expect(second.locator("html")).toHaveAttribute("data-theme", "dark");
  await other.close();

  // Back to following the system.
  await openAccountMenu(page);
  await page.getByRole("radio", { name: "System" }).check();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
  await expect.poll(background).toBe(light);
});

test("keyboard only: new chat, send, stop, regenerate", async ({ page }) => {
  await signInAsSeededUser(page);
  // Ctrl+Shift+O opens the start page with the message box focused.
  await page.keyboard.press("Control+Shift+O");
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  await expect(page.getByLabel("Message", { exact: true })).toBeFocused();
  await page.keyboard.type("Count for me [tokens=400] [delay=30]");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/c\/[a-z0-9]+$/);
  await expect(lastAnswer(page).getByTestId("message-text")).toContainText("tok3");
  // Focus stays in the message box, where Escape stops the answer.
  await expect(page.getByLabel("Message", { exact: true })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "stopped");

  // Tab backwards from the message box to "Regenerate".
  let found = false;
  for (let i = 0; i < 8 && !found; i++) {
    await page.keyboard.press("Shift+Tab");
    found = (await page.evaluate(() => document.activeElement?.textContent?.trim())) === "Regenerate";
  }
  expect(found).toBe(true);
  await page.keyboard.press("Enter");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "streaming");
  // Focus returns to the message box once the new answer starts.
  await expect(page.getByLabel("Message", { exact: true })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "stopped");
  await expect(page.getByTestId("assistant-message")).toHaveCount(1);
});

test("nothing overflows sideways", async ({ page }) => {
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.goto("/");
  expect(await overflow(), "landing").toBeLessThanOrEqual(0);
  await signInAsSeededUser(page);
  for (const path of ["/", "/settings/keys", "/settings/profile"]) {
    await page.goto(path);
    await hydrated(page);
    expect(await overflow(), path).toBeLessThanOrEqual(0);
  }
  // A wide answer (code and a table) scrolls inside itself, not the page.
  await newChat(page);
  await say(page, "[markdown]");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  expect(await overflow(), "conversation").toBeLessThanOrEqual(0);
});
