// The XSS corpus of issue #8: strings a user (or a model) may write that must
// show as text wherever VibeBot displays them. Each calls `alert(N)` or
// `__xss(N)` with its own number, or loads something from `xss.invalid`, so
// that xss.spec.ts can tell which one got through if one ever does.
//
// All fit the shortest limit (a display name or a key name: 100 characters,
// counted in UTF-16 units too, as the inputs' maxlength does). Four hold what
// only messages take: three a tab or line breaks (names refuse them, titles
// fold them into spaces) and one a right-to-left override, which every label
// refuses (see `refusedAsName` and `refusedAsTitle`).

export interface Payload {
  /** Typed, sent or stored exactly like this. */
  text: string;
  /**
   * What the answer, rendered as markdown, must show as text. Raw HTML shows
   * as written, so it defaults to `text`; an entity shows decoded, a refused
   * link only its words, an image its alt text as `[image: …]`.
   */
  shows?: string;
}

const p = (text: string, shows?: string): Payload => ({ text, shows });

export const PAYLOADS: Payload[] = [
  // Script tags.
  p("<script>alert(1)</script>"),
  p("<SCRIPT SRC=//xss.invalid/2.js></SCRIPT>"),
  p('"><script>__xss(3)</script>'),
  p("'><script>alert(4)</script><'"),
  p("<scr<script>ipt>alert(5)</scr</script>ipt>"),
  p("<svg><script>alert&#40;6&#41;</script></svg>", "<svg><script>alert(6)</script></svg>"),
  p("<script src=data:text/javascript,alert(7)></script>"),

  // Event handlers.
  p("<img src=x onerror=alert(8)>"),
  p('<img src="//xss.invalid/9.png" onerror="__xss(9)">'),
  p("<svg onload=alert(10)>"),
  p("<svg/onload=alert(11)>"),
  p("<body onload=alert(12)>"),
  p("<details open ontoggle=alert(13)>"),
  p("<input autofocus onfocus=alert(14)>"),
  p("<video><source onerror=alert(15)></video>"),
  p('<div onmouseover="alert(16)" style="position:fixed;inset:0">hover 16</div>'),
  p("<x onclick=alert(17)>click 17</x>"),
  p("<img src=x:alert(alt) onerror=eval(src) alt=18>"),
  p("<marquee onstart=alert(19)>19</marquee>"),
  p('<img src=x onerror=fetch("//xss.invalid/20")>'),

  // Links, frames, embedded objects, page-wide elements.
  p('<a href="javascript:alert(21)">click 21</a>'),
  p('<iframe src="javascript:alert(22)"></iframe>'),
  p('<iframe srcdoc="<script>parent.alert(23)</script>"></iframe>'),
  p("<iframe src=//xss.invalid/24></iframe>"),
  p('<object data="javascript:alert(25)"></object>'),
  p("<embed src=//xss.invalid/26.swf>"),
  p('<meta http-equiv="refresh" content="0;url=//xss.invalid/27">'),
  p('<base href="//xss.invalid/28/">'),
  p("<form action=//xss.invalid/29><button>go 29</button></form>"),
  p("<link rel=stylesheet href=//xss.invalid/30.css>"),

  // Style and CSS.
  p('<style>@import "//xss.invalid/31.css";</style>'),
  p('<div style="background:url(//xss.invalid/32.png)">32</div>'),
  p('<p style="width:expression(alert(33))">33</p>'),
  p('<a href="#" style="behavior:url(//xss.invalid/34.htc)">34</a>'),

  // Namespace confusion and mutation XSS.
  p("<math><mtext><table><mglyph><style><img src=x onerror=alert(35)>"),
  p("<svg><p><style><img src=x onerror=alert(36)>"),
  p('<noscript><p title="</noscript><img src=x onerror=alert(37)>">'),
  p('<svg><foreignObject><iframe srcdoc="&lt;script&gt;alert(38)&lt;/script&gt;">'),
  p('<svg><a xlink:href="javascript:alert(39)"><text x=9 y=9>39</text></a></svg>'),
  p("<svg><animate attributeName=href values=javascript:alert(40) />"),
  p('<math href="javascript:alert(41)">click 41</math>'),
  p('<!--<img src="--><img src=x onerror=alert(42)//">'),
  p("<![CDATA[><img src=x onerror=alert(43)>]]>"),
  p("<?xml ?><svg onload=alert(44)>"),
  p("--><script>alert(45)</script><!--"),
  p("</textarea><script>alert(46)</script>"),
  p("</title><script>alert(47)</script>"),

  // Markdown links and images.
  p("[click 48](javascript:alert(48))", "click 48"),
  p("[click 49](JaVaScRiPt:alert(49))", "click 49"),
  p("[click 50](java\tscript:alert(50))", "click 50"),
  p("[click 51](java&#9;script:alert(51))", "click 51"),
  p("[click 52](&#106;avascript:alert(52))", "click 52"),
  p("[click 53](javascript&colon;alert(53))", "click 53"),
  p("[click 54](data:text/html;base64,PHNjcmlwdD5hbGVydCg1NCk8L3NjcmlwdD4=)", "click 54"),
  p("[click 55](vbscript:msgbox(55))", "click 55"),
  p("[click 56](<javascript:alert(56)>)", "click 56"),
  p('[click 57](https://example.com "onmouseover=alert(57)")', "click 57"),
  p('[click 58](https://example.com/"onmouseover="alert(58))', "click 58"),
  p("![pic 59](javascript:alert(59))", "[image: pic 59]"),
  p("![pic 60](//xss.invalid/60.png)", "[image: pic 60]"),
  p("[ref 61][r61]\n\n[r61]: javascript:alert(61)", "ref 61"),
  p("<javascript:alert(62)>", "javascript:alert(62)"),
  p("<JAVASCRIPT:alert(63)>", "JAVASCRIPT:alert(63)"),
  p("<data:text/html,<script>alert(64)</script>>"),
  p("[click 65]( javascript:alert(65))", "click 65"),
  p("`<script>alert(66)</script>`", "<script>alert(66)</script>"),
  p('```"><img src=x onerror=alert(67)>\ncode 67\n```', "code 67"),

  // HTML entities and escapes.
  p("&lt;script&gt;alert(68)&lt;/script&gt;", "<script>alert(68)</script>"),
  p("&#60;img src=x onerror=alert(69)&#62;", "<img src=x onerror=alert(69)>"),
  p("&#x3C;svg onload=alert(70)&#x3E;", "<svg onload=alert(70)>"),
  p("\\<script>alert(71)\\</script>", "<script>alert(71)</script>"),

  // Unicode: fullwidth brackets, invisible joiners, right-to-left override, homoglyphs.
  p("\uFF1Cscript\uFF1Ealert(72)\uFF1C/script\uFF1E"),
  p("[click 73](java\u200Dscript:alert(73))", "click 73"),
  p("\u202E>tpircs/<)47(trela>tpircs<"),
  p("<\u0455cript>alert(75)</\u0455cript>"), // Cyrillic dze for the s
  p("[click 76](\uFF4A\uFF41\uFF56\uFF41\uFF53\uFF43\uFF52\uFF49\uFF50\uFF54:alert(76))", "click 76"),
  p("[click 77](jav\u00ADascript:alert(77))", "click 77"), // soft hyphen
  p("[click 78](\u0458avascript:alert(78))", "click 78"), // Cyrillic je for the j

  // Template injection.
  p("{{constructor.constructor('alert(79)')()}}"),
  p("${alert(80)}"),
  p("{{7*7}} #{alert(81)} <%= alert(81) %>"),
  p("[[${alert(82)}]]"),

  // Attribute breakouts and bare schemes.
  p('" onmouseover="alert(83)'),
  p("' autofocus onfocus='alert(84)"),
  p('"><img src=x onerror=alert(85)>'),
  p('" style="background:url(//xss.invalid/86)'),
  p("javascript:alert(87)"),
  p("https://xss.invalid/88?<script>alert(88)</script>"),
];

/** How many payloads: each goes into every surface. */
export const PAYLOAD_COUNT = PAYLOADS.length;

/** Where the corpus goes, one journey each in xss.spec.ts. */
export const SURFACES = [
  "user message",
  "model answer (markdown, streamed and server-rendered)",
  "conversation title (sidebar and header)",
  "API key name",
  "display name",
] as const;


// Rust's `char::is_whitespace` (Unicode White_Space), which the server trims
// and splits on; JavaScript's \s differs (it has U+FEFF, lacks U+0085).
const RUST_WHITESPACE = "\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
const SPLIT = new RegExp(`[${RUST_WHITESPACE}]+`);
const EDGES = new RegExp(`^[${RUST_WHITESPACE}]+|[${RUST_WHITESPACE}]+$`, "g");

/** A title as the server stores it: words joined by single spaces. */
export const asTitle = (text: string) => text.split(SPLIT).filter(Boolean).join(" ");

/** A name as the server stores it: trimmed. */
export const asName = (text: string) => text.replace(EDGES, "");

// What labels refuse (app/src/model/text.rs `is_hidden`): control characters,
// and the text-direction overrides, embeddings and isolates.
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Whether a display name or a key name refuses this (a tab, a line break, a direction override). */
export const refusedAsName = (text: string) => HIDDEN.test(asName(text));

/** Whether a title refuses this: tabs and line breaks are folded into spaces first. */
export const refusedAsTitle = (text: string) => HIDDEN.test(asTitle(text));
