// Package mathx has small integer helpers with enough branches to make
// coverage figures meaningful.
package mathx

import "errors"

// ErrDivideByZero is returned by Div when the divisor is zero.
var ErrDivideByZero = errors.New("mathx: divide by zero")

// Abs returns the absolute value of n.
func Abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Clamp limits n to the range [lo, hi]. If lo > hi they are swapped.
func Clamp(n, lo, hi int) int {
	if lo > hi {
		lo, hi = hi, lo
	}
	switch {
	case n < lo:
		return lo
	case n > hi:
		return hi
	default:
		return n
	}
}

// Div divides a by b, rounding toward negative infinity.
func Div(a, b int) (int, error) {
	if b == 0 {
		return 0, ErrDivideByZero
	}
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q, nil
}

// GCD returns the greatest common divisor of a and b (always >= 0).
func GCD(a, b int) int {
	a, b = Abs(a), Abs(b)
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// LCM returns the least common multiple of a and b.
func LCM(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	return Abs(a / GCD(a, b) * b)
}

// IsPrime reports whether n is a prime number.
func IsPrime(n int) bool {
	if n < 2 {
		return false
	}
	if n%2 == 0 {
		return n == 2
	}
	for d := 3; d*d <= n; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}

// Primes returns the primes below limit, using a sieve.
func Primes(limit int) []int {
	if limit <= 2 {
		return nil
	}
	composite := make([]bool, limit)
	var out []int
	for i := 2; i < limit; i++ {
		if composite[i] {
			continue
		}
		out = append(out, i)
		for j := i * i; j < limit; j += i {
			composite[j] = true
		}
	}
	return out
}

// Pow returns base**exp for exp >= 0; negative exponents return 0
// (integer arithmetic), except for bases 1 and -1.
func Pow(base, exp int) int {
	if exp < 0 {
		// Deliberately left uncovered by the tests.
		switch base {
		case 1:
			return 1
		case -1:
			if exp%2 == 0 {
				return 1
			}
			return -1
		}
		return 0
	}
	result := 1
	for exp > 0 {
		if exp&1 == 1 {
			result *= base
		}
		base *= base
		exp >>= 1
	}
	return result
}

// Mean returns the arithmetic mean of xs, and false when xs is empty.
func Mean(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs)), true
}
