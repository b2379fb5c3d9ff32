package testid

import (
	"fmt"
	"testing"

	"github.com/xshard/xshard/internal/model"
)

// benchCases returns about 10,000 cases as reports list them, suite by
// suite: half JVM (com.example.module3.Service12Test, test123HandlesCase4),
// half pytest with a file attribute, one in four of those parametrized.
func benchCases() []model.Case {
	var cs []model.Case
	for m := range 10 {
		for s := range 25 {
			cls := fmt.Sprintf("com.example.module%d.Service%dTest", m, s)
			for t := range 20 {
				cs = append(cs, model.Case{Suite: cls, Classname: cls, Name: fmt.Sprintf("test%dHandlesCase%d", t, t%7)})
			}
		}
	}
	for m := range 10 {
		for s := range 25 {
			file := fmt.Sprintf("tests/module%d/test_service%d.py", m, s)
			cls := fmt.Sprintf("tests.module%d.test_service%d.TestService%d", m, s, s)
			for t := range 20 {
				name := fmt.Sprintf("test_handles_case%d", t)
				if t%4 == 0 {
					name += fmt.Sprintf("[%d-%d]", t, t+1)
				}
				cs = append(cs, model.Case{Suite: "pytest", Classname: cls, Name: name, File: file})
			}
		}
	}
	return cs
}

var sink Key

// BenchmarkOf keys one case per op, going through benchCases in order.
func BenchmarkOf(b *testing.B) {
	cs := benchCases()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sink = Of(&cs[i])
		if i++; i == len(cs) {
			i = 0
		}
	}
}

// BenchmarkResolverOf keys the same cases with one Resolver.
func BenchmarkResolverOf(b *testing.B) {
	cs := benchCases()
	var r Resolver
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sink = r.Of(&cs[i])
		if i++; i == len(cs) {
			i = 0
		}
	}
}

// BenchmarkResolverOfWithScopes keys the same cases with a Resolver that
// reads them against the scopes of their own IDs, as merge does with a
// plan: the scopes are looked up per triple, so a case costs what it
// costs without them.
func BenchmarkResolverOfWithScopes(b *testing.B) {
	cs := benchCases()
	scopes := NewScopes()
	for i := range cs {
		scopes.Add(Of(&cs[i]).Test)
	}
	r := Resolver{Scopes: scopes}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sink = r.Of(&cs[i])
		if i++; i == len(cs) {
			i = 0
		}
	}
}

// planIDs returns the IDs of a million-test pytest plan: 50,000 classes
// of 20 parametrized tests.
func planIDs() []string {
	ids := make([]string, 0, 1_000_000)
	for c := range 50_000 {
		for t := range 20 {
			ids = append(ids, fmt.Sprintf("tests/module%d/test_service%d.py::TestService%d::test_case%d[%d]", c%100, c, c, t, t))
		}
	}
	return ids
}

// BenchmarkScopesAdd adds the IDs of a million-test plan to a Scopes, as
// merge does once per run.
func BenchmarkScopesAdd(b *testing.B) {
	ids := planIDs()
	b.ReportAllocs()
	for b.Loop() {
		s := NewScopes()
		for _, id := range ids {
			s.Add(id)
		}
	}
}

// BenchmarkScopesAddBaseline puts the same IDs in a set, as merge's map
// of planned items does: what BenchmarkScopesAdd adds to.
func BenchmarkScopesAddBaseline(b *testing.B) {
	ids := planIDs()
	b.ReportAllocs()
	for b.Loop() {
		m := make(map[string]struct{}, len(ids))
		for _, id := range ids {
			m[id] = struct{}{}
		}
	}
}
