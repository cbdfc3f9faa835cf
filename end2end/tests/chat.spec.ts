import { test, expect, Page } from "@playwright/test";

async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
}

async function signInAsSeededUser(page: Page) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill("user@vibebot.local");
  await page.getByLabel("Password").fill("password123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
}

async function newChat(page: Page) {
  await page.getByRole("button", { name: "New chat" }).click();
  await expect(page).toHaveURL(/\/c\/[a-z0-9]+$/);
  await hydrated(page);
  await expect(page.getByTestId("model-picker")).toBeVisible();
}

async function say(page: Page, text: string) {
  const box = page.getByLabel("Message");
  await box.fill(text);
  await box.press("Enter");
}

const lastAnswer = (page: Page) => page.getByTestId("assistant-message").last();

test("send, watch tokens arrive, stop, reload mid-answer, system prompt", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await signInAsSeededUser(page);
  await expect(page.getByTestId("conversation-link").first()).toBeVisible();

  await newChat(page);
  await page.getByTestId("model-picker").selectOption("claude-sonnet-4-5");
  await say(page, "Hello there [tokens=30] [delay=40]");
  await expect(page.getByTestId("user-message").last()).toContainText("Hello there");
  // Tokens arrive while the answer is still streaming.
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "streaming");
  await expect(lastAnswer(page).getByTestId("message-text")).toContainText("tok3");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete", { timeout: 15_000 });
  await expect(lastAnswer(page).getByTestId("message-text")).toContainText("tok30");
  await expect(lastAnswer(page).getByTestId("answer-footer")).toContainText("claude-sonnet-4-5");
  // 30 output tokens at $15/M plus a few input tokens at $3/M: the header sums the answers.
  await expect(page.getByTestId("conversation-cost")).toHaveText("$0.0005");
  // The first message named the conversation.
  await expect(page.getByTestId("conversation-title")).toHaveText("Hello there [tokens=30] [delay=40]");

  // Stop keeps what was written.
  await say(page, "[tokens=400] [delay=30]");
  await expect(lastAnswer(page).getByTestId("message-text")).toContainText("tok5");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "stopped");
  const stopped = await lastAnswer(page).getByTestId("message-text").innerText();
  expect(stopped).not.toContain("tok400");

  // A reload mid-answer re-attaches and the answer continues.
  await say(page, "[tokens=60] [delay=50]");
  await expect(lastAnswer(page).getByTestId("message-text")).toContainText("tok5");
  await page.reload();
  await hydrated(page);
  await expect(lastAnswer(page).getByTestId("message-text")).toContainText("tok60", { timeout: 15_000 });
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");

  // The system prompt applies to the next answer.
  await page.locator("summary", { hasText: "System prompt" }).click();
  await page.getByLabel("System prompt").fill("Speak like a pirate.");
  await page.getByRole("button", { name: "Save system prompt" }).click();
  await expect(page.getByText("Saved: applies to the next answer.")).toBeVisible();
  await say(page, "[echo-system]");
  await expect(lastAnswer(page).getByTestId("message-text")).toHaveText("system: Speak like a pirate.");

  // Switching model mid-conversation: the answer records it.
  await page.getByTestId("model-picker").selectOption("gpt-4o");
  await say(page, "and now?");
  await expect(lastAnswer(page).getByTestId("answer-footer")).toContainText("gpt-4o");
  expect(dialogs).toEqual([]);
});

test("markup in messages stays inert text", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await signInAsSeededUser(page);
  await newChat(page);
  const payload = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(2)</script>";
  await say(page, payload);
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await expect(page.getByTestId("user-message").last().getByTestId("message-text")).toHaveText(payload);
  await expect(lastAnswer(page).getByTestId("message-text")).toContainText("<img src=x onerror=alert(1)>");
  await expect(page.getByTestId("messages").locator("img, script, a[href^='javascript']")).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("messages").locator("img, script, a[href^='javascript']")).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test("regenerate, edit the last message, rename and delete", async ({ page }) => {
  await signInAsSeededUser(page);
  await newChat(page);
  await page.getByTestId("model-picker").selectOption("claude-haiku-4-5");
  await say(page, "first try [tokens=4] [error-event]");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "error");
  await expect(lastAnswer(page).getByRole("alert")).toContainText("The answer failed");

  // Edit the failed question and resend it.
  await page.getByRole("button", { name: "Edit last message" }).click();
  await expect(page.getByLabel("Message")).toHaveValue("first try [tokens=4] [error-event]");
  await page.getByLabel("Message").fill("second try");
  await page.getByLabel("Message").press("Enter");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await expect(lastAnswer(page).getByTestId("message-text")).toHaveText("You said: second try");
  await expect(page.getByTestId("user-message")).toHaveCount(1);
  await expect(page.getByTestId("assistant-message")).toHaveCount(1);

  // Regenerate replaces the answer.
  await page.getByRole("button", { name: "Regenerate" }).click();
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await expect(page.getByTestId("assistant-message")).toHaveCount(1);

  // Rename, then delete (with confirmation).
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Title").fill("Renamed in the browser");
  await page.getByLabel("Title").press("Enter");
  await expect(page.getByTestId("conversation-title")).toHaveText("Renamed in the browser");
  await expect(page.getByTestId("conversation-link").filter({ hasText: "Renamed in the browser" })).toBeVisible();
  const url = page.url();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Delete for good" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("conversation-link").filter({ hasText: "Renamed in the browser" })).toHaveCount(0);
  await page.goto(url);
  await expect(page.getByRole("alert")).toContainText("Conversation not found");
});
