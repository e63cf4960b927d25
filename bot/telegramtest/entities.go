package telegramtest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

var errUnsupportedParseMode = errors.New("unsupported parse_mode")

// parseFormatted checks text against Telegram's parser for parseMode and
// returns the text users would see. Error messages follow Telegram's
// "can't parse entities" details.
func parseFormatted(text, parseMode string) (string, error) {
	switch strings.ToLower(parseMode) {
	case "":
		return text, nil
	case "html":
		return parseHTML(text)
	case "markdown":
		return parseMarkdown(text)
	case "markdownv2":
		return parseMarkdownV2(text)
	default:
		return "", errUnsupportedParseMode
	}
}

var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

func isTagNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

func parseHTML(text string) (string, error) {
	var out strings.Builder
	var stack []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '&':
			if s, n := decodeHTMLEntity(text[i:]); n > 0 {
				out.WriteString(s)
				i += n
				continue
			}
			out.WriteByte('&')
			i++
		case '<':
			start := i
			if i+1 < len(text) && text[i+1] == '/' {
				j := i + 2
				for j < len(text) && isTagNameChar(text[j]) {
					j++
				}
				name := strings.ToLower(text[i+2 : j])
				for j < len(text) && (text[j] == ' ' || text[j] == '\n' || text[j] == '\t') {
					j++
				}
				if j >= len(text) || text[j] != '>' {
					return "", fmt.Errorf("Unclosed end tag at byte offset %d", start)
				}
				if len(stack) == 0 {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", start)
				}
				top := stack[len(stack)-1]
				if name != "" && name != top {
					return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", start, top, name)
				}
				stack = stack[:len(stack)-1]
				i = j + 1
				continue
			}
			j := i + 1
			for j < len(text) && isTagNameChar(text[j]) {
				j++
			}
			name := strings.ToLower(text[i+1 : j])
			if !htmlTags[name] {
				return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, start)
			}
			k := j
			var quote byte
			for ; k < len(text); k++ {
				c := text[k]
				if quote != 0 {
					if c == quote {
						quote = 0
					}
					continue
				}
				if c == '"' || c == '\'' {
					quote = c
				} else if c == '>' {
					break
				}
			}
			if k >= len(text) {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", start)
			}
			if name == "span" && !strings.Contains(text[j:k], "tg-spoiler") {
				return "", fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", start)
			}
			stack = append(stack, name)
			i = k + 1
		default:
			out.WriteByte(text[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return out.String(), nil
}

// decodeHTMLEntity decodes an entity at the start of s and returns it and
// its length, or 0 if s does not start with a supported entity.
func decodeHTMLEntity(s string) (string, int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return "", 0
	}
	name := s[1:end]
	switch name {
	case "lt":
		return "<", end + 1
	case "gt":
		return ">", end + 1
	case "amp":
		return "&", end + 1
	case "quot":
		return `"`, end + 1
	}
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if h, ok := strings.CutPrefix(num, "x"); ok {
			num, base = h, 16
		} else if h, ok := strings.CutPrefix(num, "X"); ok {
			num, base = h, 16
		}
		n, err := strconv.ParseUint(num, base, 32)
		if err != nil || n == 0 || !utf8.ValidRune(rune(n)) {
			return "", 0
		}
		return string(rune(n)), end + 1
	}
	return "", 0
}

// parseMarkdown checks legacy Markdown: *bold*, _italic_, `code`,
// ```pre```, [text](url); entities do not nest.
func parseMarkdown(text string) (string, error) {
	var out strings.Builder
	for i := 0; i < len(text); {
		c := text[i]
		if c == '\\' && i+1 < len(text) && strings.IndexByte("_*`[", text[i+1]) >= 0 {
			out.WriteByte(text[i+1])
			i += 2
			continue
		}
		switch c {
		case '_', '*', '`':
			end := string(c)
			if c == '`' && strings.HasPrefix(text[i:], "```") {
				end = "```"
			}
			j := strings.Index(text[i+len(end):], end)
			if j < 0 {
				return "", fmt.Errorf("Can't find end of the entity starting at byte offset %d", i)
			}
			out.WriteString(text[i+len(end) : i+len(end)+j])
			i += len(end) + j + len(end)
		case '[':
			j := strings.IndexByte(text[i+1:], ']')
			if j < 0 {
				return "", fmt.Errorf("Can't find end of the entity starting at byte offset %d", i)
			}
			out.WriteString(text[i+1 : i+1+j])
			i += j + 2
			if i < len(text) && text[i] == '(' {
				k := strings.IndexByte(text[i:], ')')
				if k < 0 {
					return "", fmt.Errorf("Can't find end of a URL at byte offset %d", i)
				}
				i += k + 1
			}
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.String(), nil
}

const markdownV2Reserved = "_*[]()~`>#+-=|{}.!"

var markdownV2Names = map[string]string{
	"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough",
	"||": "Spoiler", "[": "TextUrl", "![": "CustomEmoji",
}

// parseMarkdownV2 checks MarkdownV2: every reserved character outside of
// markup must be escaped with '\', and every entity must be closed.
func parseMarkdownV2(text string) (string, error) {
	type open struct {
		tok string
		pos int
	}
	var (
		out        strings.Builder
		stack      []open
		lineStart  = true
		expandable = false
	)
	top := func() string {
		if len(stack) == 0 {
			return ""
		}
		return stack[len(stack)-1].tok
	}
	toggle := func(tok string, pos int) {
		if top() == tok {
			stack = stack[:len(stack)-1]
		} else {
			stack = append(stack, open{tok, pos})
		}
	}
	reserved := func(c byte) error {
		return fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == '\\' && i+1 < len(text) && text[i+1] > 0 && text[i+1] <= 126 {
			out.WriteByte(text[i+1])
			i += 2
			lineStart = false
			continue
		}
		if strings.IndexByte(markdownV2Reserved, c) < 0 {
			out.WriteByte(c)
			if c == '\n' {
				lineStart = true
				expandable = false
			} else {
				lineStart = false
			}
			i++
			continue
		}
		atLineStart := lineStart
		lineStart = false
		switch c {
		case '`':
			delim, name := "`", "Code"
			if strings.HasPrefix(text[i:], "```") {
				delim, name = "```", "Pre"
			}
			j := i + len(delim)
			found := false
			for j < len(text) {
				if text[j] == '\\' && j+1 < len(text) {
					out.WriteByte(text[j+1])
					j += 2
					continue
				}
				if strings.HasPrefix(text[j:], delim) {
					found = true
					break
				}
				out.WriteByte(text[j])
				j++
			}
			if !found {
				return "", fmt.Errorf("Can't find end of %s entity at byte offset %d", name, i)
			}
			i = j + len(delim)
		case '[':
			stack = append(stack, open{"[", i})
			i++
		case '!':
			if i+1 < len(text) && text[i+1] == '[' {
				stack = append(stack, open{"![", i})
				i += 2
				continue
			}
			return "", reserved(c)
		case ']':
			t := top()
			if t != "[" && t != "![" {
				if t != "" {
					o := stack[len(stack)-1]
					return "", fmt.Errorf("Can't find end of %s entity at byte offset %d", markdownV2Names[o.tok], o.pos)
				}
				return "", reserved(c)
			}
			stack = stack[:len(stack)-1]
			i++
			if i < len(text) && text[i] == '(' {
				j := i + 1
				for j < len(text) && text[j] != ')' {
					if text[j] == '\\' && j+1 < len(text) {
						j++
					}
					j++
				}
				if j >= len(text) {
					return "", fmt.Errorf("Can't find end of a URL at byte offset %d", i)
				}
				i = j + 1
			} else if t == "![" {
				return "", fmt.Errorf("Custom emoji entity must contain a tg://emoji URL")
			}
		case '>':
			if !atLineStart {
				return "", reserved(c)
			}
			i++
		case '*':
			if atLineStart && strings.HasPrefix(text[i:], "**>") {
				expandable = true
				i += 3
				continue
			}
			toggle("*", i)
			i++
		case '_':
			if strings.HasPrefix(text[i:], "__") {
				toggle("__", i)
				i += 2
				continue
			}
			toggle("_", i)
			i++
		case '~':
			toggle("~", i)
			i++
		case '|':
			if !strings.HasPrefix(text[i:], "||") {
				return "", reserved(c)
			}
			// "||" closing an expandable block quote at the end of a line.
			if expandable && top() != "||" && (i+2 == len(text) || text[i+2] == '\n') {
				expandable = false
				i += 2
				continue
			}
			toggle("||", i)
			i += 2
		default:
			return "", reserved(c)
		}
	}
	if len(stack) > 0 {
		o := stack[len(stack)-1]
		return "", fmt.Errorf("Can't find end of %s entity at byte offset %d", markdownV2Names[o.tok], o.pos)
	}
	return out.String(), nil
}
