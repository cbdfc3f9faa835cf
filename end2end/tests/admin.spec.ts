// The operator: the seeded admin creates an account; its owner must choose
// a new password before anything else.
import { test, expect } from "@playwright/test";
import { hydrated, openAccountMenu, signIn, signInAsSeededUser } from "./helpers";

test("an admin creates an account with a one-time password", async ({ page, browser }) => {
  await signIn(page, "admin@vibebot.local", "password123");
  await openAccountMenu(page);
  await page.getByRole("link", { name: "Administration" }).click();
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  await hydrated(page);

  const email = `made-${test.info().project.name}-${Date.now()}@example.com`;
  const create = page.getByRole("region", { name: "Create an account" });
  await create.getByLabel("Email").fill(email);
  await create.getByLabel("Name (optional)").fill("Made By Admin");
  await create.getByRole("button", { name: "Create account" }).click();
  const password = (await page.getByTestId("one-time-password").innerText()).trim();
  expect(password).toHaveLength(16);

  // The list finds the new account by search.
  await page.getByLabel("Search users").fill(email);
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  await expect(page.getByTestId("user-row")).toContainText("one-time password");

  // The newcomer signs in and is sent to choose a password.
  const other = await browser.newContext();
  const newcomer = await other.newPage();
  await newcomer.goto("/login");
  await hydrated(newcomer);
  await newcomer.getByLabel("Email").fill(email);
  await newcomer.getByLabel("Password").fill(password);
  await newcomer.getByRole("button", { name: "Sign in" }).click();
  await expect(newcomer).toHaveURL(/\/settings\/profile$/);
  await expect(newcomer.getByTestId("must-change-password")).toBeVisible();
  await hydrated(newcomer);
  const section = newcomer.getByRole("region", { name: "Password" });
  await section.getByLabel("Current password").fill(password);
  await section.getByLabel("New password").fill("a password of my own");
  await section.getByRole("button", { name: "Change password" }).click();
  await expect(newcomer.getByTestId("must-change-password")).toHaveCount(0);
  await other.close();

  // Back in the list: no longer on a one-time password; then delete it.
  await page.reload();
  await hydrated(page);
  await page.getByLabel("Search users").fill(email);
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  await expect(page.getByTestId("user-row")).not.toContainText("one-time password");
  await page.getByTestId("user-row").getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Delete for good" }).click();
  await expect(page.getByTestId("toasts")).toContainText("User deleted");
  await expect(page.getByTestId("user-row")).toHaveCount(0);
});

test("the admin page is for admins only", async ({ page }) => {
  await signInAsSeededUser(page);
  await openAccountMenu(page);
  await expect(page.getByRole("link", { name: "Administration" })).toHaveCount(0);
  // One refusal, not the admin page's cards each failing on its own.
  for (const path of ["/admin", "/admin/usage", "/admin/models"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(403);
    await expect(page.getByTestId("forbidden")).toContainText("Only administrators can see the administration pages");
    await expect(page.getByText("Only administrators can do this")).toHaveCount(0);
  }
});
