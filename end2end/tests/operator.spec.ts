// The operator's journeys: an admin limits a new account, whose owner meets
// the limit with a clear message and sees what the answers cost; templates
// carry a conversation's settings into a new one.
import { test, expect, Page } from "@playwright/test";
import { addKey, hydrated, lastAnswer, newChat, openAccountMenu, register, say } from "./helpers";

const unique = (what: string) => `${what}-${test.info().project.name}-${Date.now()}@example.com`;

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const addClaudeKey = (page: Page) => addKey(page, "CLAUDE", "sk-ant-api03-operator-journey-key-0000");

test("an admin limits a user to 2 messages a minute; the third is refused clearly", async ({ page, browser }) => {
  await signIn(page, "admin@vibebot.local", "password123");
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
  await page.goto("/admin");
  await hydrated(page);
  const email = unique("limited");
  const create = page.getByRole("region", { name: "Create an account" });
  await create.getByLabel("Email").fill(email);
  await create.getByRole("button", { name: "Create account" }).click();
  const password = (await page.getByTestId("one-time-password").innerText()).trim();

  await page.getByLabel("Search users").fill(email);
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  await page.getByTestId("user-row").getByRole("button", { name: "Limits" }).click();
  const limits = page.getByTestId("user-limits").filter({ visible: true });
  await expect(limits).toBeVisible();
  await expect(limits.getByLabel(`Messages per minute (${email})`)).toHaveAttribute("placeholder", /default: none/);
  await limits.getByLabel(`Messages per minute (${email})`).fill("2");
  await limits.getByRole("button", { name: "Save limits" }).click();
  await expect(page.getByTestId("toasts")).toContainText(`Limits saved for ${email}`);

  // The newcomer chooses a password, adds a key and chats.
  const context = await browser.newContext();
  const user = await context.newPage();
  await signIn(user, email, password);
  await expect(user).toHaveURL(/\/settings\/profile$/);
  await hydrated(user);
  const section = user.getByRole("region", { name: "Password" });
  await section.getByLabel("Current password").fill(password);
  await section.getByLabel("New password").fill("a password of my own");
  await section.getByRole("button", { name: "Change password" }).click();
  await expect(user.getByTestId("must-change-password")).toHaveCount(0);
  await addClaudeKey(user);

  await newChat(user);
  await say(user, "one");
  await expect(user).toHaveURL(/\/c\/[a-z0-9]+$/);
  await expect(lastAnswer(user)).toHaveAttribute("data-status", "complete");
  await say(user, "two");
  await expect(user.getByTestId("assistant-message")).toHaveCount(2);
  await expect(lastAnswer(user)).toHaveAttribute("data-status", "complete");
  const cost = (await user.getByTestId("conversation-cost").innerText()).trim();
  await say(user, "three");
  await expect(user.getByRole("alert")).toContainText("You have reached your limit of 2 messages per minute; try again in");
  // Nothing is lost: the refused message is back in the box, and not stored.
  await expect(user.getByLabel("Message", { exact: true })).toHaveValue("three");
  await expect(user.getByTestId("user-message")).toHaveCount(2);

  // The Usage page shows the cost of the two answers and the limit.
  await openAccountMenu(user);
  await user.getByRole("link", { name: "Usage" }).click();
  await expect(user.getByRole("heading", { name: "Usage" })).toBeVisible();
  await expect(user.getByTestId("usage-month")).toContainText(cost);
  await expect(user.getByTestId("usage-month")).toContainText("2 answers");
  await expect(user.getByTestId("my-limits")).toContainText("Messages in the last minute");
  await expect(user.getByTestId("my-limits")).toContainText("2 of 2");
  await context.close();
});

test("a template carries a conversation's settings into a new chat", async ({ page }) => {
  await register(page, unique("templates"));
  await addClaudeKey(page);
  await newChat(page);
  await say(page, "set me up");
  await expect(page).toHaveURL(/\/c\/[a-z0-9]+$/);
  await hydrated(page);
  await page.locator("summary", { hasText: "System prompt" }).click();
  await page.getByLabel("System prompt").fill("You are a careful reviewer.");
  await page.getByLabel("Temperature").fill("0.2");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("generation-summary")).toHaveText("Temperature 0.2");
  await page.getByPlaceholder("Template name").fill("Reviewer");
  await page.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Template “Reviewer” saved");

  await newChat(page);
  await page.getByTestId("template-picker").selectOption({ label: "Reviewer" });
  await expect(page.getByTestId("template-summary")).toContainText("Temperature 0.2 · System prompt: You are a careful reviewer.");
  await say(page, "[echo-params]");
  await expect(page).toHaveURL(/\/c\/[a-z0-9]+$/);
  await expect(lastAnswer(page).getByTestId("message-text")).toHaveText("temperature=0.20 top_p=none max_tokens=8192");
  await say(page, "[echo-system]");
  await expect(lastAnswer(page).getByTestId("message-text")).toHaveText("system: You are a careful reviewer.");

  // The Templates page lists it and deletes it.
  await openAccountMenu(page);
  await page.getByRole("link", { name: "Templates" }).click();
  await expect(page.getByRole("heading", { name: "Templates" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("template")).toHaveCount(1);
  await page.getByTestId("template").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("no-templates")).toBeVisible();
});
