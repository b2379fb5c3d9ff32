package mathx

import (
	"errors"
	"testing"
)

func TestAbs(t *testing.T) {
	tests := []struct {
		name string
		in   int
		want int
	}{
		{"zero", 0, 0},
		{"positive", 7, 7},
		{"negative", -7, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Abs(tc.in); got != tc.want {
				t.Errorf("Abs(%d) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestClamp(t *testing.T) {
	tests := []struct {
		name      string
		n, lo, hi int
		want      int
	}{
		{"inside", 5, 0, 10, 5},
		{"below", -3, 0, 10, 0},
		{"above", 42, 0, 10, 10},
		{"swapped bounds", 42, 10, 0, 10},
		{"on the edge", 10, 0, 10, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Clamp(tc.n, tc.lo, tc.hi); got != tc.want {
				t.Errorf("Clamp(%d, %d, %d) = %d, want %d", tc.n, tc.lo, tc.hi, got, tc.want)
			}
		})
	}
}

func TestDiv(t *testing.T) {
	tests := []struct {
		a, b, want int
	}{
		{7, 2, 3},
		{-7, 2, -4},
		{7, -2, -4},
		{-7, -2, 3},
		{6, 3, 2},
	}
	for _, tc := range tests {
		got, err := Div(tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("Div(%d, %d) = %d, %v; want %d", tc.a, tc.b, got, err, tc.want)
		}
	}
}

func TestDivByZero(t *testing.T) {
	if _, err := Div(1, 0); !errors.Is(err, ErrDivideByZero) {
		t.Fatalf("Div(1, 0) error = %v, want ErrDivideByZero", err)
	}
}

func TestGCD(t *testing.T) {
	for _, tc := range []struct{ a, b, want int }{
		{12, 18, 6}, {-12, 18, 6}, {17, 5, 1}, {0, 9, 9},
	} {
		if got := GCD(tc.a, tc.b); got != tc.want {
			t.Errorf("GCD(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestLCM(t *testing.T) {
	if got := LCM(4, 6); got != 12 {
		t.Errorf("LCM(4, 6) = %d, want 12", got)
	}
	if got := LCM(0, 6); got != 0 {
		t.Errorf("LCM(0, 6) = %d, want 0", got)
	}
}

func TestIsPrime(t *testing.T) {
	primes := map[int]bool{0: false, 1: false, 2: true, 3: true, 4: false, 9: false, 13: true, 97: true, 100: false}
	for n, want := range primes {
		if got := IsPrime(n); got != want {
			t.Errorf("IsPrime(%d) = %v, want %v", n, got, want)
		}
	}
}

// TestPrimes is a prefix of TestPrimesLarge: a shard that runs only
// TestPrimes must anchor its -run pattern (^TestPrimes$).
func TestPrimes(t *testing.T) {
	got := Primes(20)
	want := []int{2, 3, 5, 7, 11, 13, 17, 19}
	if len(got) != len(want) {
		t.Fatalf("Primes(20) = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Primes(20) = %v, want %v", got, want)
		}
	}
	if Primes(2) != nil {
		t.Errorf("Primes(2) should be empty")
	}
}

// TestPrimesLarge does real work (a few tens of milliseconds).
func TestPrimesLarge(t *testing.T) {
	got := Primes(2_000_000)
	if len(got) != 148933 {
		t.Fatalf("len(Primes(2e6)) = %d, want 148933", len(got))
	}
	for _, p := range got[len(got)-50:] {
		if !IsPrime(p) {
			t.Fatalf("%d is not prime", p)
		}
	}
}

func TestPow(t *testing.T) {
	cases := []struct{ base, exp, want int }{
		{2, 0, 1}, {2, 10, 1024}, {3, 3, 27}, {-2, 3, -8},
	}
	for _, tc := range cases {
		t.Run("", func(t *testing.T) { // unnamed subtests become #00, #01, ...
			if got := Pow(tc.base, tc.exp); got != tc.want {
				t.Errorf("Pow(%d, %d) = %d, want %d", tc.base, tc.exp, got, tc.want)
			}
		})
	}
}

func TestMean(t *testing.T) {
	if _, ok := Mean(nil); ok {
		t.Error("Mean(nil) should report false")
	}
	if got, ok := Mean([]float64{1, 2, 3, 4}); !ok || got != 2.5 {
		t.Errorf("Mean = %v, %v; want 2.5, true", got, ok)
	}
}
