package dotnet

import (
	"cmp"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/model"
)

// xUnit.net v2's XML format (xunit.console -xml, dotnet test with the
// xunit logger's XML, xunit.runner.visualstudio's XmlOutput), as far as
// this reader reads it:
//
//	<assemblies timestamp="05/02/2024 10:00:00" computer="build-7" ...>
//	  <assembly name="/src/Shop.Tests.dll" environment="64-bit .NET 8.0.4 [collection-per-class, parallel (2 threads)]"
//	            test-framework="xUnit.net 2.7.0.0" run-date="2024-05-02" run-time="10:00:00"
//	            total="4" passed="2" failed="1" skipped="1" time="0.345" errors="1">
//	    <errors>
//	      <error type="test-class-cleanup" name="Shop.CartTests">
//	        <failure exception-type="System.InvalidOperationException">
//	          <message><![CDATA[...]]></message><stack-trace><![CDATA[...]]></stack-trace>
//	        </failure>
//	      </error>
//	    </errors>
//	    <collection name="Test collection for Shop.CartTests" total="3" time="0.2" ...>
//	      <test name="Shop.CartTests.Adds(a: 1, b: 2)" type="Shop.CartTests" method="Adds"
//	            time="0.0012345" result="Pass" source-file="..." source-line="12">
//	        <traits><trait name="Category" value="Unit"/></traits>
//	        <output><![CDATA[what the test wrote to ITestOutputHelper]]></output>
//	      </test>
//	      <test name="..." type="..." method="..." time="0.002" result="Fail">
//	        <failure exception-type="Xunit.Sdk.EqualException">
//	          <message><![CDATA[Assert.Equal() Failure ...]]></message>
//	          <stack-trace><![CDATA[   at Shop.CartTests.Adds(...) in ...:line 15]]></stack-trace>
//	        </failure>
//	      </test>
//	      <test ... result="Skip"><reason><![CDATA[flaky on CI]]></reason></test>
//	    </collection>
//	  </assembly>
//	</assemblies>
//
// A single <assembly> may be the root, and xUnit.net v1's files (an
// <assembly> root with <class> elements in place of collections) hold
// the same <test> elements, which are read wherever they are.
//
// A test's class is its type attribute (nested classes as
// "Shop.Outer+Inner") and its name is its method followed by the
// argument list of its display name (the name attribute), if any: a
// theory's row "Shop.CartTests.Adds(a: 1, b: 2)" is "Adds(a: 1, b: 2)",
// whatever methodDisplay option wrote it. Without type and method the
// name attribute is split like a full name.
//
// result gives the outcome: Pass is passed, Fail failed, Skip and NotRun
// skipped (Message from <reason>). time is seconds. <output> is Output.
// Each <error> of an assembly (a failed fixture, class or collection
// cleanup, a catastrophic failure) is the error case "[<type> failed]"
// ("[test-class-cleanup failed]") in the class its name attribute gives,
// else the assembly's file name.

// ParseXUnit reads an xUnit.net v2 (or v1) XML document. Errors for bad
// input are *diag.Error without a file name; the Report then holds the
// cases read before the error.
func ParseXUnit(r io.Reader) (*Report, error) {
	p := newParser(r, XUnit)
	err := p.xunit()
	p.rep.Repaired = p.d.s.repaired
	return p.rep, err
}

func (p *parser) xunit() error {
	root, err := p.d.root()
	if err != nil {
		return err
	}
	assembly := ""
	var element func(e xml.StartElement) error
	element = func(e xml.StartElement) error {
		switch e.Name.Local {
		case "assembly":
			assembly = baseName(attr(e, "name"))
			if p.rep.Timestamp.IsZero() {
				p.rep.Timestamp, _ = dateAndTime(attr(e, "run-date"), attr(e, "run-time"))
			}
			return p.d.children(element)
		case "collection", "class", "errors":
			return p.d.children(element)
		case "error":
			typ := cmp.Or(attr(e, "type"), "error")
			scope := cmp.Or(attr(e, "name"), assembly)
			msg, trace := "", ""
			if err := p.d.children(func(c xml.StartElement) error {
				if c.Name.Local == "failure" {
					var err error
					msg, trace, err = p.d.messageAndTrace()
					return err
				}
				return p.d.skip()
			}); err != nil {
				return err
			}
			p.pseudo(scope, "["+typ+" failed]", msg, trace)
			return nil
		case "test":
			return p.xunitTest(e)
		}
		return p.d.skip()
	}
	switch root.Name.Local {
	case "assemblies":
		p.rep.Hostname = attr(root, "computer")
		return p.d.children(element)
	case "assembly":
		return element(root)
	}
	return p.wrongRoot(root.Name.Local, "assemblies", "assembly")
}

func (p *parser) xunitTest(e xml.StartElement) error {
	var c model.Case
	display, typ, method := attr(e, "name"), attr(e, "type"), attr(e, "method")
	if typ != "" && method != "" {
		c.Classname, c.Name = typ, withArgs(method, display)
	} else {
		c.Classname, c.Name = nameIn(display, typ)
	}
	c.Seconds = seconds(attr(e, "time"))
	reason := ""
	err := p.d.children(func(ch xml.StartElement) error {
		var err error
		switch ch.Name.Local {
		case "failure":
			c.Message, c.Detail, err = p.d.messageAndTrace()
		case "reason":
			reason, err = p.d.text() // v1 nests a <message>
			reason = strings.TrimSpace(reason)
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
	switch result := attr(e, "result"); result {
	case "Pass":
		c.Outcome = model.Passed
		c.Message, c.Detail = "", ""
	case "Fail":
		c.Outcome = model.Failed
		c.Message = cmp.Or(c.Message, "failed")
	case "Skip", "NotRun":
		c.Outcome = model.Skipped
		c.Message, c.Detail = cmp.Or(reason, c.Message), ""
		if c.Message == "" {
			c.Message = map[string]string{"Skip": "skipped", "NotRun": "not run"}[result]
		}
	default:
		c.Outcome = model.Errored
		c.Message = prefixed("unknown result "+strconv.Quote(result), c.Message)
	}
	p.add(c)
	return nil
}
