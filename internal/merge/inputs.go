package merge

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"

	"github.com/xshard/xshard/internal/collect"
	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/ingest"
	"github.com/xshard/xshard/internal/model"
)

// file is one input file found on disk.
type file struct {
	path     string // as given or found, for messages
	root     string // the argument it was found under
	artifact string // its artifact directory: the first directory under root, "" at the root
	rel      string // its path relative to the artifact directory
	kind     ingest.Kind
	enc      encoding.Encoding // an XML report's declared encoding when not UTF-8
	custom   bool              // matched the custom JSON glob
	size     int64
	worker   string
	ignored  string
	own      string // the kind of a file the action writes for itself (actionFiles), else ""
}

// actionFiles are the files that the action (action.yml) writes into a
// worker's artifact for its own use, by name, and their kinds: merge
// knows them, reads nothing from them and does not list them as
// unrecognised. xshard-timings-key names the timings history the merge
// step saves to; xshard-timings-planned, the cache entry whose timings
// the worker planned with (a line, empty for none), which a re-run
// attempt of the run plans with again (docs/action.md).
var actionFiles = map[string]string{
	"xshard-timings-key":     "timings key",
	"xshard-timings-planned": "timings planned with",
}

// sqliteHeader starts every SQLite database, such as coverage.py's data
// file.
const sqliteHeader = "SQLite format 3\x00"

// foreignData says why merge leaves f out when it is a file that workers
// upload for other tools and that merge knows it does not read, "" when
// it is not one: coverage.py's data file (.coverage, .coverage.*), kept
// for coverage combine, whose XML report merge reads instead.
func foreignData(f *file) string {
	name := filepath.Base(f.path)
	if name != ".coverage" && !strings.HasPrefix(name, ".coverage.") {
		return ""
	}
	h, err := os.Open(f.path)
	if err != nil {
		return ""
	}
	defer h.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(h, head); err != nil || string(head) != sqliteHeader {
		return ""
	}
	return "coverage.py data, for coverage combine: merge reads coverage xml's report"
}

// find expands the arguments (files, directories walked recursively, and
// glob patterns with **) into input files, sorted by path. Directory
// symlinks are not followed (no loops); file symlinks are followed only
// when they stay inside the argument's directory.
func find(args []string, problems *[]string) []*file {
	var out []*file
	seen := map[string]bool{}
	add := func(f *file) {
		if !seen[f.path] {
			seen[f.path] = true
			out = append(out, f)
		}
	}
	for _, a := range args {
		st, err := os.Stat(a)
		switch {
		case err == nil && !st.IsDir():
			add(&file{path: a, root: filepath.Dir(a), rel: filepath.Base(a), size: st.Size()})
		case err == nil:
			walk(a, add, problems)
		case hasMeta(a):
			n := len(out)
			globInputs(a, add, problems)
			if len(out) == n {
				*problems = append(*problems, fmt.Sprintf("%s: the pattern matches no file", a))
			}
		default:
			*problems = append(*problems, fmt.Sprintf("%s: %v", a, errors.Unwrap(err)))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

func walk(root string, add func(*file), problems *[]string) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		realRoot = root
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			*problems = append(*problems, fmt.Sprintf("%s: %v (skipped)", p, errors.Unwrap(err)))
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		var size int64
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				*problems = append(*problems, fmt.Sprintf("%s: broken symbolic link (skipped)", p))
				return nil
			}
			if rel, err := filepath.Rel(realRoot, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				*problems = append(*problems, fmt.Sprintf("%s: symbolic link to %q, outside %q (skipped: artifacts may not point elsewhere)", p, target, root))
				return nil
			}
			st, err := os.Stat(target)
			if err != nil || !st.Mode().IsRegular() {
				return nil
			}
			size = st.Size()
		} else if !d.Type().IsRegular() {
			return nil
		} else if info, err := d.Info(); err == nil {
			size = info.Size()
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		artifact, inner, found := strings.Cut(rel, "/")
		if !found {
			artifact, inner = "", rel
		}
		add(&file{path: p, root: root, artifact: artifact, rel: inner, size: size})
		return nil
	})
}

// globInputs expands a pattern with ** by walking its literal prefix.
func globInputs(pattern string, add func(*file), problems *[]string) {
	slash := filepath.ToSlash(pattern)
	segs := strings.Split(slash, "/")
	i := 0
	for i < len(segs) && !hasMeta(segs[i]) {
		i++
	}
	base := strings.Join(segs[:i], "/")
	if base == "" {
		base = "."
	}
	rest := segs[i:]
	var tmp []*file
	var ignore []string
	walk(filepath.FromSlash(base), func(f *file) { tmp = append(tmp, f) }, &ignore)
	for _, f := range tmp {
		rel, _ := filepath.Rel(filepath.FromSlash(base), f.path)
		if collect.Match(strings.Join(rest, "/"), filepath.ToSlash(rel)) {
			add(f)
		}
	}
}

// sniff reads the head of f to find its kind.
func sniff(f *file) error {
	h, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer h.Close()
	head := make([]byte, ingest.SniffLen)
	n, err := io.ReadFull(bufio.NewReader(h), head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if enc := wideEncoding(head[:n]); enc != "" {
		return &diag.Error{File: f.path, Line: 1, Col: 1, Msg: fmt.Sprintf("encoded in %s (skipped): merge reads UTF-8; convert it first, e.g. iconv -f %s -t UTF-8", enc, enc)}
	}
	f.kind = ingest.Sniff(head[:n])
	if _, dotnet := f.kind.DotNet(); f.kind == ingest.JUnit || f.kind == ingest.Cobertura || dotnet {
		if f.enc, err = ingest.EncodingOf(head[:n]); err != nil {
			return diag.WithFile(err, f.path)
		}
	}
	if f.kind == ingest.Unknown {
		if int64(n) == f.size && ingest.IsBlank(head[:n]) {
			return errBlank
		}
		if ingest.LooksLikeReport(f.path, head[:n]) {
			if _, err := h.Seek(0, io.SeekStart); err != nil {
				return err
			}
			if _, err := ingest.XMLRoot(h); err != nil {
				var d *diag.Error
				if errors.As(err, &d) {
					d.File = f.path
					d.Msg += " (skipped: files named .xml or starting with '<' are read as reports; leave it out of the inputs if it is not one)"
				}
				return err
			}
		}
	}
	return nil
}

// openUTF8 opens f for reading in UTF-8: decoded from its declared
// encoding, its declaration saying UTF-8, when it has one.
func openUTF8(f *file) (io.ReadCloser, error) {
	h, err := os.Open(f.path)
	if err != nil || f.enc == nil {
		return h, err
	}
	pr, pw := io.Pipe()
	go func() {
		err := ingest.ToUTF8(pw, bufio.NewReaderSize(h, 64<<10), f.enc)
		h.Close()
		pw.CloseWithError(err)
	}()
	return pr, nil
}

// errBlank is what sniff returns for a file of white space only.
var errBlank = errors.New("blank file")

// wideEncoding names the encoding of a file that starts with a UTF-16 or
// UTF-32 byte order mark, or of XML in UTF-16 without one; "" otherwise.
// Such reports are rare (some .NET and PowerShell tools write them) and
// are refused with a message rather than misread as unknown files.
func wideEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return "UTF-32"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{'<', 0}):
		return "UTF-16LE"
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}), bytes.HasPrefix(head, []byte{0, '<'}):
		return "UTF-16BE"
	}
	return ""
}

// formatSize writes a byte count for messages: "2 GiB", "1.5 MiB", "12 bytes".
func formatSize(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", f), "0"), ".") + " " + units[i]
}

// workerDir matches the artifact directory names that the action and the
// README's workflows give workers, xshard-worker-N and xshard-N, and
// xdist's gwN as a word of the name (gwN, results-gwN).
var workerDir = regexp.MustCompile(`^xshard-(?:worker-)?([0-9]+)$|(?:^|[^A-Za-z0-9])gw([0-9]+)(?:$|[^A-Za-z0-9])`)

// workerFromDir finds the worker in an artifact directory name such as
// "xshard-worker-3", "xshard-3", "gw3" or "results-gw3", or "" when it
// names none. Other digits ("report-3", "build2") name no worker: without
// a manifest only this layout says which worker a file came from.
func workerFromDir(name string) string {
	m := workerDir.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	n := m[1]
	if n == "" {
		n = m[2]
	}
	i, err := strconv.Atoi(n)
	if err != nil || i > 1<<20 {
		return ""
	}
	return model.WorkerID(i)
}

// noResults describes a merge that found no test results: what was read
// of inputs, and what to check.
// The hint to pass --allow-empty is left out when other problems would
// fail the merge anyway.
func noResults(args []string, inputs []Input, otherProblems bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "no test results in %s: ", strings.Join(quoteAll(args), ", "))
	if len(inputs) == 0 {
		b.WriteString("no file was read")
	} else {
		// What each file was, by kind, a few named each.
		var kinds []string
		byKind := map[string][]string{}
		for _, in := range inputs {
			k := in.Kind
			switch {
			case in.Ignored == "unknown format":
				k = "not recognised"
			case in.Ignored != "":
				k = "ignored (" + in.Ignored + ")"
			}
			if byKind[k] == nil {
				kinds = append(kinds, k)
			}
			byKind[k] = append(byKind[k], in.Path)
		}
		sort.Strings(kinds)
		fmt.Fprintf(&b, "read %d %s, none with a test result (", len(inputs), plural(len(inputs), "file", "files"))
		for i, k := range kinds {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s: %s", k, listFew(byKind[k], 3))
		}
		b.WriteString(")")
	}
	b.WriteString("; check that the inputs are where the artifacts were downloaded, that the download's name or pattern matches the uploaded artifacts (xshard-*), that the upload's path names the report files (JUnit XML, go test -json), and that the tests wrote them")
	if !otherProblems {
		b.WriteString("; pass --allow-empty if a run without tests is fine")
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// listFew joins the first n of s and counts the rest.
func listFew(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(s[:n], ", "), len(s)-n)
}
