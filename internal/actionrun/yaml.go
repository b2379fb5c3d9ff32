package actionrun

import (
	"fmt"
	"strings"
)

// The YAML subset read here is what action.yml, the workflows and
// .goreleaser.yaml use, and nothing more:
//
//   - block mappings (key: value, key: followed by an indented block, or by a
//     sequence at the key's own indentation);
//   - block sequences (- item, where an item may start a mapping);
//   - plain scalars (a " #" starts a comment), single-quoted scalars ('' is a
//     quote), double-quoted scalars with \\ \" \n \t escapes;
//   - literal block scalars | with the chomping indicators - and +;
//   - flow sequences [a, b] and flow mappings {k: v} of scalars, on one line;
//   - comments, blank lines and a leading --- document marker.
//
// Anything else (tabs for indentation, anchors, aliases, tags, folded >
// scalars, several documents, duplicate keys) is a SyntaxError, so a file
// this parser accepts means what GitHub's parser reads it to mean.

// Kind is the kind of a Node.
type Kind int

// The kinds of Node.
const (
	ScalarNode Kind = iota
	MappingNode
	SequenceNode
)

// Node is one value of a YAML document. A mapping keeps its keys in file
// order.
type Node struct {
	Kind  Kind
	Line  int
	Value string // ScalarNode
	// Quoted reports a quoted scalar: '' and "" are strings, not null.
	Quoted bool
	Keys   []string // MappingNode, in file order
	Map    map[string]*Node
	Items  []*Node // SequenceNode
	// KeyLines holds each key's line, for messages.
	KeyLines map[string]int
}

// Get returns the value at key of a mapping, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != MappingNode {
		return nil
	}
	return n.Map[key]
}

// String returns the scalar value of n, or "" for nil and non-scalars.
func (n *Node) String() string {
	if n == nil || n.Kind != ScalarNode {
		return ""
	}
	return n.Value
}

// SyntaxError is an input error at a line of a file.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

type yline struct {
	num    int
	indent int
	text   string // without indentation; "" for blank or comment-only
	raw    string
}

type parser struct {
	file  string
	lines []yline
	i     int
}

// ParseYAML parses data, named file in errors, into a Node tree.
func ParseYAML(file string, data []byte) (*Node, error) {
	p := &parser{file: file}
	for n, raw := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		body := strings.TrimLeft(raw, " ")
		if strings.HasPrefix(body, "\t") {
			return nil, p.errf(n+1, "tab in indentation")
		}
		text := body
		if strings.HasPrefix(text, "#") {
			text = ""
		}
		p.lines = append(p.lines, yline{num: n + 1, indent: len(raw) - len(body), text: strings.TrimRight(text, " "), raw: raw})
	}
	p.skipBlank()
	if p.i < len(p.lines) && p.lines[p.i].indent == 0 && p.lines[p.i].text == "---" {
		p.i++
		p.skipBlank()
	}
	if p.i >= len(p.lines) {
		return &Node{Kind: MappingNode, Map: map[string]*Node{}, KeyLines: map[string]int{}}, nil
	}
	n, err := p.block(p.lines[p.i].indent)
	if err != nil {
		return nil, err
	}
	p.skipBlank()
	if p.i < len(p.lines) {
		return nil, p.errf(p.lines[p.i].num, "unexpected %q: bad indentation or a second document", p.lines[p.i].text)
	}
	return n, nil
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &SyntaxError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipBlank() {
	for p.i < len(p.lines) && p.lines[p.i].text == "" {
		p.i++
	}
}

func isSeqItem(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// block parses the mapping or sequence whose lines start at indent.
func (p *parser) block(indent int) (*Node, error) {
	p.skipBlank()
	l := p.lines[p.i]
	if isSeqItem(l.text) {
		return p.sequence(indent)
	}
	return p.mapping(indent)
}

func (p *parser) sequence(indent int) (*Node, error) {
	n := &Node{Kind: SequenceNode, Line: p.lines[p.i].num}
	for {
		p.skipBlank()
		if p.i >= len(p.lines) {
			return n, nil
		}
		l := p.lines[p.i]
		if l.indent < indent || (l.indent == indent && !isSeqItem(l.text)) {
			return n, nil
		}
		if l.indent > indent {
			return nil, p.errf(l.num, "bad indentation of a sequence item")
		}
		rest := strings.TrimLeft(strings.TrimPrefix(l.text, "-"), " ")
		if rest == "" || strings.HasPrefix(rest, "#") {
			p.i++
			p.skipBlank()
			if p.i >= len(p.lines) || p.lines[p.i].indent <= indent {
				n.Items = append(n.Items, &Node{Kind: ScalarNode, Line: l.num})
				continue
			}
			item, err := p.block(p.lines[p.i].indent)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, item)
			continue
		}
		// "- key: v" opens a mapping at the column after the dash: rewrite
		// the line as if the dash were a space and parse a block there.
		col := indent + len(l.text) - len(rest)
		if _, _, isKey, err := p.splitKey(l.num, rest); err != nil {
			return nil, err
		} else if isKey || isSeqItem(rest) {
			p.lines[p.i] = yline{num: l.num, indent: col, text: rest, raw: l.raw}
			item, err := p.block(col)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, item)
			continue
		}
		p.i++
		item, err := p.inlineValue(l.num, rest, indent)
		if err != nil {
			return nil, err
		}
		n.Items = append(n.Items, item)
	}
}

func (p *parser) mapping(indent int) (*Node, error) {
	n := &Node{Kind: MappingNode, Line: p.lines[p.i].num, Map: map[string]*Node{}, KeyLines: map[string]int{}}
	for {
		p.skipBlank()
		if p.i >= len(p.lines) {
			return n, nil
		}
		l := p.lines[p.i]
		if l.indent < indent {
			return n, nil
		}
		if l.indent > indent {
			return nil, p.errf(l.num, "bad indentation: %q is deeper than the mapping it is in", l.text)
		}
		if isSeqItem(l.text) {
			return nil, p.errf(l.num, "a sequence item where a mapping key was expected")
		}
		key, rest, isKey, err := p.splitKey(l.num, l.text)
		if err != nil {
			return nil, err
		}
		if !isKey {
			return nil, p.errf(l.num, "expected \"key: value\", got %q", l.text)
		}
		if _, dup := n.Map[key]; dup {
			return nil, p.errf(l.num, "duplicate key %q (first on line %d)", key, n.KeyLines[key])
		}
		p.i++
		var v *Node
		if rest == "" {
			p.skipBlank()
			switch {
			case p.i < len(p.lines) && p.lines[p.i].indent > indent:
				v, err = p.block(p.lines[p.i].indent)
			case p.i < len(p.lines) && p.lines[p.i].indent == indent && isSeqItem(p.lines[p.i].text):
				v, err = p.sequence(indent)
			default:
				v = &Node{Kind: ScalarNode, Line: l.num} // null
			}
		} else {
			v, err = p.inlineValue(l.num, rest, indent)
		}
		if err != nil {
			return nil, err
		}
		n.Keys = append(n.Keys, key)
		n.Map[key] = v
		n.KeyLines[key] = l.num
	}
}

// splitKey splits "key: rest" (rest without its comment); isKey is false
// for a line that is a plain value.
func (p *parser) splitKey(num int, text string) (key, rest string, isKey bool, err error) {
	if strings.HasPrefix(text, "'") || strings.HasPrefix(text, "\"") {
		v, after, err := p.quoted(num, text)
		if err != nil {
			return "", "", false, err
		}
		after = strings.TrimLeft(after, " ")
		if after == ":" || strings.HasPrefix(after, ": ") {
			return v, stripComment(strings.TrimSpace(after[1:])), true, nil
		}
		return "", "", false, nil
	}
	if strings.HasPrefix(text, "[") || strings.HasPrefix(text, "{") {
		return "", "", false, nil
	}
	i := strings.Index(text, ": ")
	if i < 0 && strings.HasSuffix(text, ":") {
		i = len(text) - 1
	}
	if c := strings.Index(text, " #"); c >= 0 && (i < 0 || c < i) {
		if strings.HasSuffix(strings.TrimRight(text[:c], " "), ":") {
			return strings.TrimSuffix(strings.TrimRight(text[:c], " "), ":"), "", true, nil
		}
		return "", "", false, nil
	}
	if i < 0 {
		return "", "", false, nil
	}
	return text[:i], stripComment(strings.TrimSpace(text[i+1:])), true, nil
}

// stripComment drops a " #" comment from a plain value; quoted values and
// flow collections keep theirs to the closing character.
func stripComment(s string) string {
	if s == "" || s[0] == '\'' || s[0] == '"' || s[0] == '[' || s[0] == '{' {
		return s
	}
	if strings.HasPrefix(s, "#") {
		return ""
	}
	if i := strings.Index(s, " #"); i >= 0 {
		return strings.TrimRight(s[:i], " ")
	}
	return s
}

// inlineValue parses the value after "key: " or "- "; a literal block
// takes the following lines deeper than indent.
func (p *parser) inlineValue(num int, s string, indent int) (*Node, error) {
	s = stripComment(s)
	switch {
	case s == "":
		return &Node{Kind: ScalarNode, Line: num}, nil
	case s[0] == '|':
		return p.literal(num, s, indent)
	case s[0] == '>':
		return nil, p.errf(num, "folded scalars (>) are not in the supported YAML subset; use |")
	case s[0] == '&' || s[0] == '*' || s[0] == '!':
		return nil, p.errf(num, "anchors, aliases and tags are not in the supported YAML subset")
	case s[0] == '[' || s[0] == '{':
		return p.flow(num, s)
	case s[0] == '\'' || s[0] == '"':
		v, after, err := p.quoted(num, s)
		if err != nil {
			return nil, err
		}
		if a := strings.TrimSpace(after); a != "" && !strings.HasPrefix(a, "#") {
			return nil, p.errf(num, "unexpected %q after a quoted scalar", a)
		}
		return &Node{Kind: ScalarNode, Line: num, Value: v, Quoted: true}, nil
	}
	if s == "~" || s == "null" {
		return &Node{Kind: ScalarNode, Line: num}, nil
	}
	if strings.Contains(s, ": ") {
		return nil, p.errf(num, "plain scalar %q contains \": \"; quote it", s)
	}
	return &Node{Kind: ScalarNode, Line: num, Value: s}, nil
}

func (p *parser) literal(num int, header string, indent int) (*Node, error) {
	chomp := strings.TrimPrefix(header, "|")
	if chomp != "" && chomp != "-" && chomp != "+" {
		return nil, p.errf(num, "block scalar header %q: only |, |- and |+ are supported", header)
	}
	var body []string
	blockIndent := -1
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		trimmed := strings.TrimLeft(l.raw, " ")
		if trimmed == "" {
			body = append(body, "")
			p.i++
			continue
		}
		if l.indent <= indent {
			break
		}
		if blockIndent < 0 {
			blockIndent = l.indent
		}
		if l.indent < blockIndent {
			return nil, p.errf(l.num, "line less indented than the first line of its block scalar")
		}
		body = append(body, l.raw[blockIndent:])
		p.i++
	}
	// Trailing blank lines belong to the block only for chomping; lines
	// consumed past the block's end are handed back.
	end := len(body)
	for end > 0 && body[end-1] == "" {
		end--
	}
	p.i -= len(body) - end
	text := strings.Join(body[:end], "\n")
	switch chomp {
	case "":
		if end > 0 {
			text += "\n"
		}
	case "+":
		text = strings.Join(body, "\n") + "\n"
		p.i += len(body) - end
	}
	return &Node{Kind: ScalarNode, Line: num, Value: text, Quoted: true}, nil
}

// quoted reads a quoted scalar at the start of s and returns the rest.
func (p *parser) quoted(num int, s string) (string, string, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case q == '\'' && c == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String(), s[i+1:], nil
		case q == '"' && c == '"':
			return b.String(), s[i+1:], nil
		case q == '"' && c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '"', '\\', '/':
				b.WriteByte(s[i])
			default:
				return "", "", p.errf(num, "escape \\%c is not in the supported YAML subset", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", p.errf(num, "unterminated quoted scalar (multi-line quoted scalars are not supported)")
}

// flow parses a one-line [a, b] or {k: v, ...} of scalars.
func (p *parser) flow(num int, s string) (*Node, error) {
	open, close := s[0], byte(']')
	if open == '{' {
		close = '}'
	}
	if !strings.HasSuffix(s, string(close)) {
		return nil, p.errf(num, "flow collection %q must end on its line", s)
	}
	inner := strings.TrimSpace(s[1 : len(s)-1])
	var parts []string
	for inner != "" {
		var part string
		if inner[0] == '\'' || inner[0] == '"' {
			_, after, err := p.quoted(num, inner)
			if err != nil {
				return nil, err
			}
			n := len(inner) - len(after)
			c := strings.IndexByte(after, ',')
			if c < 0 {
				c = len(after)
			}
			part, inner = inner[:n+c], after[min(c+1, len(after)):]
		} else if c := strings.IndexByte(inner, ','); c >= 0 {
			part, inner = inner[:c], inner[c+1:]
		} else {
			part, inner = inner, ""
		}
		if strings.ContainsAny(part, "[]{}") && !strings.HasPrefix(strings.TrimSpace(part), "'") && !strings.HasPrefix(strings.TrimSpace(part), "\"") {
			return nil, p.errf(num, "nested flow collections are not in the supported YAML subset")
		}
		parts = append(parts, strings.TrimSpace(part))
		inner = strings.TrimSpace(inner)
	}
	if open == '[' {
		n := &Node{Kind: SequenceNode, Line: num}
		for _, part := range parts {
			v, err := p.inlineValue(num, part, 0)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, v)
		}
		return n, nil
	}
	n := &Node{Kind: MappingNode, Line: num, Map: map[string]*Node{}, KeyLines: map[string]int{}}
	for _, part := range parts {
		k, rest, ok, err := p.splitKey(num, part)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errf(num, "flow mapping entry %q is not \"key: value\"", part)
		}
		v, err := p.inlineValue(num, rest, 0)
		if err != nil {
			return nil, err
		}
		if _, dup := n.Map[k]; dup {
			return nil, p.errf(num, "duplicate key %q", k)
		}
		n.Keys = append(n.Keys, k)
		n.Map[k] = v
		n.KeyLines[k] = num
	}
	return n, nil
}
