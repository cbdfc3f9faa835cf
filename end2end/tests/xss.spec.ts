// Issue #8, the XSS corpus: every payload of xss-payloads.ts goes into every
// text a user controls (messages, answers, titles, key names, display names)
// and is rendered by chromium, server-rendered and in the browser, with
// nothing run, nothing loaded and nothing but text to show for it.
//
// The pages' Content-Security-Policy is bypassed here: it would stop most of
// these even if the escaping failed, and this spec is about the escaping.
// (pages.spec.ts checks that the policy itself refuses nothing of ours.)
import { test as base, expect, Page } from "@playwright/test";
import { PAYLOADS, PAYLOAD_COUNT, SURFACES, asName, asTitle, refusedAsName, refusedAsTitle } from "./xss-payloads";
import type { Payload } from "./xss-payloads";
import { hydrated, register, say } from "./helpers";

/** What the test sees of the pages: alarms, and shortcuts to the server. */
type Guard = {
  /** Fails if anything ran, loaded or appeared that should not have. */
  check(page: Page, where: string): Promise<void>;
  /** Everything raised so far (checked by `check` and after each test). */
  alarms: Set<string>;
  /** Another page of the same user that shows only what the server rendered: the WASM never loads. */
  serverRendered(): Promise<Page>;
  /**
   * Renders pages as the server sent them, one after the other in such a
   * page (same origin, the trap set), and reads `reads` in each: per key, the
   * text of every element the selector finds (or the attribute after `@`).
   */
  renderServerPages(html: string[], reads: Record<string, string>): Promise<Record<string, (string | null)[]>[]>;
  /** Calls a server function as the signed-in user, the way the app does (form-encoded, same origin). */
  call(endpoint: string, form: Record<string, string>): Promise<{ status: number; body: string }>;
  /** A page's HTML as the server renders it for the signed-in user. */
  get(path: string): Promise<string>;
};

/** Where an attacker's resources would come from; payloads use this host. */
const ATTACKER = /(^|\.)(xss|attacker)\.invalid$/;

const test = base.extend<{ guard: Guard }>({
  guard: async ({ context, baseURL }, use) => {
    const app = new URL(baseURL!);
    const alarms = new Set<string>();
    await context.exposeBinding("__xssReport", ({ frame }, what: string) => {
      alarms.add(`${what} (in ${frame.url()})`);
    });
    await context.addInitScript(installTrap);
    context.on("dialog", (dialog) => {
      alarms.add(`dialog ${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    const watchPopups = (p: Page) => p.on("popup", (popup) => alarms.add(`window opened: ${popup.url()}`));
    context.pages().forEach(watchPopups);
    context.on("page", watchPopups);
    context.on("request", (request) => {
      const url = new URL(request.url());
      if (["data:", "blob:", "about:"].includes(url.protocol)) return;
      const ours =
        url.host === app.host &&
        (request.resourceType() === "document" ||
          url.pathname.startsWith("/api/") ||
          url.pathname.startsWith("/pkg/") ||
          url.pathname.startsWith("/favicon."));
      if (!ours || ATTACKER.test(url.hostname)) {
        alarms.add(`request ${request.method()} ${request.url()} (${request.resourceType()})`);
      }
    });
    // Straight from Node with the browser's session cookie (read once it is
    // there): hundreds of calls, each a few milliseconds.
    let cookie = "";
    const session = async () => {
      cookie ||= (await context.cookies(app.origin)).map((c) => `${c.name}=${c.value}`).join("; ");
      return cookie;
    };
    const serverRendered = async () => {
      const ssr = await context.newPage();
      await ssr.route(/\/pkg\/[^?]*\.(js|wasm)(\?.*)?$/, (route) => route.abort());
      return ssr;
    };

    await use({
      alarms,
      async check(page, where) {
        const hits: string[] = await page.evaluate(() => {
          const w = window as any;
          w.__xssSweep();
          return w.__xssHits;
        });
        hits.forEach((hit) => alarms.add(`${hit} (in ${page.url()})`));
        expect([...alarms], where).toEqual([]);
      },
      serverRendered,
      async renderServerPages(html, reads) {
        const host = await serverRendered();
        await host.goto("/xss-pages", { waitUntil: "domcontentloaded" }); // a page of ours: the 404
        // Each page is written into the host's document in turn: the same
        // parser as a navigation, with the trap (which lives on the window)
        // and the watcher (on the document) still in place, in milliseconds.
        const found = await host.evaluate(
          async ({ html, reads }) => {
            const w = window as any;
            const read = (spec: string) => {
              const [selector, attribute] = spec.split("@");
              return Array.from(document.querySelectorAll(selector)).map((el) =>
                attribute !== undefined
                  ? el.getAttribute(attribute)
                  : el.childElementCount === 0
                    ? el.textContent
                    : `elements inside: ${el.innerHTML}`,
              );
            };
            // An image that got through is fetched after the parse, not
            // during it: waiting until it has loaded or failed means its
            // request has been made (and seen) before the page goes.
            const imagesSettled = async () => {
              const pending = Array.from(document.images).filter((img) => !img.complete);
              if (pending.length === 0) return;
              let timer: ReturnType<typeof setTimeout> | undefined;
              await Promise.race([
                Promise.all(
                  pending.map(
                    (img) =>
                      new Promise((done) => ["load", "error"].forEach((e) => img.addEventListener(e, done, { once: true }))),
                  ),
                ),
                new Promise((done) => (timer = setTimeout(done, 5_000))),
              ]);
              clearTimeout(timer);
            };
            const found: Record<string, (string | null)[]>[] = [];
            for (const [index, page] of html.entries()) {
              const before = w.__xssHits.length;
              document.open();
              document.write(page);
              document.close();
              void document.documentElement.offsetHeight; // style and layout, as shown
              await imagesSettled();
              w.__xssSweep();
              const result: Record<string, (string | null)[]> = {
                hits: w.__xssHits.slice(before).map((hit: string) => `${hit} (server-rendered page ${index + 1})`),
              };
              for (const [key, spec] of Object.entries(reads)) result[key] = read(spec);
              found.push(result);
            }
            return found;
          },
          { html, reads },
        );
        await host.close();
        for (const { hits } of found) hits.forEach((hit) => alarms.add(hit as string));
        return found.map(({ hits, ...rest }) => rest);
      },
      async call(endpoint, form) {
        const response = await fetch(`${app.origin}/api/${endpoint}`, {
          method: "POST",
          headers: {
            cookie: await session(),
            origin: app.origin,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams(form).toString(),
        });
        return { status: response.status, body: await response.text() };
      },
      async get(path) {
        const response = await fetch(`${app.origin}${path}`, { headers: { cookie: await session() } });
        expect(response.status, path).toBe(200);
        return response.text();
      },
    });
    expect([...alarms], "after the test").toEqual([]);
  },
});

// Runs before any script of a page, in every frame: records what a payload
// would do if it ever ran, and any element or attribute that could run or
// load something, as it appears (so a streaming answer is watched at every
// step, not only at its end).
function installTrap() {
  const w = window as any;
  if (w.__xssTrap) return;
  w.__xssTrap = true;
  w.__xssHits = [] as string[];
  w.__xssStreamingRenders = 0;
  const report = (what: string) => {
    if (w.__xssHits.includes(what)) return;
    w.__xssHits.push(what);
    // Told to the test at once too: the page may be gone by the next `check`.
    Promise.resolve()
      .then(() => w.__xssReport?.(what))
      .catch(() => {});
  };
  for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
    w[name] = (...args: unknown[]) => {
      report(`${name}(${args.map(String).join(", ")}) was called`);
      return null;
    };
  }
  w.__xss = (...args: unknown[]) => report(`__xss(${args.map(String).join(", ")}) was called`);
  document.addEventListener("securitypolicyviolation", (e) =>
    report(`refused by the CSP: ${e.violatedDirective} ${e.blockedURI}`),
  );

  // Nothing of VibeBot's uses these: any one of them came from a payload.
  // (Not <template>: Leptos streams resolved fragments in them. Inside the
  // texts users control, the spec's own checks allow no element at all.)
  const FOREIGN = new Set([
    "applet", "audio", "base", "embed", "frame", "frameset", "iframe", "image", "img", "isindex",
    "marquee", "math", "noscript", "object", "param", "picture", "portal", "source", "track",
    "video",
  ]);
  const URL_ATTRIBUTES = new Set([
    "action", "background", "by", "codebase", "data", "dynsrc", "formaction", "from", "href",
    "lowsrc", "ping", "poster", "src", "srcdoc", "to", "values", "xlink:href",
  ]);
  const SCRIPT_URL = /^(javascript|vbscript|livescript|data):/;
  const describe = (el: Element) => el.outerHTML.slice(0, 120);
  const inspect = (el: Element) => {
    const tag = el.localName;
    if (FOREIGN.has(tag)) report(`unexpected <${tag}>: ${describe(el)}`);
    if (tag === "script") {
      const script = el as HTMLScriptElement;
      const ours = script.nonce !== "" || (script.src && new URL(script.src).origin === location.origin);
      if (!ours) report(`a script without the page's nonce: ${describe(el)}`);
    }
    if (["meta", "link", "style"].includes(tag) && !el.closest("head")) report(`<${tag}> outside <head>: ${describe(el)}`);
    if (tag === "meta" && el.hasAttribute("http-equiv")) report(`<meta http-equiv>: ${describe(el)}`);
    for (const attribute of Array.from(el.attributes)) {
      const name = attribute.name.toLowerCase();
      // Browsers ignore whitespace and control characters in a scheme.
      const value = attribute.value.replace(/[\u0000-\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) report(`an ${name} handler: ${describe(el)}`);
      if (URL_ATTRIBUTES.has(name) && SCRIPT_URL.test(value)) report(`a script URL in ${name}: ${describe(el)}`);
      if (name === "style" && /url\(|expression\(|behavior:/.test(value)) report(`a loading style: ${describe(el)}`);
    }
  };
  const inspectTree = (node: Node) => {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    inspect(node as Element);
    (node as Element).querySelectorAll("*").forEach(inspect);
  };
  w.__xssSweep = () => document.querySelectorAll("*").forEach(inspect);
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") {
        inspect(record.target as Element);
        continue;
      }
      record.addedNodes.forEach(inspectTree);
      const target = record.target as Element;
      if (target.closest?.('[data-testid="assistant-message"][data-status="streaming"]')) {
        w.__xssStreamingRenders += 1;
      }
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
}

test.use({ bypassCSP: true });

test.beforeAll(({}, testInfo) => {
  if (testInfo.project.name === "desktop") {
    console.log(`XSS corpus: ${PAYLOAD_COUNT} payloads × ${SURFACES.length} surfaces`);
  }
});

test.beforeEach(({}, testInfo) => {
  // The rendering is the same at every size: one project is enough.
  test.skip(testInfo.project.name !== "desktop", "the XSS corpus runs in the desktop project only");
  test.setTimeout(60_000);
});

const unique = (what: string) => `xss-${what}-${Date.now()}@example.com`;

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: width }, run));
}

const json = (answer: { status: number; body: string }) => {
  expect(answer.status, answer.body).toBe(200);
  return JSON.parse(answer.body);
};

/** A label refused for a hidden character, with the server's clear message. */
function expectRefusal(payload: Payload, answer: { status: number; body: string }) {
  expect(answer.status, payload.text).toBe(400);
  expect(answer.body).toContain("cannot contain control characters or text-direction overrides");
}

/** Refusals are fine, but the corpus must mostly get through to be rendered. */
const expectFewRefused = (refused: number) => expect(refused).toBeLessThanOrEqual(PAYLOADS.length / 10);

/**
 * Where a label shows once a page (a display name, the open conversation's
 * title), every payload is rendered by the server, one page each; typing into
 * the browser's forms, which only ever sets text, is done for these few: the
 * attribute breakouts, the mutation classic, entities, markup, look-alikes.
 */
const TYPED = [0, 7, 36, 37, 67, 71, 82, 83, 84].map((i) => PAYLOADS[i]);

test("the trap sees a payload that gets through (a control)", async ({ guard }) => {
  // A page with holes, as if the escaping had failed: each kind of alarm must go off.
  const holes =
    "<!DOCTYPE html><html><head></head><body><p>control</p>" +
    '<script>__xss("control")</script><img src="//xss.invalid/control.png">' +
    '<a href="java&#9;script:alert(1)">x</a><svg onload="alert(2)"></svg></body></html>';
  await guard.renderServerPages([holes], {});
  await expect.poll(() => [...guard.alarms].join("\n")).toContain("request GET http://xss.invalid/control.png");
  const raised = [...guard.alarms].join("\n");
  for (const alarm of [
    "__xss(control) was called",
    "a script without the page's nonce",
    "unexpected <img>",
    "a script URL in href",
    "an onload handler",
  ]) {
    expect(raised).toContain(alarm);
  }
  guard.alarms.clear();
});

test("as user messages and as model answers, while streaming and after a reload", async ({ page, guard }) => {
  await register(page, unique("messages"));
  json(await guard.call("keys/add", { provider: "CLAUDE", key: "sk-ant-api03-xss-corpus-messages-0000" }));
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByTestId("model-picker")).toBeVisible();

  // Several payloads a message, each its own markdown block; the fake
  // provider sends the message back as the answer, a word at a time.
  const batches: Payload[][] = [];
  for (let i = 0; i < PAYLOADS.length; i += 11) batches.push(PAYLOADS.slice(i, i + 11));
  const sent = batches.map((batch) => `${batch.map((p) => p.text).join("\n\n")}\n\n[raw] [delay=3]`);
  for (const [i, message] of sent.entries()) {
    await say(page, message);
    await expect(page.getByTestId("assistant-message").nth(i)).toHaveAttribute("data-status", "complete");
    await guard.check(page, `while answering message ${i + 1}`);
  }
  expect(await page.evaluate(() => (window as any).__xssStreamingRenders), "answers rendered while streaming").toBeGreaterThan(0);
  await expectInertConversation(page, batches, sent);

  // After a reload the server renders the same markdown, then the WASM hydrates it.
  await page.reload();
  await hydrated(page);
  await expectInertConversation(page, batches, sent);
  await guard.check(page, "the reloaded conversation");

  const ssr = await guard.serverRendered();
  await ssr.goto(page.url());
  await expectInertConversation(ssr, batches, sent);
  await guard.check(ssr, "the server-rendered conversation");
});

/** The messages are shown as sent and the answers hold nothing but markdown's own elements. */
async function expectInertConversation(page: Page, batches: Payload[][], sent: string[]) {
  const seen = await page.getByTestId("messages").evaluate((list) => {
    // What the markdown renderer writes, and nothing else.
    const TAGS = new Set([
      "a", "blockquote", "br", "button", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5",
      "h6", "hr", "input", "li", "ol", "p", "pre", "span", "strong", "sup", "table", "tbody", "td",
      "th", "thead", "tr", "ul",
    ]);
    const ATTRIBUTES = new Set(["aria-label", "checked", "class", "disabled", "href", "rel", "start", "target", "title", "type"]);
    const problems: string[] = [];
    for (const el of Array.from(list.querySelectorAll("*"))) {
      for (const attribute of Array.from(el.attributes)) {
        if (attribute.name.toLowerCase().startsWith("on")) problems.push(`${attribute.name} on ${el.outerHTML.slice(0, 100)}`);
      }
    }
    for (const link of Array.from(list.querySelectorAll("a"))) {
      if (!["http:", "https:", "mailto:"].includes((link as HTMLAnchorElement).protocol)) {
        problems.push(`a link to ${link.getAttribute("href")}`);
      }
    }
    const text = (selector: string) =>
      Array.from(list.querySelectorAll(`[data-testid="${selector}"] [data-testid="message-text"]`));
    const users = text("user-message").map((el) => ({ text: el.textContent, elements: el.childElementCount }));
    const answers = text("assistant-message").map((el) => {
      for (const child of Array.from(el.querySelectorAll("*"))) {
        const allowed =
          TAGS.has(child.localName) &&
          (child.localName !== "input" || (child as HTMLInputElement).type === "checkbox") &&
          Array.from(child.attributes).every(
            (a) => ATTRIBUTES.has(a.name) || (a.name === "style" && /^text-align: (left|center|right)$/.test(a.value)),
          );
        if (!allowed) problems.push(`not markdown's: ${child.outerHTML.slice(0, 100)}`);
      }
      return el.textContent ?? "";
    });
    return { problems, users, answers };
  });
  expect(seen.problems).toEqual([]);
  // A user's words show exactly as written, as text.
  expect(seen.users).toEqual(sent.map((text) => ({ text, elements: 0 })));
  // An answer shows each payload (as markdown renders it), not an empty box.
  expect(seen.answers).toHaveLength(batches.length);
  const missing = batches.flatMap((batch, i) =>
    batch.filter((p) => !seen.answers[i].includes(p.shows ?? p.text)).map((p) => `answer ${i + 1} lacks ${JSON.stringify(p.shows ?? p.text)}`),
  );
  expect(missing).toEqual([]);
}

test("as conversation titles, in the header and the sidebar", async ({ page, guard }) => {
  await register(page, unique("titles"));

  // The header shows one title a page: one conversation takes each payload
  // in turn, and the server renders its page each time.
  const { id } = json(await guard.call("conversations/create", {}));
  const expected: string[] = [];
  const html: string[] = [];
  let refused = 0;
  for (const payload of PAYLOADS) {
    const answer = await guard.call("conversations/rename", { id, title: payload.text });
    if (refusedAsTitle(payload.text)) {
      expectRefusal(payload, answer);
      refused += 1;
      continue;
    }
    // Tabs and line breaks are folded into spaces.
    expected.push(json(answer).title);
    expect(expected.at(-1)).toBe(asTitle(payload.text));
    html.push(await guard.get(`/c/${id}`));
  }
  expectFewRefused(refused);
  const headers = await guard.renderServerPages(html, {
    header: '[data-testid="conversation-title"]',
    link: '[data-testid="conversation-link"]',
    label: '#sidebar button[title="Rename"]@aria-label',
  });
  expect(headers).toEqual(expected.map((title) => ({ header: [title], link: [title], label: [`Rename ${title}`] })));

  // Renamed in the browser.
  await page.goto(`/c/${id}`);
  await hydrated(page);
  for (const payload of TYPED) {
    const title = asTitle(payload.text);
    await page.getByRole("button", { name: "Rename", exact: true }).click();
    await page.getByLabel("Title", { exact: true }).fill(payload.text);
    await page.getByLabel("Title", { exact: true }).press("Enter");
    await expect.poll(() => plainText(page, '[data-testid="conversation-title"]'), { message: payload.text, intervals: [50, 100] }).toEqual([title]);
    await expect.poll(() => sidebarProblems(page, { [id]: title }), { message: payload.text }).toEqual([]);
  }
  await guard.check(page, "titles renamed in the browser");
  const titles: Record<string, string> = { [id]: asTitle(TYPED[TYPED.length - 1].text) };

  // The sidebar shows them all: a conversation a payload.
  const make = (payloads: Payload[]) =>
    inParallel(payloads, 3, async (payload) => {
      const { id } = json(await guard.call("conversations/create", {}));
      const answer = await guard.call("conversations/rename", { id, title: payload.text });
      if (refusedAsTitle(payload.text)) {
        expectRefusal(payload, answer);
        json(await guard.call("conversations/delete", { id }));
      } else {
        titles[id] = json(answer).title;
      }
    });
  // The server renders the fifty newest: half the corpus, then the other
  // half, so that it renders every title once.
  const half = Math.ceil(PAYLOADS.length / 2);
  await make(PAYLOADS.slice(0, half));
  const ssr = await guard.serverRendered();
  await ssr.goto("/", { waitUntil: "domcontentloaded" });
  await expect(ssr.getByTestId("conversation-link")).toHaveCount(Object.keys(titles).length);
  expect(await sidebarProblems(ssr, titles)).toEqual([]);
  await guard.check(ssr, "the server-rendered sidebar");

  await make(PAYLOADS.slice(half));
  await page.goto("/");
  await hydrated(page);
  const links = page.getByTestId("conversation-link");
  await expect(links).toHaveCount(50);
  expect(await sidebarProblems(page, titles)).toEqual([]);
  // The rest, rendered by the browser: the sidebar loads them as it is
  // scrolled to its end (clicking "Load more" would race that load, which
  // takes the button away once the last page is in).
  const sidebar = page.locator("#sidebar");
  await sidebar.evaluate((nav) => nav.scrollTo(0, nav.scrollHeight));
  await expect(links).toHaveCount(Object.keys(titles).length);
  await expect(sidebar.getByRole("button", { name: "Load more" })).toHaveCount(0);
  expect(await sidebarProblems(page, titles)).toEqual([]);
  await guard.check(page, "the sidebar");
});

/** The text of each element `selector` finds, failing on any element inside one. */
async function plainText(page: Page, selector: string) {
  return page.locator(selector).evaluateAll((elements) =>
    elements.map((el) => (el.childElementCount === 0 ? el.textContent : `elements inside: ${el.innerHTML}`)),
  );
}

/** Each sidebar entry shows its conversation's title as text, in its link and its buttons' labels. */
async function sidebarProblems(page: Page, titles: Record<string, string>) {
  return page.getByTestId("conversation-link").evaluateAll((links, titles) => {
    const problems: string[] = [];
    for (const link of links) {
      const id = (link.getAttribute("href") ?? "").replace("/c/", "");
      const title = titles[id];
      if (title === undefined) problems.push(`an unknown conversation ${link.outerHTML}`);
      else if (link.childElementCount !== 0 || link.textContent !== title) problems.push(`${id} shows ${link.innerHTML}`);
      const rename = link.closest("li")?.querySelector('button[title="Rename"]');
      if (rename?.getAttribute("aria-label") !== `Rename ${title}`) problems.push(`${id}: button labelled ${rename?.getAttribute("aria-label")}`);
    }
    return problems;
  }, titles);
}

test("as API key names, added and renamed", async ({ page, guard }) => {
  await register(page, unique("keys"));
  const names: Record<string, string> = {};
  let refused = 0;
  const add = async (payload: Payload, i: number) => {
    const key = `sk-ant-api03-xss-corpus-key-${String(i).padStart(4, "0")}`;
    const answer = await guard.call("keys/add", { provider: "CLAUDE", key, name: payload.text });
    if (refusedAsName(payload.text)) {
      expectRefusal(payload, answer);
      refused += 1;
      return;
    }
    const added = json(answer);
    expect(added.name).toBe(asName(payload.text));
    names[added.id] = added.name;
  };
  // The first key alone: two first keys added at once both try to become
  // the default, and one gets a 500 (the insert's NOT EXISTS races the
  // unique index api_keys_one_default_per_provider).
  await add(PAYLOADS[0], 0);
  await inParallel(PAYLOADS.slice(1), 3, (payload, i) => add(payload, i + 1));
  expectFewRefused(refused);

  await page.goto("/settings/keys");
  await hydrated(page);
  expect(await keyRows(page)).toEqual(names);
  await guard.check(page, "the keys page");

  const ssr = await guard.serverRendered();
  await ssr.goto("/settings/keys", { waitUntil: "domcontentloaded" });
  expect(await keyRows(ssr)).toEqual(names);
  await guard.check(ssr, "the server-rendered keys page");

  // Through the form: each change makes the browser render the whole list again.
  const added = PAYLOADS[36].text; // the <noscript> mutation
  await page.getByLabel("Provider").selectOption("CLAUDE");
  await page.getByLabel("Name (optional)").fill(added);
  await page.getByLabel("API key").fill("sk-ant-api03-xss-corpus-through-the-form");
  await page.getByRole("button", { name: "Save key" }).click();
  await expect(page.getByText("Key saved.")).toBeVisible();
  await expect.poll(async () => Object.keys(await keyRows(page)).length).toBe(Object.keys(names).length + 1);
  const rows = await keyRows(page);
  const newId = Object.keys(rows).find((id) => !(id in names))!;
  expect(rows).toEqual({ ...names, [newId]: added });

  const renamed = PAYLOADS[82].text; // " onmouseover="alert(83)
  const row = page.getByTestId("key-row").filter({ has: page.locator(`input[name="id"][value="${newId}"]`) });
  await row.locator("summary", { hasText: "Rename or replace" }).click();
  await row.getByLabel("Name", { exact: true }).fill(renamed);
  await row.getByRole("button", { name: "Rename", exact: true }).click();
  await expect.poll(async () => (await keyRows(page))[newId]).toBe(renamed);
  expect(await keyRows(page)).toEqual({ ...names, [newId]: renamed });
  await guard.check(page, "the keys page after adding and renaming in the browser");
});

/**
 * Each key's name by id, as its row shows it: the heading's text and the
 * rename field's value attribute must agree (and hold no element).
 */
async function keyRows(page: Page) {
  return page.getByTestId("key-row").evaluateAll((rows) => {
    const names: Record<string, string> = {};
    for (const row of rows) {
      const id = (row.querySelector('input[name="id"]') as HTMLInputElement).value;
      const heading = row.querySelector(".key__name")!;
      const field = row.querySelector('input[name="name"]')!.getAttribute("value");
      names[id] =
        heading.childElementCount === 0 && heading.textContent === field
          ? field
          : `heading ${heading.innerHTML} but field ${field}`;
    }
    return names;
  });
}

test("as display names, in the header, the profile and the start page", async ({ page, guard }) => {
  await register(page, unique("names"));

  // One name at a time: the server renders the profile and the start page for each.
  const expected: string[] = [];
  const profiles: string[] = [];
  const starts: string[] = [];
  let refused = 0;
  for (const payload of PAYLOADS) {
    const answer = await guard.call("profile/name", { name: payload.text });
    if (refusedAsName(payload.text)) {
      expectRefusal(payload, answer);
      refused += 1;
      continue;
    }
    expected.push(json(answer).name);
    expect(expected.at(-1)).toBe(asName(payload.text));
    profiles.push(await guard.get("/settings/profile"));
    starts.push(await guard.get("/"));
  }
  expectFewRefused(refused);
  const shown = await guard.renderServerPages([...profiles, ...starts], {
    header: '[data-testid="signed-in-as"]',
    field: 'input[name="name"]@value',
    greeting: ".start__title",
  });
  expect(shown).toEqual([
    ...expected.map((name) => ({ header: [name], field: [name], greeting: [] })),
    ...expected.map((name) => ({ header: [name], field: [], greeting: [`Hello, ${name}`] })),
  ]);

  // Saved through the form, shown by the browser.
  await page.goto("/settings/profile");
  await hydrated(page);
  for (const payload of TYPED) {
    const name = asName(payload.text);
    await page.getByLabel("Name", { exact: true }).fill(payload.text);
    await page.getByRole("button", { name: "Save name" }).click();
    await expect.poll(() => profileShows(page), { message: payload.text, intervals: [50, 100] }).toEqual({ header: name, field: name });
  }
  await guard.check(page, "the profile page after saving names in the browser");

  // The start page greets by name.
  await page.goto("/");
  await hydrated(page);
  expect(await plainText(page, ".start__title")).toEqual([`Hello, ${asName(TYPED[TYPED.length - 1].text)}`]);
  await guard.check(page, "the start page");
});

/** The name in the header (as text) and in the profile's name field (its value attribute). */
async function profileShows(page: Page) {
  return page.evaluate(() => {
    const header = document.querySelector('[data-testid="signed-in-as"]');
    const field = document.querySelector('input[name="name"]');
    return {
      header: header && header.childElementCount === 0 ? header.textContent : `elements: ${header?.innerHTML}`,
      field: field?.getAttribute("value") ?? null,
    };
  });
}
