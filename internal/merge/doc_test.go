package merge

import (
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestPackageDocNamesEveryFile keeps the package doc in doc.go, and makes
// a new file fail until the doc says what it does.
func TestPackageDocNamesEveryFile(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	var files []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc == nil {
			files = append(files, name)
			continue
		}
		if name != "doc.go" {
			t.Errorf("%s has a package doc comment: it belongs in doc.go", name)
		}
		doc = f.Doc.Text()
	}
	if !strings.HasPrefix(doc, "Package merge ") {
		t.Fatalf("doc.go's package comment does not start with \"Package merge \": %q", doc)
	}
	for _, name := range files {
		if !strings.Contains(doc, name) {
			t.Errorf("the package doc does not say what %s does", name)
		}
	}
}
