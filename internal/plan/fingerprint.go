package plan

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/xshard/xshard/internal/model"
)

// FingerprintVersion is the first part of every plan fingerprint. It
// changes whenever a plan computed from the same inputs may change: a new
// hash order (never meant to happen) or a better timing algorithm.
const FingerprintVersion = "v1"

// Fingerprints are the parts of a plan fingerprint,
// "v1-<universe>-<timings>-<assignment>", each part 16 lowercase hex digits
// of an xxhash64:
//
//   - Universe hashes the sorted item IDs, each followed by "\n".
//   - Timings hashes the timings as loaded: for each level in the order
//     tests, files, packages, groups and each key in sorted order, the
//     line "level\tkey\tseconds\n", seconds formatted by
//     strconv.FormatFloat(v, 'g', -1, 64). No timings hash "".
//   - Assignment hashes the lines "version\tv1", "total\tN",
//     "strategy\tS", "by\tB", "seed\tN" and, for each shard in order,
//     "shard\tI" followed by "unit\tID" for each of its units, each line
//     ending in "\n".
//
// Two workers that computed the same fingerprint ran the same plan over
// the same tests; DiffFingerprint says which input differs when not.
type Fingerprints struct {
	Version    string
	Universe   string
	Timings    string
	Assignment string
}

// ParseFingerprint splits a plan fingerprint into its parts.
func ParseFingerprint(s string) (Fingerprints, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 4 || parts[0] == "" {
		return Fingerprints{}, fmt.Errorf("malformed fingerprint %q: want \"v1-<universe>-<timings>-<assignment>\"", s)
	}
	for _, p := range parts[1:] {
		if !isHex16(p) {
			return Fingerprints{}, fmt.Errorf("malformed fingerprint %q: %q is not 16 hex digits", s, p)
		}
	}
	return Fingerprints{Version: parts[0], Universe: parts[1], Timings: parts[2], Assignment: parts[3]}, nil
}

func isHex16(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// String returns the fingerprint that f parses from.
func (f Fingerprints) String() string {
	return f.Version + "-" + f.Universe + "-" + f.Timings + "-" + f.Assignment
}

// DiffFingerprint returns the parts in which got differs from want, in the
// order "universe", "timings", "assignment": different tests collected,
// different history, or a different split of the same inputs. It returns
// ["format"] when either is malformed or their versions differ, since then
// the parts cannot be compared, and nil when they are the same.
func DiffFingerprint(want, got string) []string {
	w, err1 := ParseFingerprint(want)
	g, err2 := ParseFingerprint(got)
	if err1 != nil || err2 != nil || w.Version != g.Version {
		return []string{"format"}
	}
	var diff []string
	if w.Universe != g.Universe {
		diff = append(diff, "universe")
	}
	if w.Timings != g.Timings {
		diff = append(diff, "timings")
	}
	if w.Assignment != g.Assignment {
		diff = append(diff, "assignment")
	}
	return diff
}

// UniverseFingerprint returns the universe part of the fingerprint of a
// plan over items with these IDs, in any order: what merge compares
// across manifests. IDs are expected to be unique, as Make requires.
func UniverseFingerprint(ids []string) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	d := xxhash.New()
	for _, id := range sorted {
		d.WriteString(id)
		d.WriteString("\n")
	}
	return hex16(d.Sum64())
}

// TimingsFingerprint returns the timings part of a plan fingerprint: it
// identifies t as loaded, every level and entry, used or not. Each entry
// "level\tkey\tvalue\n" is hashed on its own and the hashes are combined
// by sum and by xor, which do not depend on order: no sort of a hundred
// thousand keys on every worker's critical path.
func TimingsFingerprint(t *model.Timings) string {
	var sum, xor, n uint64
	if t != nil {
		var buf []byte
		for _, level := range []struct {
			name string
			m    map[string]float64
		}{{"tests", t.Tests}, {"files", t.Files}, {"packages", t.Packages}, {"groups", t.Groups}} {
			for k, v := range level.m {
				buf = append(buf[:0], level.name...)
				buf = append(buf, '\t')
				buf = append(buf, k...)
				buf = append(buf, '\t')
				buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
				buf = append(buf, '\n')
				h := xxhash.Sum64(buf)
				sum += h
				xor ^= h
				n++
			}
		}
	}
	if n == 0 {
		return hex16(xxhash.Sum64(nil))
	}
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], n)
	binary.LittleEndian.PutUint64(b[8:], sum)
	binary.LittleEndian.PutUint64(b[16:], xor)
	return hex16(xxhash.Sum64(b[:]))
}

// assignmentFingerprint returns the assignment part of p's fingerprint.
// The lines go to the hash in large blocks: the digest's cost per Write
// is more than that of a short line.
func assignmentFingerprint(p *Plan) string {
	d := xxhash.New()
	buf := make([]byte, 0, 64<<10)
	line := func(key string, val []byte) {
		buf = append(buf, key...)
		buf = append(buf, '\t')
		buf = append(buf, val...)
		buf = append(buf, '\n')
	}
	var num [20]byte
	line("version", []byte(FingerprintVersion))
	line("total", strconv.AppendInt(num[:0], int64(p.Total), 10))
	line("strategy", []byte(p.Strategy))
	line("by", []byte(p.By))
	line("seed", strconv.AppendUint(num[:0], p.Seed, 10))
	for s := range p.Shards {
		line("shard", strconv.AppendInt(num[:0], int64(p.Shards[s].Index), 10))
		for k := range p.Shards[s].Units {
			if len(buf) >= cap(buf)-512 {
				d.Write(buf)
				buf = buf[:0]
			}
			buf = append(buf, "unit\t"...)
			buf = append(buf, p.Shards[s].Units[k].ID...)
			buf = append(buf, '\n')
		}
	}
	d.Write(buf)
	return hex16(d.Sum64())
}

// hex16 formats h as 16 lowercase hex digits.
func hex16(h uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[h&0xf]
		h >>= 4
	}
	return string(b[:])
}
