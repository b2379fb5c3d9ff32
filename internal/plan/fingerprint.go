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
	var h timingsHash
	if t != nil {
		h.level("tests", t.Tests)
		h.level("files", t.Files)
		h.level("packages", t.Packages)
		h.level("groups", t.Groups)
	}
	if h.n == 0 {
		return hex16(xxhash.Sum64(nil))
	}
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], h.n)
	binary.LittleEndian.PutUint64(b[8:], h.sum)
	binary.LittleEndian.PutUint64(b[16:], h.xor)
	return hex16(xxhash.Sum64(b[:]))
}

// touchBlock is how many strings are touched at a time: enough misses to
// overlap, few enough that they are still cached when used.
const touchBlock = 64

// timingsHash accumulates the entry hashes of TimingsFingerprint.
type timingsHash struct {
	sum, xor, n uint64
	buf         []byte
	keys        [touchBlock]string
	vals        [touchBlock]float64
}

// level hashes the entries of one level. Keys are scattered over the heap
// and a map hands them out in no order, so reading each one is a cache
// miss; the entries go in batches whose keys are touched first, which
// lets those misses overlap instead of waiting on each in turn.
func (h *timingsHash) level(name string, m map[string]float64) {
	nb := 0
	for k, v := range m {
		h.keys[nb], h.vals[nb] = k, v
		if nb++; nb == len(h.keys) {
			h.batch(name, nb)
			nb = 0
		}
	}
	h.batch(name, nb)
}

func (h *timingsHash) batch(name string, nb int) {
	touch(h.keys[:nb])
	for i := range nb {
		h.buf = append(h.buf[:0], name...)
		h.buf = append(h.buf, '\t')
		h.buf = append(h.buf, h.keys[i]...)
		h.buf = append(h.buf, '\t')
		h.buf = strconv.AppendFloat(h.buf, h.vals[i], 'g', -1, 64)
		h.buf = append(h.buf, '\n')
		e := xxhash.Sum64(h.buf)
		h.sum += e
		h.xor ^= e
		h.n++
	}
}

// touch reads the first byte of each string, so that the cache misses of
// reading them all happen at once, before they are used: prefetching by
// hand, for strings scattered over the heap and read in no useful order.
// It is not inlined so that the reads are not dropped as unused.
//
//go:noinline
func touch(ss []string) byte {
	var x byte
	for _, s := range ss {
		if len(s) > 0 {
			x ^= s[0]
		}
	}
	return x
}

// assignmentFingerprint returns the assignment part of the fingerprint of
// the plan of u over total shards whose shard s holds the units
// byShard[ends[s-1]:ends[s]]. The lines go to the hash in large blocks:
// the digest's cost per Write is more than that of a short line.
func (u *universe) assignmentFingerprint(total int, byShard []int32, ends []int) string {
	d := xxhash.New()
	buf := make([]byte, 0, 64<<10)
	line := func(key string, val []byte) {
		buf = append(buf, key...)
		buf = append(buf, '\t')
		buf = append(buf, val...)
		buf = append(buf, '\n')
	}
	var num [20]byte
	var ids [touchBlock]string
	line("version", []byte(FingerprintVersion))
	line("total", strconv.AppendInt(num[:0], int64(total), 10))
	line("strategy", []byte(u.strategy))
	line("by", []byte(u.by))
	line("seed", strconv.AppendUint(num[:0], u.seed, 10))
	start := 0
	for s, end := range ends {
		line("shard", strconv.AppendInt(num[:0], int64(s), 10))
		for b0 := start; b0 < end; b0 += touchBlock {
			block := ids[:min(touchBlock, end-b0)]
			for i, k := range byShard[b0 : b0+len(block)] {
				block[i] = u.ids[k]
			}
			touch(block)
			for _, id := range block {
				if len(buf) >= cap(buf)-512 {
					d.Write(buf)
					buf = buf[:0]
				}
				buf = append(buf, "unit\t"...)
				buf = append(buf, id...)
				buf = append(buf, '\n')
			}
		}
		start = end
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
