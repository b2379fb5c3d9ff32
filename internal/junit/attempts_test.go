package junit

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

func TestWriteAttemptsReadsBackAsReruns(t *testing.T) {
	c := func(name string, o model.Outcome, msg string) model.Case {
		return model.Case{Suite: "tests.test_a", Classname: "tests.test_a", Name: name, File: "tests/test_a.py", Line: 3, Seconds: 0.25, Outcome: o, Message: msg, Detail: msg + " <trace> & \"more\"\nline 2"}
	}
	tests := [][]model.Case{
		{c("test_once", model.Passed, "")},
		{c("test_flaky", model.Failed, "boom 1"), c("test_flaky", model.Passed, "")},
		{c("test_broken", model.Failed, "boom 1"), c("test_broken", model.Errored, "crash 2"), c("test_broken", model.Failed, "boom 3")},
		{c("test_skip", model.Skipped, "not here")},
		{{Suite: "other", Classname: "other", Name: "test_err_then_pass\x01", Outcome: model.Errored, Message: "e"}, {Suite: "other", Classname: "other", Name: "test_err_then_pass\x01", Outcome: model.Passed}},
	}
	var b bytes.Buffer
	if err := WriteAttempts(&b, tests); err != nil {
		t.Fatal(err)
	}
	type got struct {
		Name     string
		Outcome  model.Outcome
		Attempts int
		Message  string
	}
	var cases []got
	_, err := Read(bytes.NewReader(b.Bytes()), ReadOptions{Source: "x"}, func(c *model.Case) error {
		cases = append(cases, got{c.Name, c.Outcome, c.FailedAttempts, c.Message})
		return nil
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	want := []got{
		{"test_once", model.Passed, 0, ""},
		{"test_flaky", model.Passed, 1, "boom 1"},
		{"test_broken", model.Failed, 2, "boom 1"},
		{"test_skip", model.Skipped, 0, "not here"},
		{"test_err_then_pass\uFFFD", model.Passed, 1, "e"},
	}
	if diff := cmp.Diff(want, cases); diff != "" {
		t.Errorf("read back (-want +got):\n%s\n%s", diff, b.String())
	}
}
