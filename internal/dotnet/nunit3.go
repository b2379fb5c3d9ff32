package dotnet

import (
	"cmp"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/model"
)

// NUnit 3's result format (nunit3-console --result, NUnitLite, the
// NUnit3TestAdapter's NUnit.TestOutputXml), as far as this reader reads it:
//
//	<test-run id="0" testcasecount="4" result="Failed" total="4" ...
//	          start-time="2024-05-02 10:00:00Z" end-time=... duration="1.234">
//	  <command-line>...</command-line>
//	  <test-suite type="Assembly" name="Shop.Tests.dll" fullname="/src/.../Shop.Tests.dll"
//	              result="Failed" site="Child" ...>
//	    <environment machine-name="build-7" .../>
//	    <settings>...</settings> <properties>...</properties>
//	    <failure><message>One or more child tests had errors</message></failure>
//	    <test-suite type="TestSuite" name="Shop" fullname="Shop">      namespaces
//	      <test-suite type="TestFixture" name="CartTests" fullname="Shop.CartTests"
//	                  classname="Shop.CartTests" result="Failed" ...>
//	        <test-case name="Adds" fullname="Shop.CartTests.Adds" methodname="Adds"
//	                   classname="Shop.CartTests" result="Passed" duration="0.012345"
//	                   start-time="2024-05-02T10:00:00.1234567Z" ...>
//	          <properties>...</properties>
//	          <output><![CDATA[what the test wrote]]></output>
//	        </test-case>
//	        <test-suite type="ParameterizedMethod" name="Divides" fullname="Shop.CartTests.Divides">
//	          <test-case name="Divides(1,0)" fullname="Shop.CartTests.Divides(1,0)"
//	                     result="Failed" label="Error" site="Test" duration="0.002">
//	            <failure>
//	              <message><![CDATA[System.DivideByZeroException : ...]]></message>
//	              <stack-trace><![CDATA[   at Shop.CartTests.Divides(...) in ...:line 20]]></stack-trace>
//	            </failure>
//	            <assertions>...</assertions> <attachments>...</attachments>
//	          </test-case>
//	        </test-suite>
//	        <test-case ... result="Skipped" label="Ignored">
//	          <reason><message><![CDATA[not on Linux]]></message></reason>
//	        </test-case>
//	      </test-suite>
//	    </test-suite>
//	  </test-suite>
//	</test-run>
//
// A fragment holds the same elements under another root: a bare
// <test-suite> (NUnit's ITestResult.ToXml, some runners' per-assembly
// files) or a bare <test-case>. Early NUnit 3 releases give time="0.012"
// rather than duration and leave out classname and methodname.
//
// Every <test-case>, at any depth, is one case. Its name is its fullname
// (NUnit's FullyQualifiedName: "Shop.CartTests.Divides(1,0)",
// "Shop.PriceFixture(42).Rounds"), split into the class (the classname
// attribute, else the enclosing fixture's fullname, when it is a prefix
// of the fullname) and the rest.
//
// result and label give the outcome: Passed, and Warning (passed with
// warnings) are passed; Failed is failed, or an error with label Error,
// Cancelled or Invalid (a test that cannot run as written); Skipped
// (labels Ignored, Explicit) and Inconclusive are skipped, an
// inconclusive one with a Message starting "inconclusive"; Skipped with
// label Invalid (early releases) is an error. The message and
// stack-trace of <failure> (or, for a skip, the message of <reason>) are
// Message and Detail; <output> is Output.
//
// A <test-suite> that failed on its own account is a pseudo case, so that
// it is not lost: with site="TearDown" (a OneTimeTearDown that failed
// after its tests ran) the error case "[OneTimeTearDown failed]"; a suite
// that failed (site SetUp, or an invalid fixture) and holds no test-case
// to carry the failure, "[<type> failed]" ("[TestFixture failed]",
// "[Assembly failed]"). Their class is the suite's fullname (an
// assembly's file name). Suites that failed because of a child
// (site="Child") or a parent (site="Parent") add nothing.

// ParseNUnit3 reads an NUnit 3 result document or fragment. Errors for
// bad input are *diag.Error without a file name; the Report then holds
// the cases read before the error.
func ParseNUnit3(r io.Reader) (*Report, error) {
	p := newParser(r, NUnit3)
	err := p.nunit3()
	p.rep.Repaired = p.d.s.repaired
	return p.rep, err
}

// nunit3Suite is a test-suite being read.
type nunit3Suite struct {
	typ, name, fullname, classname string
	result, label, site            string
	msg, trace                     string
	cases                          bool // a test-case is inside
}

func (p *parser) nunit3() error {
	root, err := p.d.root()
	if err != nil {
		return err
	}
	var suites []*nunit3Suite
	var element func(e xml.StartElement) error
	element = func(e xml.StartElement) error {
		switch e.Name.Local {
		case "test-suite":
			s := &nunit3Suite{
				typ: attr(e, "type"), name: attr(e, "name"), fullname: attr(e, "fullname"), classname: attr(e, "classname"),
				result: attr(e, "result"), label: attr(e, "label"), site: attr(e, "site"),
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
			p.nunit3SuiteEnd(s)
			return nil
		case "test-case":
			for _, s := range suites {
				s.cases = true
			}
			fixture := ""
			for i := len(suites) - 1; i >= 0; i-- {
				if t := suites[i].typ; t == "TestFixture" || t == "GenericFixture" || t == "ParameterizedFixture" {
					fixture = suites[i].fullname
					break
				}
			}
			return p.nunit3Case(e, fixture)
		case "environment":
			if p.rep.Hostname == "" {
				p.rep.Hostname = attr(e, "machine-name")
			}
		}
		return p.d.skip()
	}
	switch root.Name.Local {
	case "test-run":
		p.nunit3Start(root)
		return p.d.children(element)
	case "test-suite", "test-case":
		p.nunit3Start(root)
		return element(root)
	}
	return p.wrongRoot(root.Name.Local, "test-run", "test-suite", "test-case")
}

func (p *parser) nunit3Start(e xml.StartElement) {
	if p.rep.Timestamp.IsZero() {
		p.rep.Timestamp, _ = timestamp(attr(e, "start-time"))
	}
}

// nunit3SuiteEnd adds the pseudo case of a suite that failed on its own.
func (p *parser) nunit3SuiteEnd(s *nunit3Suite) {
	if s.result != "Failed" && !(s.result == "Skipped" && s.label == "Invalid") {
		return
	}
	scope := s.fullname
	if s.typ == "Assembly" || scope == "" {
		scope = baseName(cmp.Or(s.fullname, s.name))
	}
	switch {
	case s.site == "Child" || s.site == "Parent":
	case s.site == "TearDown":
		p.pseudo(scope, "[OneTimeTearDown failed]", s.msg, s.trace)
	case !s.cases:
		typ := s.typ
		if typ == "" {
			typ = "test-suite"
		}
		p.pseudo(scope, "["+typ+" failed]", s.msg, s.trace)
	}
}

func (p *parser) nunit3Case(e xml.StartElement, fixture string) error {
	var c model.Case
	full := cmp.Or(attr(e, "fullname"), attr(e, "name"))
	class := attr(e, "classname")
	if fixture != "" && len(fixture) > len(class) && hasPrefixDot(full, fixture) {
		class = fixture // a parameterised fixture: "Ns.F(42)", not "Ns.F"
	}
	if class == "" {
		class = fixture
	}
	c.Classname, c.Name = nameIn(full, class)
	if hasAttr(e, "duration") {
		c.Seconds = seconds(attr(e, "duration"))
	} else {
		c.Seconds = seconds(attr(e, "time"))
	}
	result, label := attr(e, "result"), attr(e, "label")
	skipMsg := ""
	err := p.d.children(func(ch xml.StartElement) error {
		var err error
		switch ch.Name.Local {
		case "failure":
			c.Message, c.Detail, err = p.d.messageAndTrace()
		case "reason":
			skipMsg, _, err = p.d.messageAndTrace()
		case "output":
			c.Output, err = p.d.text()
		default:
			err = p.d.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	switch result {
	case "Passed", "Warning":
		c.Outcome = model.Passed
		c.Message, c.Detail = "", ""
	case "Failed":
		c.Outcome = model.Failed
		switch label {
		case "Error", "Cancelled", "Invalid":
			c.Outcome = model.Errored
		}
		if c.Message == "" {
			c.Message = cmp.Or(skipMsg, label, "failed")
		}
	case "Skipped", "Inconclusive":
		c.Outcome = model.Skipped
		if label == "Invalid" {
			c.Outcome = model.Errored
		}
		c.Message, c.Detail = cmp.Or(skipMsg, c.Message), ""
		switch {
		case result == "Inconclusive":
			c.Message = prefixed("inconclusive", c.Message)
		case c.Message == "" && label != "":
			c.Message = strings.ToLower(label)
		}
	default:
		c.Outcome = model.Errored
		c.Message = prefixed("unknown result "+strconv.Quote(result), c.Message)
	}
	p.add(c)
	return nil
}
