package ledger

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func newLedger(t *testing.T) *Ledger {
	t.Helper()
	l := New()
	for _, a := range []struct {
		name      string
		open, ovd Cents
	}{
		{"alice", 10000, 0},
		{"bob", 2500, 1000},
		{"carol", 0, 0},
	} {
		if err := l.Open(a.name, a.open, a.ovd); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func TestCentsString(t *testing.T) {
	for c, want := range map[Cents]string{0: "0.00", 5: "0.05", 1234: "12.34", -50: "-0.50"} {
		if got := c.String(); got != want {
			t.Errorf("Cents(%d) = %q, want %q", int64(c), got, want)
		}
	}
}

func TestParseCents(t *testing.T) {
	tests := []struct {
		in      string
		want    Cents
		wantErr bool
	}{
		{"12.34", 1234, false},
		{"12.3", 1230, false},
		{"12", 1200, false},
		{"-0.5", -50, false},
		{" 7.01 ", 701, false},
		{"", 0, true},
		{"1.234", 0, true},
		{"1.", 0, true},
		{"abc", 0, true},
		{"1.x", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCents(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseCents(%q) = %v, %v; want %v, err=%v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestOpenDuplicate(t *testing.T) {
	l := newLedger(t)
	if err := l.Open("alice", 1, 0); !errors.Is(err, ErrDuplicateAccount) {
		t.Fatalf("err = %v", err)
	}
	if err := l.Open("dave", -1, 0); !errors.Is(err, ErrInvalidAmount) {
		t.Fatalf("err = %v", err)
	}
}

func TestTransfer(t *testing.T) {
	l := newLedger(t)
	if err := l.Transfer("alice", "carol", 2550, "rent"); err != nil {
		t.Fatal(err)
	}
	if b, _ := l.Balance("carol"); b != 2550 {
		t.Errorf("carol = %v", b)
	}
	if b, _ := l.Balance("alice"); b != 7450 {
		t.Errorf("alice = %v", b)
	}
}

func TestTransferErrors(t *testing.T) {
	l := newLedger(t)
	tests := []struct {
		name     string
		from, to string
		amount   Cents
		want     error
	}{
		{"zero amount", "alice", "bob", 0, ErrInvalidAmount},
		{"unknown sender", "mallory", "bob", 1, ErrUnknownAccount},
		{"unknown receiver", "alice", "mallory", 1, ErrUnknownAccount},
		{"insufficient", "carol", "bob", 1, ErrInsufficientFunds},
		{"beyond overdraft", "bob", "alice", 3501, ErrInsufficientFunds},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := l.Transfer(tc.from, tc.to, tc.amount, "x"); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestOverdraft(t *testing.T) {
	l := newLedger(t)
	if err := l.Transfer("bob", "carol", 3500, "within overdraft"); err != nil {
		t.Fatal(err)
	}
	if b, _ := l.Balance("bob"); b != -1000 {
		t.Errorf("bob = %v", b)
	}
}

func TestTotalIsConserved(t *testing.T) {
	l := newLedger(t)
	before := l.Total()
	for i := 0; i < 100; i++ {
		_ = l.Transfer("alice", "bob", Cents(i+1), "loop")
		_ = l.Transfer("bob", "carol", Cents(i), "loop")
	}
	if after := l.Total(); after != before {
		t.Fatalf("total changed: %v -> %v", before, after)
	}
}

func TestStatement(t *testing.T) {
	l := newLedger(t)
	_ = l.Transfer("alice", "bob", 100, "lunch")
	_ = l.Transfer("bob", "carol", 50, "coffee")
	want := "+1.00 from alice (lunch)\n-0.50 to carol (coffee)\n"
	if got := l.Statement("bob"); got != want {
		t.Errorf("statement:\n%s\nwant:\n%s", got, want)
	}
}

func TestAccountsOrder(t *testing.T) {
	l := newLedger(t)
	_ = l.Open("dave", 2500, 0)
	if got := strings.Join(l.Accounts(), ","); got != "alice,bob,dave,carol" {
		t.Errorf("accounts = %s", got)
	}
}

// TestRefundRestoresBalance is the demo's deliberately failing test: it
// passes normally and fails only when XSHARD_DEMO_FAIL=1 is set, so the
// end-to-end tests can check that a failure in one shard fails the merged
// report. (go test records the variable as an input of its result cache.)
func TestRefundRestoresBalance(t *testing.T) {
	l := newLedger(t)
	if err := l.Transfer("alice", "bob", 1999, "order-42"); err != nil {
		t.Fatal(err)
	}
	if err := l.Refund("order-42"); err != nil {
		t.Fatal(err)
	}
	want := Cents(10000)
	if os.Getenv("XSHARD_DEMO_FAIL") == "1" {
		want = 9999 // deliberately wrong expectation
	}
	if got, _ := l.Balance("alice"); got != want {
		t.Errorf("alice after refund = %v, want %v", got, want)
	}
	if err := l.Refund("no-such-order"); err == nil {
		t.Error("refund of unknown memo should fail")
	}
}
