package junit_test

import (
	"fmt"
	"strings"

	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
)

func ExampleRead() {
	report := `<testsuite name="com.example.CartTest">
  <testcase classname="com.example.CartTest" name="adds" time="0.01"/>
  <testcase classname="com.example.CartTest" name="totals" time="0.2">
    <flakyFailure message="expected 3"><stackTrace>at CartTest.java:12</stackTrace></flakyFailure>
  </testcase>
</testsuite>`
	_, err := junit.Read(strings.NewReader(report), junit.ReadOptions{Source: "cart.xml", Worker: "gw0"}, func(c *model.Case) error {
		fmt.Printf("%s %s: %s, flaky %v (%q)\n", c.Worker, c.Name, c.Outcome, c.Flaky(), c.Message)
		return nil
	})
	fmt.Println(err)
	// Output:
	// gw0 adds: passed, flaky false ("")
	// gw0 totals: passed, flaky true ("expected 3")
	// <nil>
}
