// Package junitdoc reads a JUnit XML document into plain structs, as an
// independent XML parser (encoding/xml) sees it, for tests that assert
// on what a merge wrote: its totals, suites, testcases, their outcome
// elements and properties. It is test support: nothing in the product
// reads reports through it.
package junitdoc

import (
	"encoding/xml"
	"fmt"
)

// Doc is a <testsuites> document.
type Doc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []Suite  `xml:"testsuite"`
}

// Suite is a <testsuite> with its totals and testcases.
type Suite struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Cases    []Case `xml:"testcase"`
}

// Case is a <testcase>: its identity, its outcome elements (counted, not
// read) and its properties.
type Case struct {
	Classname string     `xml:"classname,attr"`
	Name      string     `xml:"name,attr"`
	Failures  []struct{} `xml:"failure"`
	Errors    []struct{} `xml:"error"`
	Skipped   []struct{} `xml:"skipped"`
	Reruns    []struct{} `xml:"rerunFailure"`
	Props     []Property `xml:"properties>property"`
}

// Property is a <property> of a testcase.
type Property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Prop returns the value of the case's property name, "" when it has
// none.
func (c Case) Prop(name string) string {
	for _, p := range c.Props {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Parse reads data as a <testsuites> document.
func Parse(data []byte) (*Doc, error) {
	var d Doc
	if err := xml.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// CheckTotals returns an error when the root's or a suite's tests
// attribute differs from the testcases it holds.
func (d *Doc) CheckTotals() error {
	n := 0
	for _, s := range d.Suites {
		if s.Tests != len(s.Cases) {
			return fmt.Errorf("suite %q says tests=%d and holds %d testcases", s.Name, s.Tests, len(s.Cases))
		}
		n += len(s.Cases)
	}
	if d.Tests != n {
		return fmt.Errorf("the root says tests=%d and holds %d testcases", d.Tests, n)
	}
	return nil
}
