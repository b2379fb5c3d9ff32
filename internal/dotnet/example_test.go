package dotnet_test

import (
	"fmt"
	"strings"

	"github.com/xshard/xshard/internal/dotnet"
)

// An xUnit.net theory's rows and a skipped test, as the model has them:
// each row keeps its arguments, and its ID is the fully qualified name.
func ExampleParseXUnit() {
	rep, err := dotnet.ParseXUnit(strings.NewReader(`<assemblies><assembly name="Shop.Tests.dll"><collection>
	  <test name="Shop.CartTests.Adds(a: 1, b: 2)" type="Shop.CartTests" method="Adds" time="0.0012" result="Pass"/>
	  <test name="Shop.CartTests.Adds(a: 2, b: 2)" type="Shop.CartTests" method="Adds" time="0.0034" result="Fail">
	    <failure><message>Assert.Equal() Failure</message><stack-trace>at Shop.CartTests.Adds()</stack-trace></failure>
	  </test>
	  <test name="Shop.CartTests.Syncs" type="Shop.CartTests" method="Syncs" time="0" result="Skip"><reason>needs a sandbox</reason></test>
	</collection></assembly></assemblies>`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range rep.Cases {
		fmt.Printf("%s.%s %s %gs %q\n", c.Classname, c.Name, c.Outcome, c.Seconds, c.Message)
	}
	// Output:
	// Shop.CartTests.Adds(a: 1, b: 2) passed 0.0012s ""
	// Shop.CartTests.Adds(a: 2, b: 2) failed 0.0034s "Assert.Equal() Failure"
	// Shop.CartTests.Syncs skipped 0s "needs a sandbox"
}

// A truncated report: the error names the line, and the cases read
// before it are kept.
func ExampleParseTRX_truncated() {
	rep, err := dotnet.ParseTRX(strings.NewReader("<TestRun>\n<Results>\n" +
		`<UnitTestResult testName="Shop.CartTests.Adds" duration="00:00:01.2500000" outcome="Passed"/>` + "\n<UnitTest"))
	fmt.Println(err)
	fmt.Println(len(rep.Cases), rep.Cases[0].Classname, rep.Cases[0].Name, rep.Cases[0].Seconds)
	// Output:
	// <input>:4: malformed XML: unexpected end of input (a truncated report?)
	// 1 Shop.CartTests Adds 1.25
}
