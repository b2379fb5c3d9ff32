package cobertura

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// counts are the totals behind a line-rate and a branch-rate.
type counts struct{ lines, linesHit, conds, condsHit int64 }

func (c *counts) addLines(ls []Line) {
	for _, l := range ls {
		c.lines++
		if l.Hits > 0 {
			c.linesHit++
		}
		if l.Branch {
			c.conds += int64(l.Conditions)
			c.condsHit += int64(l.Covered)
		}
	}
}

func (c *counts) add(o counts) {
	c.lines += o.lines
	c.linesHit += o.linesHit
	c.conds += o.conds
	c.condsHit += o.condsHit
}

// rate formats hit/total as coverage.py does: four significant digits,
// and 1 when there is nothing to cover.
func rate(hit, total int64) string {
	if total == 0 {
		return "1"
	}
	return strconv.FormatFloat(float64(hit)/float64(total), 'g', 4, 64)
}

// Write writes the merged report.
func (m *Merger) Write(w io.Writer) error { return Write(w, m.Report()) }

// Write writes r as Cobertura XML, indented with tabs, every rate and
// total recomputed: line-rate and branch-rate on every package, class and
// method, and lines-valid, lines-covered, branches-valid and
// branches-covered on the root.
func Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	var total counts
	pkgCounts := make([]counts, len(r.Packages))
	classCounts := make([][]counts, len(r.Packages))
	for i, p := range r.Packages {
		classCounts[i] = make([]counts, len(p.Classes))
		for j, c := range p.Classes {
			classCounts[i][j].addLines(c.Lines)
			pkgCounts[i].add(classCounts[i][j])
		}
		total.add(pkgCounts[i])
	}
	bw.WriteString("<?xml version=\"1.0\" ?>\n<coverage")
	attrs(bw, "version", r.Version, "timestamp", r.Timestamp,
		"lines-valid", itoa(total.lines), "lines-covered", itoa(total.linesHit),
		"line-rate", rate(total.linesHit, total.lines),
		"branches-valid", itoa(total.conds), "branches-covered", itoa(total.condsHit),
		"branch-rate", rate(total.condsHit, total.conds), "complexity", "0")
	bw.WriteString(">\n\t<sources>\n")
	for _, s := range r.Sources {
		bw.WriteString("\t\t<source>")
		xml.EscapeText(bw, []byte(s))
		bw.WriteString("</source>\n")
	}
	bw.WriteString("\t</sources>\n\t<packages>\n")
	for i, p := range r.Packages {
		bw.WriteString("\t\t<package")
		attrs(bw, "name", p.Name, "line-rate", rate(pkgCounts[i].linesHit, pkgCounts[i].lines),
			"branch-rate", rate(pkgCounts[i].condsHit, pkgCounts[i].conds), "complexity", "0")
		bw.WriteString(">\n\t\t\t<classes>\n")
		for j, c := range p.Classes {
			cc := classCounts[i][j]
			bw.WriteString("\t\t\t\t<class")
			attrs(bw, "name", c.Name, "filename", c.Filename, "complexity", "0",
				"line-rate", rate(cc.linesHit, cc.lines), "branch-rate", rate(cc.condsHit, cc.conds))
			bw.WriteString(">\n")
			if len(c.Methods) == 0 {
				bw.WriteString("\t\t\t\t\t<methods/>\n")
			} else {
				bw.WriteString("\t\t\t\t\t<methods>\n")
				for _, me := range c.Methods {
					var mc counts
					mc.addLines(me.Lines)
					bw.WriteString("\t\t\t\t\t\t<method")
					attrs(bw, "name", me.Name, "signature", me.Signature, "hits", itoa(me.Hits),
						"line-rate", rate(mc.linesHit, mc.lines), "branch-rate", rate(mc.condsHit, mc.conds))
					bw.WriteString(">\n")
					writeLines(bw, me.Lines, "\t\t\t\t\t\t\t")
					bw.WriteString("\t\t\t\t\t\t</method>\n")
				}
				bw.WriteString("\t\t\t\t\t</methods>\n")
			}
			writeLines(bw, c.Lines, "\t\t\t\t\t")
			bw.WriteString("\t\t\t\t</class>\n")
		}
		bw.WriteString("\t\t\t</classes>\n\t\t</package>\n")
	}
	bw.WriteString("\t</packages>\n</coverage>\n")
	return bw.Flush()
}

func writeLines(bw *bufio.Writer, ls []Line, indent string) {
	if len(ls) == 0 {
		bw.WriteString(indent + "<lines/>\n")
		return
	}
	bw.WriteString(indent + "<lines>\n")
	for _, l := range ls {
		bw.WriteString(indent + "\t<line")
		attrs(bw, "number", strconv.Itoa(l.Number), "hits", itoa(l.Hits))
		if l.Branch {
			pct := int64(0)
			if l.Conditions > 0 {
				pct = 100 * int64(l.Covered) / int64(l.Conditions)
			}
			attrs(bw, "branch", "true", "condition-coverage",
				itoa(pct)+"% ("+strconv.Itoa(l.Covered)+"/"+strconv.Itoa(l.Conditions)+")")
			if l.MissingKnown && len(l.Missing) > 0 {
				attrs(bw, "missing-branches", strings.Join(l.Missing, ","))
			}
		}
		bw.WriteString("/>\n")
	}
	bw.WriteString(indent + "</lines>\n")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// attrs writes name="value" pairs, escaped.
func attrs(bw *bufio.Writer, kv ...string) {
	for i := 0; i < len(kv); i += 2 {
		bw.WriteString(" " + kv[i] + "=\"")
		xml.EscapeText(bw, []byte(kv[i+1]))
		bw.WriteByte('"')
	}
}
