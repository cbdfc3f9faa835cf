// Each main page: an accessibility scan (axe-core) with no serious or
// critical violation, in the light and the dark theme, nothing refused by the
// Content-Security-Policy (the WASM hydrates under it), and a screenshot in
// end2end/screenshots/ (the README shows a few of them, copied to docs/).
import { test, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { conversationOfTurns, hydrated, lastAnswer, pickModel, say, newChat, signInAsSeededUser } from "./helpers";

// Whatever the Content-Security-Policy refuses, chromium reports on the console.
const refused = new WeakMap<Page, string[]>();
test.beforeEach(({ page }) => {
  const messages: string[] = [];
  refused.set(page, messages);
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) messages.push(m.text());
  });
});

async function check(page: Page, name: string) {
  await hydrated(page);
  expect(refused.get(page), `${name}: refused by the Content-Security-Policy`).toEqual([]);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    expect(bad, `${name} in ${scheme}`).toEqual([]);
    await page.screenshot({
      path: `screenshots/${test.info().project.name}/${name}-${scheme}.png`,
      fullPage: false,
    });
  }
  await page.emulateMedia({ colorScheme: null });
}

test("signed-out pages", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/");
  await check(page, "landing");
  await page.goto("/login");
  await check(page, "sign-in");
  await page.goto("/register");
  await check(page, "sign-up");
  await page.goto("/no-such-page");
  await check(page, "not-found");
});

test("signed-in pages", async ({ page }) => {
  test.setTimeout(200_000); // nine views, two themes, each scanned
  await signInAsSeededUser(page);
  await page.goto("/");
  await check(page, "start");
  await page.getByTestId("model-picker-button").click();
  await expect(page.getByTestId("model-search")).toBeFocused();
  await check(page, "model-picker");
  await page.keyboard.press("Escape");
  await newChat(page);
  await pickModel(page, "claude-sonnet-4-5");
  await say(page, "[markdown]");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await check(page, "conversation");
  await page.locator("summary", { hasText: "System prompt" }).click();
  await expect(page.getByLabel("Temperature")).toBeVisible();
  await check(page, "conversation-settings");
  // Longer than a page of messages: the button for earlier ones shows.
  const long = `A long conversation ${test.info().project.name} ${Date.now()}`;
  await page.goto(`/c/${await conversationOfTurns(page, long, 60)}`);
  await hydrated(page);
  await check(page, "long-conversation");
  await page.goto("/settings/keys");
  await check(page, "keys");
  await page.goto("/settings/profile");
  await check(page, "profile");
  await page.goto("/usage");
  await expect(page.getByTestId("usage-chart")).toBeVisible();
  await expect(page.getByTestId("usage-by-model")).toContainText("claude-sonnet-4-5");
  await expect(page.getByTestId("my-limits")).toBeVisible();
  await check(page, "usage");
  await page.goto("/templates");
  await expect(page.getByRole("heading", { name: "Templates" })).toBeVisible();
  await check(page, "templates");
});

test("admin page", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill("admin@vibebot.local");
  await page.getByLabel("Password").fill("password123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
  await page.goto("/admin");
  await expect(page.getByTestId("user-row").first()).toBeVisible();
  await check(page, "admin");
  await page.getByTestId("user-row").first().getByRole("button", { name: "Limits" }).click();
  await expect(page.getByTestId("user-limits").filter({ visible: true })).toBeVisible();
  await check(page, "admin-user-limits");
  await page.goto("/admin/usage");
  await expect(page.getByRole("heading", { name: "Usage of all users" })).toBeVisible();
  await check(page, "admin-usage");
  await page.goto("/admin/models");
  await expect(page.getByTestId("model-admin-row").first()).toBeVisible();
  await check(page, "admin-models");
});
