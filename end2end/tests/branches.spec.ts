// Branching (issue #28): an edit or a regeneration adds a version beside
// the old one, the ‹ n / m › switcher moves between them, the branch shown is
// stored on the server, a branch can become a chat of its own or be deleted.
import { expect, test } from "@playwright/test";
import { conversationOfTurns, hydrated, lastAnswer, signInAsSeededUser } from "./helpers";

test("edit, switch back and forth, reload, regenerate, branch into a new chat, delete a branch", async ({
  page,
}) => {
  await signInAsSeededUser(page);
  const title = `Branches ${test.info().project.name} ${Date.now()}`;
  const id = await conversationOfTurns(page, title, 3);
  await page.goto(`/c/${id}`);
  await hydrated(page);
  const questions = page.getByTestId("user-message");
  const answers = page.getByTestId("assistant-message");
  await expect(questions).toHaveCount(3);

  // Edit the first question in place: a second version, answered anew.
  await questions.first().getByRole("button", { name: "Edit" }).click();
  const editor = questions.first().getByLabel("Edit your message");
  await expect(editor).toHaveValue("Question 1: what comes after 1?");
  await editor.fill("Question 1, again: what comes before 1?");
  await editor.press("Enter");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await expect(lastAnswer(page).getByTestId("message-text")).toHaveText(
    "You said: Question 1, again: what comes before 1?",
  );
  await expect(questions).toHaveCount(1);
  await expect(questions.first().getByRole("group", { name: "Question 2 of 2" })).toBeVisible();

  // Back to the first version: its later messages are all there; and forth.
  await questions.first().getByRole("button", { name: "Previous question" }).click();
  await expect(questions).toHaveCount(3);
  await expect(questions.first().getByRole("group", { name: "Question 1 of 2" })).toBeVisible();
  await expect(questions.nth(2)).toContainText("Question 3: what comes after 3?");
  await expect(answers).toHaveCount(3);
  await questions.first().getByRole("button", { name: "Next question" }).click();
  await expect(questions).toHaveCount(1);
  await expect(questions.first()).toContainText("what comes before 1?");

  // A reload shows the same branch: it is stored on the server.
  await page.reload();
  await hydrated(page);
  await expect(questions).toHaveCount(1);
  await expect(questions.first().getByRole("group", { name: "Question 2 of 2" })).toBeVisible();

  // Regenerate twice: three answers, the newest where the old one was.
  await lastAnswer(page).getByRole("button", { name: "Regenerate" }).click();
  await expect(lastAnswer(page).getByRole("group", { name: "Answer 2 of 2" })).toBeVisible();
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await lastAnswer(page).getByRole("button", { name: "Regenerate" }).click();
  await expect(lastAnswer(page).getByRole("group", { name: "Answer 3 of 3" })).toBeVisible();
  await expect(lastAnswer(page).getByTestId("versions")).toContainText("3 / 3");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "complete");
  await expect(answers).toHaveCount(1);

  // Branch into a new chat from the answer: the path up to it, copied.
  await lastAnswer(page).getByRole("button", { name: "More actions" }).click();
  await lastAnswer(page).getByRole("button", { name: "Branch into new chat" }).click();
  await expect(page).not.toHaveURL(new RegExp(`/c/${id}$`));
  await expect(page.getByTestId("conversation-title")).toHaveText(`${title} (branch)`);
  await expect(questions).toHaveCount(1);
  await expect(answers).toHaveCount(1);
  await expect(page.getByTestId("versions")).toHaveCount(0);

  // Delete the edited question's branch: the confirmation counts what goes,
  // hidden versions included; the first branch is shown again.
  await page.goto(`/c/${id}`);
  await hydrated(page);
  await questions.first().getByRole("button", { name: "More actions" }).click();
  await questions.first().getByRole("button", { name: "Delete…" }).click();
  await expect(questions.first().getByRole("group", { name: "Confirm deletion" })).toContainText(
    "Delete this message and 3 after it (2 on other branches)?",
  );
  await questions.first().getByRole("button", { name: "Delete", exact: true }).click();
  await expect(questions).toHaveCount(3);
  await expect(page.getByTestId("versions")).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(questions).toHaveCount(3);
});

test("an answer keeps streaming on its branch while another is shown, and stops from there", async ({
  page,
}) => {
  test.skip(test.info().project.name === "phone", "the same logic at both sizes; the layout is the journey's");
  await signInAsSeededUser(page);
  const id = await conversationOfTurns(page, `Streaming branches ${Date.now()}`, 1);
  await page.goto(`/c/${id}`);
  await hydrated(page);
  const question = page.getByTestId("user-message").first();
  const answerText = lastAnswer(page).getByTestId("message-text");
  await question.getByRole("button", { name: "Edit" }).click();
  await question.getByLabel("Edit your message").fill("Count slowly [tokens=1500] [delay=20]");
  await question.getByLabel("Edit your message").press("Enter");
  await expect(answerText).toContainText("tok3");

  // Away to the first version while the answer is written: Stop stays.
  await question.getByRole("button", { name: "Previous question" }).click();
  await expect(answerText).toHaveText("You said: Question 1: what comes after 1?");
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  // Back: the answer is there and still growing.
  await question.getByRole("button", { name: "Next question" }).click();
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "streaming");
  await expect(answerText).toContainText("tok60");
  // Stopped from the other branch, and kept.
  await question.getByRole("button", { name: "Previous question" }).click();
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Stop" })).toHaveCount(0);
  await question.getByRole("button", { name: "Next question" }).click();
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "stopped");
  await expect(answerText).toContainText("tok60");
});
