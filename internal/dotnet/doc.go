// Package dotnet reads the result files of .NET test runners into
// xshard's model, one file per format: NUnit 2 (nunit2.go), NUnit 3 and
// its fragments (nunit3.go), xUnit.net v2 and v1 (xunit.go) and the TRX
// files of MSTest and vstest (trx.go), each format described beside its
// parser. ToJUnit writes what a file holds as a JUnit document (junit.go),
// which is how merge puts .NET results into its merged junit.xml, as it
// does go test -json streams.
//
// # Identity
//
// Every case has Classname (and Suite) set to its class's full name,
// nested classes joined with "+" as .NET writes them
// ("Shop.Tests.PriceTests+Rounding"), and Name to its method, followed
// for a parametrised instance (an NUnit TestCase, an xUnit.net Theory
// row, an MSTest DataRow) by its argument list as the framework writes it
// ("AppliesDiscount(10,90.0m)", "Adds(a: 1, b: 2)"). Classname.Name is
// then the test's fully qualified name, the ID that internal/testid gives
// it and that `dotnet test --filter FullyQualifiedName=...` takes;
// display names set in the test code do not change it.
//
// # Outcomes
//
// The model has four outcomes; the formats have more. Each maps to the
// one a user of the runner would expect, never to passed unless the
// runner says the test passed:
//
//	model     NUnit 3                       NUnit 2                        xUnit.net    TRX
//	passed    Passed, Warning               Success                        Pass         Passed, PassedButRunAborted, Completed, Warning
//	failed    Failed                        Failure                        Fail         Failed, Timeout
//	error     Failed with label Error,      Error, Cancelled, NotRunnable                Error, Aborted, Disconnected, NotRunnable,
//	          Cancelled or Invalid                                                       InProgress, Pending
//	skipped   Skipped (Ignored, Explicit),  Ignored, Skipped, Inconclusive  Skip, NotRun NotExecuted, Inconclusive
//	          Inconclusive
//
// An unknown value is an error whose Message names it. Inconclusive and
// not-executed tests are skipped with a Message that starts
// "inconclusive" or "not executed". Failures outside any test, which
// would otherwise be lost (a fixture's one-time setup or teardown, an
// xUnit.net class cleanup, a crashed test host), are error cases whose
// Name is in brackets ("[OneTimeTearDown failed]"), as go test's
// "[build failed]": merge counts them but does not verify them against
// the plan.
//
// # Durations
//
// Seconds comes from each format's own syntax: decimal seconds for NUnit
// and xUnit.net ("0.012345", or "0,012" from a localised NUnit 2), a
// TimeSpan for TRX ("00:00:01.2345678", "1.02:03:04.5"). A value that is
// not a finite, non-negative duration reads as 0.
//
// # Bad input
//
// Documents are read with encoding/xml, which never loads a DTD nor
// expands an entity it does not know: a DOCTYPE is skipped and "&xxe;"
// is an error. What XML 1.0 cannot hold (bytes that are not UTF-8, control
// characters such as a terminal's colour codes, references to them) is
// replaced with U+FFFD before decoding, and Report.Repaired counts it.
// One tag or run of text is bounded by MaxToken, one message, trace or
// output by MaxText. A document declaring an encoding other than UTF-8
// is refused with what to do (merge decodes such documents before they
// reach this package). A malformed document gives a *diag.Error
// with its line; the Report then holds every case read before it.
package dotnet
