// Package junit reads JUnit XML reports into model.Case values (Read) and
// merges the reports of several workers into one document (Merge). Both
// use one small streaming scanner written for the purpose: it is several
// times faster than encoding/xml, it keeps byte offsets so that Merge can
// copy testcases through without decoding them, and Read and Merge cannot
// disagree about what a report holds.
//
// # Dialects
//
// The reader accepts what the common producers write:
//
//   - The root is <testsuites> or a bare <testsuite> (Maven Surefire).
//     Reports concatenated into one file are read one after the other.
//     A byte order mark, the XML declaration, comments and processing
//     instructions are skipped anywhere.
//   - A testcase directly inside <testsuites>, or as the root element,
//     belongs to a suite named after its classname, or after the file
//     (its base name) when it has none. Merge writes such cases in a
//     testsuite of that name.
//   - Suites may nest (PHPUnit, some Jest and Mocha reporters). A case's
//     Suite is the name of the innermost testsuite that holds it: nested
//     suites are flattened, each named by its own name attribute only.
//   - A testcase's outcome comes from its children: any <error> makes it
//     Errored, else any <failure> Failed, else <skipped> Skipped, else it
//     Passed. Several failure elements in one case (JUnit 5's multiple
//     assertion failures) still make one failed case. Surefire's
//     <flakyFailure> and <flakyError> (a failed attempt before a pass) and
//     <rerunFailure> and <rerunError> (failed reruns of a test that never
//     passed) each count as one FailedAttempt: a case with only flaky*
//     children Passed and is flaky; a case with rerun* children and a
//     final <failure> Failed (and one with rerun* children alone is
//     Failed, or Errored when the first was a rerunError).
//   - Message is the message attribute of the first element of the kind
//     that decided the outcome (the first flaky* or rerun* one for a
//     flaky case), Detail its text and CDATA, or, when it has one, the
//     text of its <stackTrace> child (Surefire). Both are bounded by
//     ReadOptions and end with "…[truncated]" when cut.
//   - File and Line come from the file and line attributes (pytest's
//     xunit1 family, PHPUnit), as written: pytest's line is 0-based.
//   - time attributes may be missing (0), or use a comma: as a thousands
//     separator when the value also has a point ("1,013.5", Surefire in
//     some locales), as a decimal comma otherwise ("0,25"). A time that is
//     not a plain decimal number or not a usable duration
//     (model.UsableSeconds) sets Case.BadTime with Seconds 0, and a
//     warning in Stats.Warnings names the first of each input; a suite's
//     unusable time is replaced by the sum of its cases'.
//   - <properties>, <system-out> and <system-err> may appear on suites and
//     cases (xunit1, go-junit-report, gotestsum, Surefire). A testcase
//     property named xshard.worker sets Case.Worker.
//   - Other elements in a testcase (attachments, retries, ...) are
//     counted in Stats.Unknown and copied through by Merge; elements
//     directly under <testsuites> other than suites and testcases are
//     counted in Stats.Dropped and not copied.
//
// Only the five predefined entities and character references are
// decoded. A DOCTYPE is skipped and the entities it declares are never
// expanded, external ones never fetched: "&xxe;" stays "&xxe;". Inputs
// are taken to be UTF-8.
//
// # Merging
//
// Merge sorts its inputs by (Worker, Path), so that its output is the
// same bytes whatever the order it was given them in, and writes one
// <testsuites> document:
//
//   - Suites with the same name, from any input or from the same one, are
//     merged into one, and the suites are written sorted by name. A
//     merged suite has the attributes of its first part (in input order,
//     then document order) with tests, failures, errors, skipped and
//     time recomputed; time is the sum of the parts' time attributes (of
//     their cases' times for parts without one, or that hold nested
//     suites), rounded to the millisecond. The root carries the sums of
//     its suites.
//   - A suite that only groups other suites is left out: its suites are
//     written as suites of their own.
//   - Every testcase is copied byte for byte, in input order then document
//     order, and gains the property xshard.worker with its input's Worker,
//     inside its <properties> (created when missing). A case that already
//     has the property (from an earlier merge) keeps it as it is, so that
//     merging a merged report alone gives back the same document.
//   - A caller that knows a test ran on several workers of which one
//     report counts (package merge, for a queue's requeued tests) holds
//     their testcases (MergeOptions.Hold) and decides them once every
//     input is read (MergeOptions.Resolve): a dropped testcase is left
//     out, with its outcome and time taken out of its suite's totals
//     (and a part of an input left with no testcase is left out whole,
//     its properties and output too); the one kept gains properties,
//     such as RequeuedProperty.
//   - The <properties> of the parts are written as one <properties>
//     element holding all their properties; the parts' other children
//     (<system-out>, <system-err>, ...) follow the cases, copied as they
//     are.
//   - The output is well-formed XML 1.0 whatever the inputs hold. The
//     first pass checks every byte it will copy; a testcase, suite tag or
//     suite child that is not well-formed (characters XML cannot hold,
//     raw or as references; an '&' that starts no reference XML knows,
//     such as one to an entity a DOCTYPE declares; "]]>" outside CDATA;
//     '<' in an attribute value; duplicate or malformed attributes; names
//     that are not plain ASCII XML names; "--" in a comment) is repaired
//     as wellformed.go describes, and Stats.Warnings names the first of
//     each input and counts the others. Clean elements are copied byte
//     for byte.
//
// Merge reads each input twice: a first pass, over several inputs at
// once, records the suites and the byte range of every testcase, and a
// second pass copies those ranges to the output. Its memory grows with
// the number of testcases (a few dozen bytes each), never with the size of
// their output or traces.
//
// # Broken input
//
// A malformed report gives a *diag.Error naming the file, line and column
// (columns count bytes) of the problem. Read delivers every case read
// before it. Merge keeps everything of a broken input that was complete
// before the error: testcases whose end tag was read, in the suites that
// held them (with recomputed totals), and complete suite-level elements;
// it merges all the other inputs as usual and returns the error with the
// others.
package junit
