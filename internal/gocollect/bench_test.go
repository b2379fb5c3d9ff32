package gocollect

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Sizes of the generated benchmark module.
const (
	benchPackages     = 2000
	benchTestsPerFile = 10
	// Per package: benchTestsPerFile tests in each of two files, and one
	// example with output.
	benchItemsPerPackage = 2*benchTestsPerFile + 1
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchModule generates, once per test binary, a module of benchPackages
// packages in 20 groups, each with a non-test file, an internal test file
// and an external test file.
func benchModule(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "gocollect-bench-")
		if benchErr != nil {
			return
		}
		benchErr = writeBenchModule(benchDir)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

func writeBenchModule(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/bench\n\ngo 1.25\n"), 0o644); err != nil {
		return err
	}
	for i := range benchPackages {
		name := fmt.Sprintf("p%04d", i)
		pkgDir := filepath.Join(dir, fmt.Sprintf("g%02d", i%20), name)
		if err := os.MkdirAll(pkgDir, 0o755); err != nil {
			return err
		}
		var internal, external strings.Builder
		fmt.Fprintf(&internal, "package %s\n\nimport \"testing\"\n\n", name)
		fmt.Fprintf(&external, "package %s_test\n\nimport (\n\t\"fmt\"\n\t\"testing\"\n)\n\n", name)
		for j := range benchTestsPerFile {
			fmt.Fprintf(&internal, "// TestInternal%d checks Value.\nfunc TestInternal%d(t *testing.T) {\n\tif Value() != %d {\n\t\tt.Fatal(\"bad value\")\n\t}\n}\n\n", j, j, i)
			fmt.Fprintf(&external, "func TestExternal%d(t *testing.T) {\n\tt.Run(\"sub\", func(t *testing.T) {})\n}\n\n", j)
		}
		internal.WriteString("func BenchmarkValue(b *testing.B) {\n\tfor b.Loop() {\n\t\tValue()\n\t}\n}\n")
		external.WriteString("func ExampleValue() {\n\tfmt.Println(1)\n\t// Output: 1\n}\n")
		files := map[string]string{
			name + ".go":    fmt.Sprintf("// Package %s is generated.\npackage %s\n\n// Value returns a constant.\nfunc Value() int { return %d }\n", name, name, i),
			"a_test.go":     internal.String(),
			"b_ext_test.go": external.String(),
		}
		for f, src := range files {
			if err := os.WriteFile(filepath.Join(pkgDir, f), []byte(src), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// BenchmarkCollect2000Packages measures `--go ./...` discovery on a module
// of 2,000 packages and 4,000 test files. The target is at most 1 s/op.
// Besides ns/op (wall time, which other work on the machine inflates) it
// reports cpu-ns/op, the process's user+system CPU time per op, where the
// platform provides it; on an idle machine ns/op approaches cpu-ns/op
// divided by GOMAXPROCS.
func BenchmarkCollect2000Packages(b *testing.B) {
	dir := benchModule(b)
	opts := Options{Dir: dir, Patterns: []string{"./..."}}
	b.ReportAllocs()
	cpu0, cpuOK := processCPUTime()
	b.ResetTimer()
	defer func() {
		if cpu1, ok := processCPUTime(); ok && cpuOK {
			b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
		}
	}()
	for b.Loop() {
		items, err := Collect(opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(items) != benchPackages*benchItemsPerPackage {
			b.Fatalf("Collect() = %d items, want %d", len(items), benchPackages*benchItemsPerPackage)
		}
	}
}
