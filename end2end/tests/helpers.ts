// What every journey needs: waiting for hydration, signing in, the sidebar
// (a drawer on phones), sending a message.
import { expect, Page } from "@playwright/test";

export const SEEDED_USER = { email: "user@vibebot.local", password: "password123" };

export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
}

export async function signInAsSeededUser(page: Page) {
  await signIn(page, SEEDED_USER.email, SEEDED_USER.password);
}

export async function register(page: Page, email: string, password = "a long enough password") {
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
}

/** On a phone the sidebar is a drawer: open it (a no-op on wide screens). */
export async function openSidebar(page: Page) {
  const toggle = page.getByRole("button", { name: "Conversations" });
  if (await toggle.isVisible()) {
    if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
    await expect(page.locator("#sidebar")).toBeInViewport();
  }
}

/** Closes the phone drawer (Escape), if it is open. */
export async function closeSidebar(page: Page) {
  const toggle = page.getByRole("button", { name: "Conversations" });
  if ((await toggle.isVisible()) && (await toggle.getAttribute("aria-expanded")) === "true") {
    await page.keyboard.press("Escape");
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
  }
}

/** The start page: the first message makes the conversation. */
export async function newChat(page: Page) {
  if (!page.url().includes("/c/") && !page.url().endsWith("/")) {
    await page.goto("/"); // settings pages have no sidebar
    await hydrated(page);
  }
  await openSidebar(page);
  await page.getByRole("link", { name: "New chat" }).click();
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  await expect(page.getByTestId("model-picker")).toBeVisible();
}

export async function openConversation(page: Page, title: string) {
  await openSidebar(page);
  await page.getByTestId("conversation-link").filter({ hasText: title }).first().click();
  await hydrated(page);
}

export async function say(page: Page, text: string) {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

export const lastAnswer = (page: Page) => page.getByTestId("assistant-message").last();

export async function openAccountMenu(page: Page) {
  await page.getByTestId("signed-in-as").click();
  await expect(page.locator("#account-menu")).toBeVisible();
}

/** Chooses `id` in the model picker: open it, search, pick. */
export async function pickModel(page: Page, id: string) {
  const picker = page.getByTestId("model-picker");
  await picker.getByTestId("model-picker-button").click();
  await picker.getByTestId("model-search").fill(id);
  await picker.locator(`[data-testid="model-option"][data-model="${id}"] .model-picker__choose`).click();
  await expect(picker).toHaveAttribute("data-model", id);
}

/** Saves an API key on the keys page. */
export async function addKey(page: Page, provider: "CLAUDE" | "OPENAI", key: string) {
  await page.goto("/settings/keys");
  await hydrated(page);
  await page.getByLabel("Provider").selectOption(provider);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Save key" }).click();
  await expect(page.getByText("Key saved.")).toBeVisible();
}

/** Calls a server function as the page's account (same origin, its cookies); its JSON. */
export async function call(page: Page, endpoint: string, form: Record<string, string>) {
  const origin = new URL(page.url()).origin;
  const response = await page.request.post(`/api/${endpoint}`, { form, headers: { origin } });
  expect(response.status(), `${endpoint}: ${await response.text()}`).toBe(200);
  return response.json();
}

/**
 * A conversation of `turns` questions ("Question n: what comes after n?") and
 * the fake provider's answers, titled `title`, made through the server
 * functions one turn after the other. Returns its id.
 */
export async function conversationOfTurns(page: Page, title: string, turns: number): Promise<string> {
  const { id } = await call(page, "conversations/create", { model: "claude-sonnet-4-5" });
  for (let n = 1; n <= turns; n++) {
    const sent = await call(page, "chat/send", { conversation_id: id, text: `Question ${n}: what comes after ${n}?` });
    // The event stream closes when the answer ends: then the next may be asked.
    const events = await page.request.get(`/api/messages/${sent.assistant_message.id}/events`);
    expect(await events.text()).toContain("event: done");
  }
  await call(page, "conversations/rename", { id, title });
  return id;
}
