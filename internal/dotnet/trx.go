package dotnet

import (
	"cmp"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/model"
)

// The TRX format (Visual Studio's test results: vstest's and dotnet
// test's --logger trx, MSTest, and any adapter run through vstest), as far
// as this reader reads it:
//
//	<TestRun id="..." name="ci@build-7 2024-05-02 10:00:00"
//	         xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
//	  <Times creation="..." queuing="..." start="2024-05-02T10:00:00.1234567+00:00" finish="..."/>
//	  <TestSettings>...</TestSettings>
//	  <Results>
//	    <UnitTestResult executionId="e1" testId="t1" testName="Adds" computerName="build-7"
//	                    duration="00:00:00.0123456" startTime="..." endTime="..." outcome="Passed" ...>
//	      <Output><StdOut>what the test wrote</StdOut></Output>
//	    </UnitTestResult>
//	    <UnitTestResult executionId="e2" testId="t2" testName="Divides" outcome="Failed"
//	                    resultType="DataDrivenTest" ...>
//	      <Output>
//	        <ErrorInfo><Message>1 of 2 rows failed</Message></ErrorInfo>
//	      </Output>
//	      <InnerResults>
//	        <UnitTestResult executionId="e3" parentExecutionId="e2" testId="t2"
//	                        testName="Divides (1,0)" resultType="DataDrivenDataRow" dataRowInfo="1"
//	                        duration="00:00:00.0020000" outcome="Failed">
//	          <Output>
//	            <StdErr>...</StdErr>
//	            <ErrorInfo>
//	              <Message>Test method threw exception ...</Message>
//	              <StackTrace>   at Shop.CartTests.Divides(...) in ...:line 20</StackTrace>
//	            </ErrorInfo>
//	          </Output>
//	        </UnitTestResult>
//	      </InnerResults>
//	    </UnitTestResult>
//	  </Results>
//	  <TestDefinitions>
//	    <UnitTest name="Adds" storage="/src/bin/shop.tests.dll" id="t1">
//	      <Execution id="e1"/>
//	      <TestMethod codeBase="..." adapterTypeName="executor://mstestadapter/v2"
//	                  className="Shop.CartTests" name="Adds"/>
//	    </UnitTest>
//	  </TestDefinitions>
//	  <TestEntries>...</TestEntries> <TestLists>...</TestLists>
//	  <ResultSummary outcome="Failed">
//	    <Counters total="3" executed="3" passed="1" failed="1" .../>
//	    <RunInfos>
//	      <RunInfo computerName="build-7" outcome="Error" timestamp="...">
//	        <Text>The active test run was aborted. Reason: Test host process crashed</Text>
//	      </RunInfo>
//	    </RunInfos>
//	  </ResultSummary>
//	</TestRun>
//
// Every <UnitTestResult> (or other *TestResult* element, such as an
// ordered test's TestResultAggregation) is one case, except a result with
// <InnerResults> (a data-driven test, or a test that returned several
// results), whose inner results are its cases instead. A case's class is
// its definition's TestMethod className (an assembly-qualified
// "Shop.CartTests, Shop.Tests, Version=..." cut at the comma), found by
// testId in <TestDefinitions>, which may come before or after the
// results; its name is the TestMethod's name followed by the argument
// list of testName, its display name, if any ("Divides (1,0)" and
// xUnit.net's "Shop.CartTests.Divides(a: 1, b: 0)" both give
// "Divides(1,0)"-style names). Inner results without an argument list
// are told apart by their dataRowInfo: "Divides(data row 1)". Without a
// definition, testName is split like a full name.
//
// duration is a TimeSpan, "hh:mm:ss.fffffff" (with a "d." prefix past a
// day); without one, endTime minus startTime. outcome gives the outcome:
// Passed, PassedButRunAborted, Completed and Warning are passed; Failed
// and Timeout failed; NotExecuted and Inconclusive skipped, with a
// Message saying which (a NotExecuted result without ErrorInfo gives the
// first line of its StdOut as the reason: xUnit.net's adapter writes a
// skip's reason there); Error, Aborted, Disconnected, NotRunnable,
// InProgress, Pending and any other value errors (the test did not run
// to an end). ErrorInfo's Message and StackTrace are Message and Detail;
// StdOut and StdErr, in that order, are Output.
//
// When ResultSummary's outcome is Failed, Error, Aborted or Timeout and
// no result failed or errored (a crashed test host, a failed collector),
// the run's failure is the error case "[test run failed]", with the text
// of its RunInfos as Message, so that it is not lost.

// ParseTRX reads a TRX document. Errors for bad input are *diag.Error
// without a file name; the Report then holds the cases read before the
// error.
func ParseTRX(r io.Reader) (*Report, error) {
	p := newParser(r, TRX)
	err := p.trx()
	p.rep.Repaired = p.d.s.repaired
	return p.rep, err
}

// trxResult is a UnitTestResult as read, before its definition is known.
type trxResult struct {
	model.Case
	testID, display, dataRow string
}

// trxMethod is a TestMethod definition.
type trxMethod struct{ class, name string }

func (p *parser) trx() error {
	root, err := p.d.root()
	if err != nil {
		return err
	}
	if root.Name.Local != "TestRun" {
		return p.wrongRoot(root.Name.Local, "TestRun")
	}
	var results []trxResult
	defs := map[string]trxMethod{}
	var summary, runInfo string
	storage := ""
	err = p.d.children(func(e xml.StartElement) error {
		switch e.Name.Local {
		case "Times":
			p.rep.Timestamp, _ = timestamp(attr(e, "start"))
			return p.d.skip()
		case "Results":
			return p.d.children(func(e xml.StartElement) error {
				if !strings.Contains(e.Name.Local, "TestResult") {
					return p.d.skip()
				}
				return p.trxResult(e, &results)
			})
		case "TestDefinitions":
			return p.d.children(func(e xml.StartElement) error {
				id := attr(e, "id")
				if storage == "" {
					storage = baseName(attr(e, "storage"))
				}
				return p.d.children(func(m xml.StartElement) error {
					if m.Name.Local == "TestMethod" {
						class, _, _ := strings.Cut(attr(m, "className"), ",")
						defs[id] = trxMethod{strings.TrimSpace(class), attr(m, "name")}
					}
					return p.d.skip()
				})
			})
		case "ResultSummary":
			summary = attr(e, "outcome")
			return p.d.children(func(e xml.StartElement) error {
				if e.Name.Local != "RunInfos" {
					return p.d.skip()
				}
				return p.d.children(func(ri xml.StartElement) error {
					outcome := attr(ri, "outcome")
					return p.d.children(func(t xml.StartElement) error {
						if t.Name.Local != "Text" || outcome != "Error" {
							return p.d.skip()
						}
						text, err := p.d.text()
						if text = strings.TrimSpace(text); text != "" {
							if runInfo != "" {
								runInfo += "\n"
							}
							runInfo += text
						}
						return err
					})
				})
			})
		}
		return p.d.skip()
	})
	// The results read so far are kept, with what is known of their
	// definitions, even when the document is broken.
	failed := false
	for i := range results {
		res := &results[i]
		if m, ok := defs[res.testID]; ok && m.class != "" && m.name != "" {
			res.Classname, res.Name = m.class, withArgs(m.name, res.display)
			if res.Name == m.name && res.dataRow != "" {
				res.Name += "(data row " + res.dataRow + ")"
			}
		} else {
			res.Classname, res.Name = splitName(res.display)
			if res.Classname == "" {
				res.Classname = storage
			}
		}
		if res.Outcome == model.Failed || res.Outcome == model.Errored {
			failed = true
		}
		p.add(res.Case)
	}
	if err != nil {
		return err
	}
	switch summary {
	case "Failed", "Error", "Aborted", "Timeout":
		if !failed {
			p.pseudo(cmp.Or(storage, "TestRun"), "[test run failed]", cmp.Or(runInfo, "the test run's outcome is "+summary), "")
		}
	}
	return nil
}

// trxResult reads a UnitTestResult and appends its cases: itself, or its
// inner results.
func (p *parser) trxResult(e xml.StartElement, results *[]trxResult) error {
	res := trxResult{testID: attr(e, "testId"), display: attr(e, "testName"), dataRow: attr(e, "dataRowInfo")}
	if hasAttr(e, "duration") {
		res.Seconds, _ = timeSpan(attr(e, "duration"))
	} else if start, ok := timestamp(attr(e, "startTime")); ok {
		if end, ok := timestamp(attr(e, "endTime")); ok && end.After(start) {
			res.Seconds = end.Sub(start).Seconds()
		}
	}
	if p.rep.Hostname == "" {
		p.rep.Hostname = attr(e, "computerName")
	}
	var stdout, stderr string
	inner := 0
	err := p.d.children(func(c xml.StartElement) error {
		switch c.Name.Local {
		case "Output":
			return p.d.children(func(o xml.StartElement) error {
				var err error
				switch o.Name.Local {
				case "StdOut":
					stdout, err = p.d.text()
				case "StdErr":
					stderr, err = p.d.text()
				case "ErrorInfo":
					err = p.d.children(func(ei xml.StartElement) error {
						var err error
						switch ei.Name.Local {
						case "Message":
							res.Message, err = p.d.text()
						case "StackTrace":
							res.Detail, err = p.d.text()
						default:
							err = p.d.skip()
						}
						return err
					})
				default:
					err = p.d.skip()
				}
				return err
			})
		case "InnerResults":
			return p.d.children(func(ir xml.StartElement) error {
				if !strings.Contains(ir.Name.Local, "TestResult") {
					return p.d.skip()
				}
				inner++
				return p.trxResult(ir, results)
			})
		}
		return p.d.skip()
	})
	if err != nil || inner > 0 {
		return err
	}
	res.Output = stdout
	if stderr != "" {
		if res.Output != "" && !strings.HasSuffix(res.Output, "\n") {
			res.Output += "\n"
		}
		res.Output += stderr
	}
	switch outcome := attr(e, "outcome"); outcome {
	case "Passed", "PassedButRunAborted", "Completed", "Warning":
		res.Outcome = model.Passed
		res.Message, res.Detail = "", ""
	case "Failed":
		res.Outcome = model.Failed
		res.Message = cmp.Or(res.Message, "failed")
	case "Timeout":
		res.Outcome = model.Failed
		res.Message = prefixed("timeout", res.Message)
	case "NotExecuted", "Inconclusive":
		res.Outcome = model.Skipped
		if res.Message == "" && outcome == "NotExecuted" {
			// xUnit.net's adapter gives a skip's reason as its output.
			res.Message, _, _ = strings.Cut(strings.TrimSpace(stdout), "\n")
			res.Message = strings.TrimSpace(res.Message)
		}
		word := map[string]string{"NotExecuted": "not executed", "Inconclusive": "inconclusive"}[outcome]
		res.Message, res.Detail = prefixed(word, res.Message), ""
	default:
		res.Outcome = model.Errored
		res.Message = prefixed("outcome "+strconv.Quote(outcome), res.Message)
	}
	*results = append(*results, res)
	return nil
}
