import { test, expect, Page } from "@playwright/test";
import { hydrated } from "./helpers";

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("register, sign out, sign in again and land where I was going", async ({ page }) => {
  const email = `e2e-${Date.now()}@example.com`;
  const password = "a long enough password";

  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name (optional)").fill("Ada E2E");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Hello, Ada E2E" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText("Ada E2E");

  await page.getByTestId("signed-in-as").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);

  // A protected page sends a visitor to sign in, and back afterwards.
  await page.goto("/settings/profile");
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)settings(%2F|\/)profile$/);
  await hydrated(page);
  await signIn(page, email, "the wrong password");
  await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect");
  await signIn(page, email, password);
  await expect(page).toHaveURL(/\/settings\/profile$/);
  await expect(page.getByRole("heading", { name: "Profile" })).toBeVisible();

  // Signed in, /login is not for me any more.
  await page.goto("/login");
  await expect(page).toHaveURL(/\/$/);
});

test("profile: change the display name and see it in the header", async ({ page }) => {
  const email = `e2e-name-${Date.now()}@example.com`;
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("another long password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);

  await page.goto("/settings/profile");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Grace");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("status")).toHaveText("Name saved.");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Grace");
});

for (const [email, role] of [
  ["admin@vibebot.local", "Admin"],
  ["user@vibebot.local", null],
] as const) {
  test(`the seeded ${email} can sign in`, async ({ page }) => {
    await page.goto("/login");
    await hydrated(page);
    await signIn(page, email, "password123");
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId("signed-in-as")).toBeVisible();
    if (role) {
      await expect(page.locator(".badge")).toHaveText(role);
    } else {
      await expect(page.locator(".badge")).toHaveCount(0);
    }
  });
}
