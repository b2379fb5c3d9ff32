package actionrun

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Expressions are GitHub's ${{ }} language, the part that action.yml and
// the workflows use:
//
//	a.b.c, a['b'], literals 'str' ('' is a quote), numbers, true, false, null,
//	! == != < <= > >= && || and parentheses, and the functions success(),
//	always(), failure(), cancelled(), contains, startsWith, endsWith,
//	format, join, toJSON and fromJSON.
//
// As on the runner, && and || return one of their operands, not a bool;
// == compares strings ignoring case and otherwise converts both sides to
// numbers; property names are matched ignoring case; a missing property
// is null.

// Context holds the values expressions read: the named contexts and the
// job status functions consult.
type Context struct {
	Values map[string]any // "inputs", "github", "runner", "strategy", "matrix", "env", "steps", "job", "needs"
	Failed bool           // a previous step failed (success() is false)
}

// Interpolate replaces every ${{ expr }} in s with its value as a string.
func (c *Context) Interpolate(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return "", fmt.Errorf("unterminated ${{ in %q", s)
		}
		v, err := c.Eval(s[i+3 : i+j])
		if err != nil {
			return "", err
		}
		b.WriteString(s[:i])
		b.WriteString(toString(v))
		s = s[i+j+2:]
	}
}

// Condition evaluates an if: value as the runner does: with or without
// ${{ }}, implicitly success() && (cond) unless cond calls a status
// function.
func (c *Context) Condition(cond string) (bool, error) {
	cond = strings.TrimSpace(cond)
	if cond == "" {
		cond = "success()"
	}
	if strings.HasPrefix(cond, "${{") && strings.HasSuffix(cond, "}}") && strings.Count(cond, "${{") == 1 {
		cond = strings.TrimSpace(cond[3 : len(cond)-2])
	}
	lc := strings.ToLower(cond)
	if !strings.Contains(lc, "success(") && !strings.Contains(lc, "always(") && !strings.Contains(lc, "failure(") && !strings.Contains(lc, "cancelled(") {
		cond = "success() && (" + cond + ")"
	}
	v, err := c.Eval(cond)
	if err != nil {
		return false, err
	}
	return truthy(v), nil
}

// Eval evaluates one expression (without ${{ }}).
func (c *Context) Eval(src string) (any, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	e := &evaluator{ctx: c, toks: toks, src: src}
	v, err := e.or()
	if err != nil {
		return nil, err
	}
	if e.pos < len(e.toks) {
		return nil, fmt.Errorf("expression %q: unexpected %q", src, e.toks[e.pos].text)
	}
	return v, nil
}

type token struct {
	kind byte // 'i' identifier, 's' string, 'n' number, 'o' operator or punctuation
	text string
	num  float64
}

func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(src); j++ {
				if src[j] == '\'' {
					if j+1 < len(src) && src[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, fmt.Errorf("expression %q: unterminated string", src)
			}
			toks = append(toks, token{kind: 's', text: b.String()})
			i = j + 1
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'x' || src[j] >= 'a' && src[j] <= 'f' || src[j] >= 'A' && src[j] <= 'F') {
				j++
			}
			f, err := strconv.ParseFloat(src[i:j], 64)
			if err != nil {
				return nil, fmt.Errorf("expression %q: bad number %q", src, src[i:j])
			}
			toks = append(toks, token{kind: 'n', text: src[i:j], num: f})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(src) && (src[j] == '_' || src[j] == '-' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			toks = append(toks, token{kind: 'i', text: src[i:j]})
			i = j
		default:
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "==", "!=", "<=", ">=", "&&", "||":
				toks = append(toks, token{kind: 'o', text: two})
				i += 2
				continue
			}
			if strings.IndexByte("!<>().[],*", c) < 0 {
				return nil, fmt.Errorf("expression %q: unexpected character %q", src, string(c))
			}
			toks = append(toks, token{kind: 'o', text: string(c)})
			i++
		}
	}
	return toks, nil
}

type evaluator struct {
	ctx  *Context
	toks []token
	pos  int
	src  string
}

func (e *evaluator) peek(text string) bool {
	return e.pos < len(e.toks) && e.toks[e.pos].kind == 'o' && e.toks[e.pos].text == text
}

func (e *evaluator) expect(text string) error {
	if !e.peek(text) {
		return fmt.Errorf("expression %q: expected %q", e.src, text)
	}
	e.pos++
	return nil
}

func (e *evaluator) or() (any, error) {
	v, err := e.and()
	if err != nil {
		return nil, err
	}
	for e.peek("||") {
		e.pos++
		r, err := e.and()
		if err != nil {
			return nil, err
		}
		if !truthy(v) {
			v = r
		}
	}
	return v, nil
}

func (e *evaluator) and() (any, error) {
	v, err := e.cmp()
	if err != nil {
		return nil, err
	}
	for e.peek("&&") {
		e.pos++
		r, err := e.cmp()
		if err != nil {
			return nil, err
		}
		if truthy(v) {
			v = r
		}
	}
	return v, nil
}

func (e *evaluator) cmp() (any, error) {
	v, err := e.unary()
	if err != nil {
		return nil, err
	}
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if e.peek(op) {
			e.pos++
			r, err := e.unary()
			if err != nil {
				return nil, err
			}
			return compare(op, v, r), nil
		}
	}
	return v, nil
}

func (e *evaluator) unary() (any, error) {
	if e.peek("!") {
		e.pos++
		v, err := e.unary()
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	}
	return e.postfix()
}

func (e *evaluator) postfix() (any, error) {
	v, err := e.primary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case e.peek("."):
			e.pos++
			if e.pos >= len(e.toks) || (e.toks[e.pos].kind != 'i' && !e.peek("*")) {
				return nil, fmt.Errorf("expression %q: expected a property name after \".\"", e.src)
			}
			v = property(v, e.toks[e.pos].text)
			e.pos++
		case e.peek("["):
			e.pos++
			k, err := e.or()
			if err != nil {
				return nil, err
			}
			if err := e.expect("]"); err != nil {
				return nil, err
			}
			v = property(v, toString(k))
		default:
			return v, nil
		}
	}
}

func (e *evaluator) primary() (any, error) {
	if e.pos >= len(e.toks) {
		return nil, fmt.Errorf("expression %q: unexpected end", e.src)
	}
	t := e.toks[e.pos]
	e.pos++
	switch t.kind {
	case 's':
		return t.text, nil
	case 'n':
		return t.num, nil
	case 'o':
		if t.text == "(" {
			v, err := e.or()
			if err != nil {
				return nil, err
			}
			return v, e.expect(")")
		}
		return nil, fmt.Errorf("expression %q: unexpected %q", e.src, t.text)
	}
	switch t.text {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if e.peek("(") {
		e.pos++
		var args []any
		for !e.peek(")") {
			a, err := e.or()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if !e.peek(")") {
				if err := e.expect(","); err != nil {
					return nil, err
				}
			}
		}
		e.pos++
		return e.call(strings.ToLower(t.text), args)
	}
	v, ok := lookup(e.ctx.Values, t.text)
	if !ok {
		return nil, fmt.Errorf("expression %q: unknown context %q", e.src, t.text)
	}
	return v, nil
}

func (e *evaluator) call(name string, args []any) (any, error) {
	arity := map[string]int{"success": 0, "always": 0, "failure": 0, "cancelled": 0, "contains": 2, "startswith": 2, "endswith": 2, "tojson": 1, "fromjson": 1}
	if n, ok := arity[name]; ok && n != len(args) {
		return nil, fmt.Errorf("expression %q: %s() takes %d arguments, got %d", e.src, name, n, len(args))
	}
	switch name {
	case "success":
		return !e.ctx.Failed, nil
	case "always":
		return true, nil
	case "failure":
		return e.ctx.Failed, nil
	case "cancelled":
		return false, nil
	case "contains":
		if list, ok := args[0].([]any); ok {
			for _, x := range list {
				if compare("==", x, args[1]) == true {
					return true, nil
				}
			}
			return false, nil
		}
		return strings.Contains(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "startswith":
		return strings.HasPrefix(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "endswith":
		return strings.HasSuffix(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "format":
		if len(args) == 0 {
			return nil, fmt.Errorf("expression %q: format() needs a format string", e.src)
		}
		s := toString(args[0])
		for i, a := range args[1:] {
			s = strings.ReplaceAll(s, "{"+strconv.Itoa(i)+"}", toString(a))
		}
		return s, nil
	case "join":
		sep := ","
		if len(args) > 1 {
			sep = toString(args[1])
		}
		list, ok := args[0].([]any)
		if !ok {
			return toString(args[0]), nil
		}
		parts := make([]string, len(list))
		for i, x := range list {
			parts[i] = toString(x)
		}
		return strings.Join(parts, sep), nil
	case "tojson":
		b, err := json.MarshalIndent(args[0], "", "  ")
		return string(b), err
	case "fromjson":
		var v any
		if err := json.Unmarshal([]byte(toString(args[0])), &v); err != nil {
			return nil, fmt.Errorf("expression %q: fromJSON: %v", e.src, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("expression %q: function %s() is not supported by the harness", e.src, name)
}

func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// property reads v.name; objects are map[string]any or map[string]string.
func property(v any, name string) any {
	switch m := v.(type) {
	case map[string]any:
		x, _ := lookup(m, name)
		return x
	case map[string]string:
		if x, ok := m[name]; ok {
			return x
		}
		for k, x := range m {
			if strings.EqualFold(k, name) {
				return x
			}
		}
	case []any:
		if i, err := strconv.Atoi(name); err == nil && i >= 0 && i < len(m) {
			return m[i]
		}
	}
	return nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	}
	return true
}

func toNumber(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

func compare(op string, a, b any) any {
	if as, ok := a.(string); ok {
		if bs, ok := b.(string); ok {
			return ordered(op, strings.ToLower(as), strings.ToLower(bs))
		}
	}
	if a == nil && b == nil {
		return op == "==" || op == "<=" || op == ">="
	}
	return ordered(op, toNumber(a), toNumber(b))
}

// ordered applies a comparison operator with Go's own operators, so that
// NaN compares false as in GitHub's expressions.
func ordered[T string | float64](op string, x, y T) bool {
	switch op {
	case "==":
		return x == y
	case "!=":
		return x != y
	case "<":
		return x < y
	case "<=":
		return x <= y
	case ">":
		return x > y
	default:
		return x >= y
	}
}

// toString renders a value as the runner does in ${{ }} substitution.
func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
