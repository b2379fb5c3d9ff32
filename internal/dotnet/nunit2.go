package dotnet

import (
	"cmp"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/model"
)

// NUnit 2's result format (nunit-console 2.x TestResult.xml, also written
// by NUnit 3's console with --result=file;format=nunit2), as far as this
// reader reads it:
//
//	<test-results name="/src/Shop.Tests.dll" total="4" errors="0" failures="1"
//	              not-run="1" inconclusive="0" ignored="1" skipped="0" invalid="0"
//	              date="2024-05-02" time="10:00:00">
//	  <environment nunit-version="2.6.4.14350" machine-name="build-7" .../>
//	  <culture-info current-culture="en-US" .../>
//	  <test-suite type="Assembly" name="/src/Shop.Tests.dll" executed="True"
//	              result="Failure" success="False" time="0.345" asserts="0">
//	    <results>
//	      <test-suite type="Namespace" name="Shop" ...>
//	        <results>
//	          <test-suite type="TestFixture" name="CartTests" ...>
//	            <results>
//	              <test-case name="Shop.CartTests.Adds" executed="True"
//	                         result="Success" success="True" time="0.012" asserts="1"/>
//	              <test-suite type="ParameterizedTest" name="Divides" ...>
//	                <results>
//	                  <test-case name="Shop.CartTests.Divides(1,0)" executed="True"
//	                             result="Error" success="False" time="0.002">
//	                    <failure>
//	                      <message><![CDATA[System.DivideByZeroException : ...]]></message>
//	                      <stack-trace><![CDATA[at Shop.CartTests.Divides(...) in ...:line 20]]></stack-trace>
//	                    </failure>
//	                  </test-case>
//	                </results>
//	              </test-suite>
//	              <test-case name="Shop.CartTests.Later" executed="False" result="Ignored">
//	                <reason><message><![CDATA[not yet]]></message></reason>
//	              </test-case>
//	            </results>
//	          </test-suite>
//	        </results>
//	      </test-suite>
//	    </results>
//	  </test-suite>
//	</test-results>
//
// NUnit 2.2 and earlier write neither type nor result: executed and
// success say what happened, and fixtures are named in full.
//
// Every <test-case>, at any depth, is one case. Its name attribute is the
// test's full name ("Shop.CartTests.Divides(1,0)"), split at the last
// '.' outside an argument list into the class and the rest; a name with
// no '.' is in the enclosing TestFixture.
//
// result gives the outcome: Success is passed; Failure failed; Error,
// Cancelled and NotRunnable (a test that cannot run as written) errors;
// Ignored, Skipped and Inconclusive skipped (an inconclusive one with a
// Message starting "inconclusive"). Without result, executed="False" is
// skipped, success="False" failed and success="True" passed. Message and
// Detail come from <failure> (or <reason> for a skip). NUnit 2 records
// no output.
//
// A test-suite that failed (result Failure or Error) holding no test-case
// is the error case "[<type> failed]" ("[TestFixture failed]"), and one
// whose failure message starts with "TearDown" (a TestFixtureTearDown
// that failed after its tests ran) the error case "[TearDown failed]":
// such failures are not lost. Their class is the suite's full name.

// ParseNUnit2 reads an NUnit 2 result document. Errors for bad input are
// *diag.Error without a file name; the Report then holds the cases read
// before the error.
func ParseNUnit2(r io.Reader) (*Report, error) {
	p := newParser(r, NUnit2)
	err := p.nunit2()
	p.rep.Repaired = p.d.s.repaired
	return p.rep, err
}

// nunit2Suite is a test-suite being read.
type nunit2Suite struct {
	typ, name, full string // full: the namespaces and the name, dotted
	result, success string
	msg, trace      string
	cases           bool
}

func (p *parser) nunit2() error {
	root, err := p.d.root()
	if err != nil {
		return err
	}
	if root.Name.Local != "test-results" {
		return p.wrongRoot(root.Name.Local, "test-results")
	}
	p.rep.Timestamp, _ = dateAndTime(attr(root, "date"), attr(root, "time"))
	var suites []*nunit2Suite
	var element func(e xml.StartElement) error
	element = func(e xml.StartElement) error {
		switch e.Name.Local {
		case "results":
			return p.d.children(element)
		case "environment":
			if p.rep.Hostname == "" {
				p.rep.Hostname = attr(e, "machine-name")
			}
		case "test-suite":
			s := &nunit2Suite{typ: attr(e, "type"), name: attr(e, "name"), result: attr(e, "result"), success: attr(e, "success")}
			s.full = s.name
			switch n := len(suites); {
			case s.assembly():
				s.full = baseName(s.name)
			case n > 0 && !suites[n-1].assembly() && s.typ != "ParameterizedTest" && !strings.Contains(s.name, "."):
				s.full = suites[n-1].full + "." + s.name
			}
			suites = append(suites, s)
			var err error
			if s.msg, s.trace, err = p.suiteBody(element); err != nil {
				return err
			}
			suites = suites[:len(suites)-1]
			if s.cases && len(suites) > 0 {
				suites[len(suites)-1].cases = true
			}
			p.nunit2SuiteEnd(s)
			return nil
		case "test-case":
			fixture := ""
			for i := len(suites) - 1; i >= 0; i-- {
				suites[i].cases = true
				if fixture == "" && suites[i].typ != "ParameterizedTest" {
					fixture = suites[i].full
				}
			}
			return p.nunit2Case(e, fixture)
		}
		return p.d.skip()
	}
	return p.d.children(element)
}

// suiteBody reads the children of an NUnit test-suite (2 or 3): its
// failure or reason gives the suite's message and trace, every other
// child goes to element.
func (p *parser) suiteBody(element func(xml.StartElement) error) (msg, trace string, err error) {
	err = p.d.children(func(c xml.StartElement) error {
		if c.Name.Local == "failure" || c.Name.Local == "reason" {
			var err error
			msg, trace, err = p.d.messageAndTrace()
			return err
		}
		return element(c)
	})
	return msg, trace, err
}

// assembly reports whether s is a suite for a whole assembly or project
// (NUnit 2.2 gives no type: its name is then the file's path).
func (s *nunit2Suite) assembly() bool {
	return s.typ == "Assembly" || s.typ == "Project" ||
		s.typ == "" && (strings.ContainsAny(s.name, `/\`) || strings.HasSuffix(s.name, ".dll") || strings.HasSuffix(s.name, ".exe"))
}

func (p *parser) nunit2SuiteEnd(s *nunit2Suite) {
	failed := s.result == "Failure" || s.result == "Error" || s.result == "" && s.success == "False"
	if !failed {
		return
	}
	typ := cmp.Or(s.typ, "test-suite")
	switch {
	case strings.HasPrefix(s.msg, "TearDown"):
		p.pseudo(s.full, "[TearDown failed]", s.msg, s.trace)
	case !s.cases:
		p.pseudo(s.full, "["+typ+" failed]", s.msg, s.trace)
	}
}

func (p *parser) nunit2Case(e xml.StartElement, fixture string) error {
	var c model.Case
	full := attr(e, "name")
	c.Classname, c.Name = splitName(full)
	if c.Classname == "" {
		c.Classname = fixture
	}
	c.Seconds = seconds(attr(e, "time"))
	result, executed, success := attr(e, "result"), attr(e, "executed"), attr(e, "success")
	skipMsg := ""
	err := p.d.children(func(ch xml.StartElement) error {
		var err error
		switch ch.Name.Local {
		case "failure":
			c.Message, c.Detail, err = p.d.messageAndTrace()
		case "reason":
			skipMsg, _, err = p.d.messageAndTrace()
		default:
			err = p.d.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if result == "" {
		switch {
		case executed == "False":
			result = "Skipped"
		case success == "False":
			result = "Failure"
		case success == "True":
			result = "Success"
		}
	}
	switch result {
	case "Success":
		c.Outcome = model.Passed
		c.Message, c.Detail = "", ""
	case "Failure":
		c.Outcome = model.Failed
		c.Message = cmp.Or(c.Message, "failed")
	case "Error", "Cancelled", "NotRunnable":
		c.Outcome = model.Errored
		c.Message = cmp.Or(c.Message, skipMsg, strings.ToLower(result))
	case "Ignored", "Skipped", "Inconclusive":
		c.Outcome = model.Skipped
		c.Message, c.Detail = cmp.Or(skipMsg, c.Message), ""
		if result == "Inconclusive" {
			c.Message = prefixed("inconclusive", c.Message)
		} else if c.Message == "" {
			c.Message = strings.ToLower(result)
		}
	default:
		c.Outcome = model.Errored
		c.Message = prefixed("unknown result "+strconv.Quote(result), c.Message)
	}
	p.add(c)
	return nil
}
