//! Syntax highlighting for code blocks: a small lexer that knows comments,
//! strings, numbers, keywords and function calls for the languages models
//! write most. A full grammar engine (syntect, tree-sitter) would add
//! megabytes to the WASM for colours; this adds a few kilobytes and runs on
//! every streamed update without a visible cost.
//!
//! Output is escaped HTML with `<span class="tok-…">`: `k` keyword, `s`
//! string, `c` comment, `n` number, `f` function name.

use pulldown_cmark_escape::escape_html;

struct Grammar {
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    /// Longest first: `"""` must win over `"`.
    quotes: &'static [&'static str],
    keywords: &'static [&'static str],
    /// SQL keywords are written in any case.
    case_insensitive: bool,
}

const RUST: Grammar = Grammar {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    // `'` starts lifetimes as often as chars: left plain.
    quotes: &["\""],
    keywords: &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "Some", "None", "Ok", "Err",
    ],
    case_insensitive: false,
};

const JAVASCRIPT: Grammar = Grammar {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &["\"", "'", "`"],
    keywords: &[
        "async",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "default",
        "delete",
        "do",
        "else",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "from",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "of",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "type",
        "typeof",
        "undefined",
        "var",
        "void",
        "while",
        "yield",
    ],
    case_insensitive: false,
};

const PYTHON: Grammar = Grammar {
    line_comments: &["#"],
    block_comment: None,
    quotes: &["\"\"\"", "'''", "\"", "'"],
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "False", "finally", "for", "from", "global", "if", "import",
        "in", "is", "lambda", "None", "nonlocal", "not", "or", "pass", "raise", "return", "self",
        "True", "try", "while", "with", "yield",
    ],
    case_insensitive: false,
};

/// C, C++, Java, C#, Go, Kotlin, Swift, Dart, PHP: near enough to share.
const C_FAMILY: Grammar = Grammar {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &["\"", "'"],
    keywords: &[
        "abstract",
        "auto",
        "bool",
        "break",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "continue",
        "default",
        "defer",
        "delete",
        "do",
        "double",
        "else",
        "enum",
        "extends",
        "false",
        "final",
        "float",
        "for",
        "fun",
        "func",
        "go",
        "if",
        "implements",
        "import",
        "include",
        "int",
        "interface",
        "let",
        "long",
        "map",
        "namespace",
        "new",
        "nil",
        "null",
        "nullptr",
        "package",
        "private",
        "protected",
        "public",
        "range",
        "return",
        "short",
        "static",
        "string",
        "struct",
        "switch",
        "template",
        "this",
        "throw",
        "true",
        "try",
        "typedef",
        "using",
        "val",
        "var",
        "void",
        "volatile",
        "while",
    ],
    case_insensitive: false,
};

const SHELL: Grammar = Grammar {
    line_comments: &["#"],
    block_comment: None,
    quotes: &["\"", "'"],
    keywords: &[
        "case", "do", "done", "echo", "elif", "else", "esac", "exit", "export", "fi", "for",
        "function", "if", "in", "local", "return", "then", "until", "while",
    ],
    case_insensitive: false,
};

const SQL: Grammar = Grammar {
    line_comments: &["--"],
    block_comment: Some(("/*", "*/")),
    quotes: &["'", "\""],
    keywords: &[
        "add",
        "all",
        "alter",
        "and",
        "as",
        "asc",
        "begin",
        "between",
        "by",
        "case",
        "commit",
        "create",
        "default",
        "delete",
        "desc",
        "distinct",
        "drop",
        "else",
        "end",
        "exists",
        "false",
        "foreign",
        "from",
        "group",
        "having",
        "in",
        "index",
        "inner",
        "insert",
        "into",
        "is",
        "join",
        "key",
        "left",
        "like",
        "limit",
        "not",
        "null",
        "offset",
        "on",
        "or",
        "order",
        "primary",
        "references",
        "returning",
        "right",
        "select",
        "set",
        "table",
        "then",
        "true",
        "union",
        "unique",
        "update",
        "values",
        "when",
        "where",
        "with",
    ],
    case_insensitive: true,
};

/// JSON, YAML, TOML, INI and CSS: strings, numbers, comments and literals.
const DATA: Grammar = Grammar {
    line_comments: &["#", "//"],
    block_comment: Some(("/*", "*/")),
    quotes: &["\"", "'"],
    keywords: &[
        "true",
        "false",
        "null",
        "yes",
        "no",
        "on",
        "off",
        "important",
    ],
    case_insensitive: false,
};

fn grammar(lang: &str) -> Option<&'static Grammar> {
    Some(match lang.to_ascii_lowercase().as_str() {
        "rust" | "rs" => &RUST,
        "js" | "javascript" | "jsx" | "ts" | "typescript" | "tsx" | "mjs" | "cjs" | "node" => {
            &JAVASCRIPT
        }
        "python" | "py" | "python3" => &PYTHON,
        "c" | "h" | "cpp" | "c++" | "cc" | "hpp" | "java" | "kotlin" | "kt" | "cs" | "c#"
        | "csharp" | "go" | "golang" | "swift" | "dart" | "php" | "scala" => &C_FAMILY,
        "sh" | "bash" | "shell" | "zsh" | "console" | "dockerfile" => &SHELL,
        "sql" | "psql" | "postgres" | "postgresql" | "mysql" | "sqlite" => &SQL,
        "json" | "jsonc" | "yaml" | "yml" | "toml" | "ini" | "css" | "scss" => &DATA,
        _ => return None,
    })
}

/// Appends `code`, escaped and highlighted as `lang`, to `out`. Unknown
/// languages are escaped only.
pub fn highlight(lang: &str, code: &str, out: &mut String) {
    let Some(g) = grammar(lang) else {
        let _ = escape_html(&mut *out, code);
        return;
    };
    let mut rest = code;
    while let Some(c) = rest.chars().next() {
        let (class, len) = if let Some(len) = comment(g, rest) {
            ("c", len)
        } else if let Some(len) = string(g, rest) {
            ("s", len)
        } else if c.is_ascii_digit() {
            ("n", word_len(rest))
        } else if c.is_alphabetic() || c == '_' {
            let len = word_len(rest);
            let word = &rest[..len];
            let is_keyword = if g.case_insensitive {
                g.keywords.iter().any(|k| k.eq_ignore_ascii_case(word))
            } else {
                g.keywords.contains(&word)
            };
            if is_keyword {
                ("k", len)
            } else if rest[len..].starts_with('(') {
                ("f", len)
            } else {
                ("", len)
            }
        } else {
            ("", c.len_utf8())
        };
        let (token, tail) = rest.split_at(len);
        if class.is_empty() {
            let _ = escape_html(&mut *out, token);
        } else {
            out.push_str("<span class=\"tok-");
            out.push_str(class);
            out.push_str("\">");
            let _ = escape_html(&mut *out, token);
            out.push_str("</span>");
        }
        rest = tail;
    }
}

/// An identifier or a number (`3.14` and `0x1F` whole).
fn word_len(s: &str) -> usize {
    let number = s.starts_with(|c: char| c.is_ascii_digit());
    s.find(|c: char| !(c.is_alphanumeric() || c == '_' || (number && c == '.')))
        .unwrap_or(s.len())
}

/// The length of a comment starting at the head of `s`, if one does.
fn comment(g: &Grammar, s: &str) -> Option<usize> {
    if g.line_comments.iter().any(|p| s.starts_with(p)) {
        return Some(s.find('\n').unwrap_or(s.len()));
    }
    let (open, close) = g.block_comment?;
    s.starts_with(open).then(|| {
        s[open.len()..]
            .find(close)
            .map_or(s.len(), |end| open.len() + end + close.len())
    })
}

/// The length of a string literal starting at the head of `s`, if one does.
/// Single-character quotes other than backticks end at the line's end, so
/// one stray apostrophe cannot colour the rest of the block.
fn string(g: &Grammar, s: &str) -> Option<usize> {
    let quote = *g.quotes.iter().find(|q| s.starts_with(*q))?;
    let multiline = quote.len() > 1 || quote == "`";
    let mut chars = s.char_indices().skip(quote.len());
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if s[i..].starts_with(quote) {
            return Some(i + quote.len());
        } else if c == '\n' && !multiline {
            return Some(i);
        }
    }
    Some(s.len())
}

#[cfg(test)]
mod tests {
    use super::highlight;

    fn html(lang: &str, code: &str) -> String {
        let mut out = String::new();
        highlight(lang, code, &mut out);
        out
    }

    #[test]
    fn colours_each_kind_of_token() {
        let out = html(
            "python",
            "def f(x):  # add\n    return x + 42 + \"a\\\"b\"\n",
        );
        assert!(out.contains("<span class=\"tok-k\">def</span>"), "{out}");
        assert!(out.contains("<span class=\"tok-f\">f</span>"), "{out}");
        assert!(out.contains("<span class=\"tok-c\"># add</span>"), "{out}");
        assert!(out.contains("<span class=\"tok-n\">42</span>"), "{out}");
        assert!(
            out.contains("<span class=\"tok-s\">&quot;a\\&quot;b&quot;</span>"),
            "{out}"
        );
    }

    #[test]
    fn sql_keywords_in_any_case_and_floats_whole() {
        let out = html("sql", "SELECT 3.14 from t -- c");
        assert!(out.contains("<span class=\"tok-k\">SELECT</span>"), "{out}");
        assert!(out.contains("<span class=\"tok-k\">from</span>"), "{out}");
        assert!(out.contains("<span class=\"tok-n\">3.14</span>"), "{out}");
        assert!(out.contains("<span class=\"tok-c\">-- c</span>"), "{out}");
    }

    #[test]
    fn everything_is_escaped_and_text_survives() {
        let code = "let a = \"</span><script>\"; /* <b> */ 'x' é ü 😀 <>&";
        for lang in ["rust", "js", "unknown"] {
            let out = html(lang, code);
            assert!(!out.contains("<script>") && !out.contains("<b>"), "{out}");
            let text = out
                .replace("<span class=\"tok-k\">", "")
                .replace("<span class=\"tok-s\">", "")
                .replace("<span class=\"tok-c\">", "")
                .replace("<span class=\"tok-n\">", "")
                .replace("<span class=\"tok-f\">", "")
                .replace("</span>", "")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            assert_eq!(text, code, "{lang}");
        }
    }

    #[test]
    fn unterminated_strings_and_comments_end_safely() {
        assert_eq!(
            html("js", "'open\nnext"),
            "<span class=\"tok-s\">&#39;open</span>\nnext"
        );
        assert!(html("c", "/* never closed").starts_with("<span class=\"tok-c\">"));
    }
}
