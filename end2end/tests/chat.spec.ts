import { test, expect } from "@playwright/test";
import { call, closeSidebar, conversationOfTurns, hydrated, lastAnswer, newChat, openSidebar, pickModel, register, say, signInAsSeededUser } from "./helpers";

test("send, watch tokens arrive, stop, reload mid-answer, system prompt", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await signInAsSeededUser(page);
  await openSidebar(page);
  await expect(page.getByTestId("conversation-link").first()).toBeVisible();

  await newChat(page);
  await pickModel(page, "claude-sonnet-4-5");
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

  // The system prompt and generation settings apply to the next answer.
  await page.locator("summary", { hasText: "System prompt" }).click();
  await page.getByLabel("System prompt").fill("Speak like a pirate.");
  await page.getByLabel("Temperature").fill("0.3");
  await page.getByLabel("Max output tokens").fill("500");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Saved: applies to the next answer.")).toBeVisible();
  await expect(page.getByTestId("generation-summary")).toHaveText("Temperature 0.3 · Max 500 tokens");
  await say(page, "[echo-system]");
  await expect(lastAnswer(page).getByTestId("message-text")).toHaveText("system: Speak like a pirate.");
  await say(page, "[echo-params]");
  await expect(lastAnswer(page).getByTestId("message-text")).toHaveText("temperature=0.30 top_p=none max_tokens=500");
  // A value the model does not take is explained, not sent.
  await page.getByLabel("Temperature").fill("1.7");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("alert")).toContainText("between 0 and 1");
  await page.getByLabel("Temperature").fill("0.3");
  await page.getByRole("button", { name: "Save settings" }).click();

  // Switching model mid-conversation: the answer records it.
  await pickModel(page, "gpt-4.1");
  await say(page, "and now?");
  await expect(lastAnswer(page).getByTestId("answer-footer")).toContainText("gpt-4.1");
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

test("answers render as markdown with highlighted, copyable code", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await signInAsSeededUser(page);
  await newChat(page);
  await say(page, "[markdown] [delay=5]");
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute("data-status", "complete");
  const text = answer.getByTestId("message-text");
  await expect(text.locator("strong")).toHaveText("bold");
  await expect(text.locator("table td").first()).toHaveText("Sonnet");
  await expect(text.locator("li")).toHaveCount(2);
  await expect(text.locator("code.language-rust .tok-k").first()).toHaveText("fn");
  // Links open in a new tab without leaking the page; images are never fetched.
  const link = text.getByRole("link", { name: "safe link" });
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", /noopener/);
  await expect(text.locator("img")).toHaveCount(0);
  await expect(text).toContainText("[image: tracker]");
  expect(requests.filter((u) => u.includes("tracker.example"))).toEqual([]);

  await answer.getByRole("button", { name: "Copy code" }).click();
  await expect(answer.getByRole("button", { name: "Copy code" })).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    'fn main() {\n    println!("hello"); // greet\n}\n',
  );
  await answer.getByRole("button", { name: "Copy message" }).click();
  await expect(answer.getByRole("button", { name: "Copy message" })).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("| Model | Price |");

  // The server renders the same markdown before any WASM runs.
  await page.reload();
  await expect(lastAnswer(page).getByTestId("message-text").locator("code.language-rust")).toBeVisible();
});

test("retry, edit, regenerate, rename and delete", async ({ page }) => {
  await signInAsSeededUser(page);
  await newChat(page);
  await pickModel(page, "claude-haiku-4-5");
  await say(page, "first try [tokens=4] [error-event]");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "error");
  await expect(lastAnswer(page).getByRole("alert")).toContainText("The answer failed");

  await expect(lastAnswer(page).getByRole("button", { name: "Retry" })).toBeVisible();

  // Edit the failed question in place (Esc leaves it as it was), and ask it anew.
  const question = page.getByTestId("user-message");
  await question.getByRole("button", { name: "Edit" }).click();
  await question.getByLabel("Edit your message").press("Escape");
  await expect(question.getByTestId("message-text")).toHaveText("first try [tokens=4] [error-event]");
  await question.getByRole("button", { name: "Edit" }).click();
  await expect(question.getByLabel("Edit your message")).toHaveValue("first try [tokens=4] [error-event]");
  await question.getByLabel("Edit your message").fill("second try");
  await question.getByRole("button", { name: "Save and ask" }).click();
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await expect(lastAnswer(page).getByTestId("message-text")).toHaveText("You said: second try");
  await expect(page.getByTestId("user-message")).toHaveCount(1);
  await expect(page.getByTestId("assistant-message")).toHaveCount(1);

  // Regenerate shows the new answer in the old one's place.
  await lastAnswer(page).getByRole("button", { name: "Regenerate" }).click();
  await expect(lastAnswer(page).getByRole("group", { name: "Answer 2 of 2" })).toBeVisible();
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await expect(page.getByTestId("assistant-message")).toHaveCount(1);

  // Rename, then delete (with confirmation).
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await page.getByLabel("Title").fill("Renamed in the browser");
  await page.getByLabel("Title").press("Enter");
  await expect(page.getByTestId("conversation-title")).toHaveText("Renamed in the browser");
  await openSidebar(page);
  await expect(page.getByTestId("conversation-link").filter({ hasText: "Renamed in the browser" })).toBeVisible();
  await closeSidebar(page);
  const url = page.url();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("button", { name: "Delete for good" }).click();
  await expect(page).toHaveURL(/\/$/);
  await openSidebar(page);
  await expect(page.getByTestId("conversation-link").filter({ hasText: "Renamed in the browser" })).toHaveCount(0);
  await page.goto(url);
  await expect(page.getByRole("alert")).toContainText("Conversation not found");
});

test("search finds a conversation by a word in one of its messages", async ({ page }) => {
  await signInAsSeededUser(page);
  await newChat(page);
  // Unique per run: the desktop and phone runs share one database.
  const word = `marmalade${Date.now()}`;
  const title = `Plans for the weekend ${test.info().project.name}`;
  await say(page, title);
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await say(page, `Remember the ${word} recipe`);
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  const url = page.url();

  await page.goto("/");
  await hydrated(page);
  await page.keyboard.press("Control+k");
  await expect(page.getByTestId("conversation-search")).toBeFocused();
  await page.keyboard.type(word.toUpperCase());
  const results = page.getByTestId("search-results");
  await expect(results.getByTestId("conversation-link")).toHaveCount(1);
  await expect(results.getByTestId("conversation-link")).toHaveText(title);
  await results.getByTestId("conversation-link").click();
  // Opened on the branch of the message found.
  await expect(page).toHaveURL(new RegExp(`^${url}\\?m=[a-z0-9]+$`));

  await openSidebar(page);
  await page.getByTestId("conversation-search").fill("no-such-word-anywhere");
  await expect(page.getByText("No conversation matches.")).toBeVisible();
  await page.getByTestId("conversation-search").press("Escape");
  await expect(page.getByTestId("conversation-search")).toHaveValue("");
  await openSidebar(page); // Escape also closes the phone drawer
  await expect(page.getByTestId("conversation-link").first()).toBeVisible();
});

test("a long conversation opens at its end and loads older messages on scroll", async ({ page }) => {
  await signInAsSeededUser(page);
  // 100 turns, 200 messages: two pages of 100.
  const title = `A long conversation ${test.info().project.name} ${Date.now()}`;
  await page.goto(`/c/${await conversationOfTurns(page, title, 100)}`);
  await hydrated(page);
  // The latest page: the last answer is in view, the first question is not loaded yet.
  await expect(lastAnswer(page)).toContainText("You said: Question 100: what comes after 100?");
  await expect(lastAnswer(page)).toBeInViewport();
  await expect(page.getByTestId("user-message").filter({ hasText: "Question 1:" })).toHaveCount(0);
  // Scrolling to the top loads the older page.
  await page.getByTestId("messages").evaluate((el) => { el.scrollTop = 0; });
  await expect(page.getByTestId("user-message").filter({ hasText: "Question 1: what" })).toHaveCount(1);
  await expect(page.getByTestId("user-message")).toHaveCount(100);
  await expect(page.getByRole("button", { name: "Load earlier messages" })).toHaveCount(0);
});

test("a second tab follows the same answer live", async ({ page, context }) => {
  await signInAsSeededUser(page);
  await newChat(page);
  await say(page, "[tokens=200] [delay=40]");
  await expect(lastAnswer(page).getByTestId("message-text")).toContainText("tok3");
  const second = await context.newPage();
  await second.goto(page.url());
  await hydrated(second);
  await expect(lastAnswer(second)).toHaveAttribute("data-status", "streaming");
  await expect(lastAnswer(second)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  const a = await lastAnswer(page).getByTestId("message-text").innerText();
  const b = await lastAnswer(second).getByTestId("message-text").innerText();
  expect(b).toBe(a);
  expect(a).toContain("tok200");
});

test("rename and delete from the sidebar", async ({ page }) => {
  await signInAsSeededUser(page);
  await newChat(page);
  const title = `Sidebar ${test.info().project.name} ${Date.now()}`;
  await say(page, title);
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await openSidebar(page);
  await page.getByRole("button", { name: `Rename ${title}` }).click();
  await page.getByLabel("New title").fill(`${title} renamed`);
  await page.getByLabel("New title").press("Enter");
  const link = page.getByTestId("conversation-link").filter({ hasText: `${title} renamed` });
  await expect(link).toHaveCount(1);
  await expect(page.getByTestId("toasts")).toContainText("Conversation renamed");

  await page.getByRole("button", { name: `Delete ${title} renamed` }).click();
  await page.getByRole("group", { name: "Confirm deletion" }).getByRole("button", { name: "Delete" }).click();
  // It was the open conversation: back to the start page.
  await expect(page).toHaveURL(/\/$/);
  await openSidebar(page);
  await expect(link).toHaveCount(0);
});

test("the sidebar pages through many conversations: by its button, and as it is scrolled", async ({ page }) => {
  await register(page, `pages-${test.info().project.name}-${Date.now()}@example.com`);
  // 120 conversations of a new account: a first page of 50, then two more.
  const titles = Array.from({ length: 120 }, (_, i) => `Pile ${i + 1}`);
  for (let start = 0; start < titles.length; start += 10) {
    await Promise.all(
      titles.slice(start, start + 10).map(async (title) => {
        const { id } = await call(page, "conversations/create", {});
        await call(page, "conversations/rename", { id, title });
      }),
    );
  }

  await page.goto("/");
  await hydrated(page);
  await openSidebar(page);
  const sidebar = page.locator("#sidebar");
  const links = sidebar.getByTestId("conversation-link");
  await expect(links).toHaveCount(50);
  // A screen taller than the first page: nothing to scroll, so the button
  // is the way to the next one.
  const screen = page.viewportSize()!;
  const listHeight = await sidebar.evaluate((nav) => nav.scrollHeight);
  await page.setViewportSize({ width: screen.width, height: listHeight + 400 });
  await expect.poll(() => sidebar.evaluate((nav) => nav.scrollHeight <= nav.clientHeight)).toBe(true);
  await sidebar.getByRole("button", { name: "Load more" }).click();
  await expect(links).toHaveCount(100);

  // Back on the project's screen, the rest comes as the list is scrolled to its end.
  await page.setViewportSize(screen);
  await sidebar.evaluate((nav) => nav.scrollTo(0, nav.scrollHeight));
  await expect(links).toHaveCount(120);
  await expect(sidebar.getByRole("button", { name: "Load more" })).toHaveCount(0);
  expect((await links.allInnerTexts()).sort()).toEqual([...titles].sort());
});
