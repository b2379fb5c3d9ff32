package merge

import "slices"

// bounded keeps the max smallest items offered to it, by less, whatever
// the order they come in: a max-heap once full, whose root is the item
// the next smaller one replaces. The zero value keeps nothing; set max
// and less.
type bounded[T any] struct {
	max   int
	less  func(a, b T) bool
	items []T
	seen  int // items offered, kept or not
}

// admits reports whether add would keep x.
func (b *bounded[T]) admits(x T) bool {
	return len(b.items) < b.max || len(b.items) > 0 && b.less(x, b.items[0])
}

// add offers x.
func (b *bounded[T]) add(x T) {
	b.seen++
	switch {
	case len(b.items) < b.max:
		b.items = append(b.items, x)
		if len(b.items) == b.max {
			for i := len(b.items)/2 - 1; i >= 0; i-- {
				b.down(i)
			}
		}
	case len(b.items) > 0 && b.less(x, b.items[0]):
		b.items[0] = x
		b.down(0)
	}
}

// skip counts an item offered that admits refused.
func (b *bounded[T]) skip() { b.seen++ }

// down moves item i down the max-heap to its place.
func (b *bounded[T]) down(i int) {
	h := b.items
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if r := c + 1; r < len(h) && b.less(h[c], h[r]) {
			c = r
		}
		if !b.less(h[i], h[c]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// join takes o's items and counts into b (b's own max and less are not
// used: sorted bounds the union).
func (b *bounded[T]) join(o *bounded[T]) {
	b.items = append(b.items, o.items...)
	b.seen += o.seen
}

// sorted returns the smallest max items by less, in order, and keeps
// only those.
func (b *bounded[T]) sorted(less func(a, b T) bool, max int) []T {
	slices.SortStableFunc(b.items, func(x, y T) int {
		switch {
		case less(x, y):
			return -1
		case less(y, x):
			return 1
		}
		return 0
	})
	b.items = b.items[:min(len(b.items), max)]
	return b.items
}

// more is how many items offered were not kept.
func (b *bounded[T]) more() int { return b.seen - len(b.items) }
