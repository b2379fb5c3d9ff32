package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

func TestLocate(t *testing.T) {
	tests := []struct {
		name     string
		c        model.Case
		opts     Options
		file     string
		line     int
		wantNone bool
	}{
		{
			name: "the report's own file and line win",
			c:    model.Case{Classname: "tests.test_a", Name: "test_x", File: "./tests/test_a.py", Line: 7, Message: "tests/test_a.py:99: boom"},
			file: "tests/test_a.py", line: 7,
		},
		{
			name: "a Go t.Errorf line maps to the package directory through the module path",
			c:    model.Case{Classname: "example.com/m/internal/cart", Name: "TestTax/de", Message: "    cart_test.go:42: got 1, want 2"},
			opts: Options{ModulePath: "example.com/m"}, file: "internal/cart/cart_test.go", line: 42,
		},
		{
			name: "a Go package at the module root maps to the module directory",
			c:    model.Case{Classname: "example.com/m", Name: "TestRoot", Message: "    root_test.go:3: no"},
			opts: Options{ModulePath: "example.com/m", ModuleDir: "go"}, file: "go/root_test.go", line: 3,
		},
		{
			name: "a Go package outside the module keeps the bare file name",
			c:    model.Case{Classname: "other.org/x", Name: "TestA", Message: "    a_test.go:9: no"},
			opts: Options{ModulePath: "example.com/m"}, file: "a_test.go", line: 9,
		},
		{
			name: "a Go panic frame with an absolute path is matched to the package directory",
			c: model.Case{Classname: "example.com/m/cart", Name: "TestPanic",
				Detail: "panic: boom\n\ngoroutine 7 [running]:\n\t/usr/lib/go/src/testing/testing.go:1700 +0x1\n\t/home/u/src/m/cart/cart_test.go:88 +0x1d\n"},
			opts: Options{ModulePath: "example.com/m"}, file: "cart/cart_test.go", line: 88,
		},
		{
			name: "pytest's deepest line in the test's own file",
			c: model.Case{Classname: "tests.test_api", Name: "test_b", File: "tests/test_api.py",
				Detail: "tests/test_api.py:10: in test_b\n    helper()\ntests/test_api.py:20: in helper\n    x()\nlib/util.py:5: ValueError"},
			file: "tests/test_api.py", line: 20,
		},
		{
			name: "pytest without a file attribute knows the test's file from the classname",
			c:    model.Case{Classname: "tests.test_api", Name: "test_b", Detail: "lib/conftest.py:3: in fixture\ntests/test_api.py:12: AssertionError"},
			file: "tests/test_api.py", line: 12,
		},
		{
			name: "Python frames of an unknown test file: the first",
			c:    model.Case{Suite: "suite", Name: "test_b", Detail: "lib/conftest.py:3: in fixture\nlib/other.py:4: X"},
			file: "lib/conftest.py", line: 3,
		},
		{
			name: "a Python traceback frame",
			c:    model.Case{Classname: "tests.test_api", Name: "test_c", File: "tests/test_api.py", Detail: "Traceback (most recent call last):\n  File \"tests/test_api.py\", line 31, in test_c\n    1/0\nZeroDivisionError"},
			file: "tests/test_api.py", line: 31,
		},
		{
			name: "a Jest frame in the test file, made relative to the repository root",
			c: model.Case{Suite: "src/cart.test.js", Name: "adds", File: "src/cart.test.js",
				Detail: "Error: no\n    at expect (/w/repo/node_modules/expect/build/index.js:1:2)\n    at Object.<anonymous> (/w/repo/src/cart.test.js:14:23)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)"},
			opts: Options{RepoRoot: "/w/repo"}, file: "src/cart.test.js", line: 14,
		},
		{
			name: "a Node frame without a function name or known test file",
			c:    model.Case{Classname: "suite", Name: "works", Detail: "AssertionError\n    at file:///w/repo/test/a.test.mjs:5:9\n"},
			opts: Options{RepoRoot: "/w/repo"}, file: "test/a.test.mjs", line: 5,
		},
		{
			name: "a JVM frame of the test class, not of the code under test",
			c: model.Case{Classname: "com.x.FooTest", Name: "testBar",
				Detail: "java.lang.AssertionError\n\tat org.junit.Assert.fail(Assert.java:89)\n\tat com.x.Foo.bar(Foo.java:12)\n\tat com.x.FooTest.testBar(FooTest.java:42)\n"},
			file: "src/test/java/com/x/FooTest.java", line: 42,
		},
		{
			name: "a JVM frame of a lambda inside the test class, with the report's file",
			c: model.Case{Classname: "com.x.FooTest", Name: "testBaz", File: "app/src/test/java/com/x/FooTest.java",
				Detail: "\tat com.x.FooTest$1.run(FooTest.java:50)\n"},
			file: "app/src/test/java/com/x/FooTest.java", line: 50,
		},
		{
			name: "an absolute path outside the repository is dropped",
			c:    model.Case{Classname: "tests.test_a", Name: "test_x", Detail: "/usr/lib/python3/x.py:5: in f"},
			opts: Options{RepoRoot: "/w/repo"}, wantNone: true,
		},
		{
			name:     "a path escaping the repository is dropped",
			c:        model.Case{Classname: "tests.test_a", Name: "test_x", Detail: "../../etc/x.py:5: in f"},
			wantNone: true,
		},
		{
			name:     "no location at all",
			c:        model.Case{Classname: "a.B", Name: "c", Message: "expected true"},
			wantNone: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, line := Locate(&tt.c, tt.opts)
			if tt.wantNone {
				tt.file, tt.line = "", 0
			}
			if file != tt.file || line != tt.line {
				t.Errorf("Locate = %q, %d; want %q, %d", file, line, tt.file, tt.line)
			}
		})
	}
}

func failures(n int) []model.Case {
	var cs []model.Case
	for i := range n {
		c := goCase("p", fmt.Sprintf("TestF%02d", i), "gw0", 1)
		c.Outcome = model.Failed
		cs = append(cs, c)
	}
	return cs
}

func flakies(n int) []model.Case {
	cs := failures(n)
	for i := range cs {
		cs[i].Name = strings.Replace(cs[i].Name, "TestF", "TestK", 1)
		cs[i].Outcome, cs[i].FailedAttempts = model.Passed, 1
	}
	return cs
}

func TestAnnotationsBudget(t *testing.T) {
	type counts struct{ Errors, Warnings, Notices, Omitted int }
	tests := []struct {
		name       string
		res        *merge.Result
		want       counts
		firstTitle string // of the first error, when there is one
	}{
		{"a clean run annotates nothing", &merge.Result{}, counts{}, ""},
		{"few failures are all annotated", &merge.Result{Failures: failures(3)}, counts{Errors: 3}, "example.com/shop/p.TestF00 failed on gw0"},
		{
			"input errors come before failures and push them out",
			&merge.Result{Problems: []string{"a.json:1:1: bad", "b.json:2:2: bad"}, Failures: failures(12)},
			counts{Errors: 10, Notices: 1, Omitted: 4}, "xshard: input error",
		},
		{
			"verification problems come before failures",
			&merge.Result{Verification: merge.Verification{Missing: []string{"t1", "t2"}}, Failures: failures(1)},
			counts{Errors: 2}, "xshard: 2 planned tests did not run",
		},
		{
			"missing workers come before flaky tests in the warnings",
			&merge.Result{Verification: merge.Verification{MissingWorkers: []merge.MissingWorker{{Name: "gw1"}, {Name: "gw2"}}}, Flaky: flakies(9)},
			counts{Warnings: 10, Notices: 1, Omitted: 1}, "",
		},
		{
			"errors and warnings overflow separately",
			&merge.Result{Failures: failures(25), Flaky: flakies(30)},
			counts{Errors: 10, Warnings: 10, Notices: 2, Omitted: 35}, "example.com/shop/p.TestF00 failed on gw0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, omitted := Annotations(tt.res, Options{})
			var got counts
			got.Omitted = omitted
			for _, a := range list {
				switch a.Level {
				case LevelError:
					got.Errors++
				case LevelWarning:
					got.Warnings++
				case LevelNotice:
					got.Notices++
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
			if tt.firstTitle != "" && list[0].Title != tt.firstTitle {
				t.Errorf("first annotation title = %q, want %q", list[0].Title, tt.firstTitle)
			}
			if len(list) > MaxAnnotationsPerJob {
				t.Errorf("%d annotations, over the job limit", len(list))
			}
		})
	}
}

func TestAnnotationsMissingWorkerFirst(t *testing.T) {
	res := &merge.Result{Flaky: flakies(1), Verification: merge.Verification{MissingWorkers: []merge.MissingWorker{{Name: "gw3", Tests: []string{"a.TestX"}}}}}
	list, _ := Annotations(res, Options{})
	want := []Annotation{
		{Level: LevelWarning, Title: "xshard: worker gw3 is missing",
			Message: "The worker uploaded no results: its job failed, was cancelled or its artifact is missing. Its 1 planned test did not run:\na.TestX"},
		{Level: LevelWarning, Title: "example.com/shop/p.TestK00 is flaky: passed on gw0 after 1 failed attempt", Message: "(no message)"},
	}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}

func TestWriteAnnotations(t *testing.T) {
	var b strings.Builder
	err := WriteAnnotations(&b, []Annotation{
		{Level: LevelError, Title: "a: b, c", File: "x/y_test.go", Line: 4, Message: "100% sure\r\nno"},
		{Level: LevelNotice, Message: "plain"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "::error file=x/y_test.go,line=4,title=a%3A b%2C c::100%25 sure%0D%0Ano\n::notice::plain\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if err := WriteAnnotations(&b, []Annotation{{Level: "debug"}}); err == nil || err.Error() != `annotation 0: invalid level "debug"` {
		t.Errorf("invalid level: err = %v", err)
	}
}

func TestWriteLog(t *testing.T) {
	tests := []struct {
		name, text, token, want string
	}{
		{"text between the caller's token", "::error::x\n", "xshard_0123456789abcdef",
			"::stop-commands::xshard_0123456789abcdef\n::error::x\n::xshard_0123456789abcdef::\n"},
		{"a final newline is added", "a", "tok_12345678", "::stop-commands::tok_12345678\na\n::tok_12345678::\n"},
		{"a token the text contains is replaced", "::tok_12345678::\n::error::x", "tok_12345678", ""},
		{"an empty token is replaced", "::error::x", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			WriteLog(&b, tt.text, tt.token)
			got := b.String()
			if tt.want != "" {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("output (-want +got):\n%s", diff)
				}
				return
			}
			first, rest, _ := strings.Cut(got, "\n")
			tok := strings.TrimPrefix(first, "::stop-commands::")
			if tok == first || len(tok) < 16 || strings.Contains(tt.text, tok) {
				t.Fatalf("bad stop-commands line %q for text %q", first, tt.text)
			}
			if want := strings.TrimSuffix(tt.text, "\n") + "\n::" + tok + "::\n"; rest != want {
				t.Errorf("after the first line got %q, want %q", rest, want)
			}
		})
	}
}
