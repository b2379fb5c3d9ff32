package report

import (
	"html"
	"strings"
	"unicode/utf8"
)

// The Markdown escapers. GitHub renders a job summary as GitHub Flavored
// Markdown with inline HTML (sanitized). Untrusted text goes into four
// places, each with its own escaper:
//
//   - mdText (exported as MarkdownText): inline text in a paragraph or
//     table cell. Newlines and control characters become spaces, &, <
//     and > become entities, the punctuation that starts emphasis, code,
//     links, strikethrough, math and table cells is backslash-escaped,
//     and so is what would start a block at the beginning of the text
//     (#, -, +, =, "1."); words GitHub would autolink go in code spans.
//   - mdCode: an inline code span, fenced with more backticks than the
//     text holds; in a table, | is written \| (GFM splits cells on it
//     even inside code).
//   - mdFence: a fenced code block whose fence is longer than any run of
//     backticks in the text, so the text cannot close it.
//   - htmlText: text inside an HTML block such as <summary>, where
//     Markdown is not parsed: entities, on one line.

// oneLine makes s valid UTF-8 on one line: line breaks, tabs and other
// control characters become spaces, and the ends are trimmed.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s))
}

// MarkdownText escapes s, untrusted text, as inline GitHub Flavored
// Markdown on one line, for a paragraph, a list item or a table cell of
// a job summary, a pull request comment or a check run. What it returns
// renders as s itself (on one line): never as markup, a link, a mention
// or a reference.
//
// Escaping characters is not enough for GitHub's autolinks: it turns
// bare URLs (https://..., www.), e-mail addresses, @mentions and issue
// references (#123, GH-123, owner/repo#123) in text into links, and a
// mention or a reference in a comment notifies a person or another
// repository. So every word that holds one ("://", "www.", "@" before a
// letter or digit, "#" or "GH-" before a digit) is put in a code
// span, where GitHub links nothing; the rest is escaped character by
// character. A word here ends at a space, "|" or "`", which are escaped
// outside the span, so that the span is the same in a table cell and
// out of one.
func MarkdownText(s string) string {
	s = oneLine(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isWordEnd(s[j]) {
			j++
		}
		if j > i && autolinks(s[i:j]) {
			b.WriteString("`" + s[i:j] + "`")
		} else {
			escapeText(&b, s, i, j)
		}
		if j < len(s) {
			escapeText(&b, s, j, j+1)
		}
		i = j + 1
	}
	return b.String()
}

// mdText is MarkdownText, under the short name the renderers use.
func mdText(s string) string { return MarkdownText(s) }

func isWordEnd(c byte) bool { return c == ' ' || c == '|' || c == '`' }

// autolinks reports whether GitHub could make a link, a mention or a
// reference of something in word. It errs on the side of yes.
func autolinks(word string) bool {
	if strings.Contains(word, "://") {
		return true
	}
	for i := 0; i+1 < len(word); i++ {
		switch c, next := word[i], word[i+1]; {
		case c == '@' && isAlnum(next), c == '#' && isDigit(next):
			return true
		case (c == 'w' || c == 'W') && i+4 <= len(word) && strings.EqualFold(word[i:i+4], "www."):
			return true
		case (c == 'g' || c == 'G') && i+3 < len(word) && strings.EqualFold(word[i:i+3], "gh-") && isDigit(word[i+3]):
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

// escapeText writes s[from:to] escaped as Markdown text; s is the whole
// text, for the rules that look at what comes before.
func escapeText(b *strings.Builder, s string, from, to int) {
	for k, r := range s[from:to] {
		i := from + k
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '$', '^':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '#', '-', '+', '=', ':', '!':
			// Block starts at the beginning of a line, and "::" in case
			// a reader pastes the text into a log.
			if i == 0 || r == ':' && strings.HasPrefix(s[i:], "::") {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '.', ')':
			if i > 0 && isDigits(s[:i]) && (i+1 == len(s) || s[i+1] == ' ') {
				b.WriteByte('\\') // "1." or "1)" would start an ordered list
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// mdCode returns s as an inline code span on one line, escaped for a
// table cell when inTable is set.
func mdCode(s string, inTable bool) string {
	s = oneLine(s)
	if s == "" {
		return "` `"
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ') {
		pad = " "
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return fence + pad + s + pad + fence
}

// mdFence returns s as a fenced code block with the info string info,
// ending in a newline.
func mdFence(info, s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r' || r == '\u2028' || r == '\u2029':
			return '\n'
		case r < 0x20 || r == 0x7F:
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "\n")
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + info + "\n" + s + "\n" + fence + "\n"
}

// htmlText escapes s for raw HTML on one line.
func htmlText(s string) string { return html.EscapeString(oneLine(s)) }

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// firstLine returns the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for line := range strings.SplitSeq(s, "\n") {
		if l := strings.TrimSpace(line); l != "" {
			return l
		}
	}
	return ""
}

// runes counts the runes of s.
func runes(s string) int { return utf8.RuneCountInString(s) }
