// Package ledger keeps account balances in integer cents and records
// transfers between accounts.
package ledger

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Errors returned by Ledger methods.
var (
	ErrUnknownAccount    = errors.New("ledger: unknown account")
	ErrInsufficientFunds = errors.New("ledger: insufficient funds")
	ErrInvalidAmount     = errors.New("ledger: amount must be positive")
	ErrDuplicateAccount  = errors.New("ledger: account exists")
)

// Cents is an amount of money in cents.
type Cents int64

// String formats c as "12.34" (or "-0.50").
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign = "-"
		c = -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// ParseCents parses "12.34", "12.3", "12" or "-0.5".
func ParseCents(s string) (Cents, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" {
		return 0, fmt.Errorf("ledger: bad amount %q", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("ledger: bad amount %q", s)
	}
	var f int64
	if hasFrac {
		if len(frac) == 0 || len(frac) > 2 {
			return 0, fmt.Errorf("ledger: bad amount %q", s)
		}
		if len(frac) == 1 {
			frac += "0"
		}
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, fmt.Errorf("ledger: bad amount %q", s)
		}
	}
	c := Cents(w*100 + f)
	if neg {
		c = -c
	}
	return c, nil
}

// Entry is one recorded transfer.
type Entry struct {
	From, To string
	Amount   Cents
	Memo     string
}

// Ledger holds balances and the journal of transfers.
type Ledger struct {
	balances  map[string]Cents
	overdraft map[string]Cents
	journal   []Entry
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{balances: map[string]Cents{}, overdraft: map[string]Cents{}}
}

// Open creates an account with an opening balance and overdraft limit.
func (l *Ledger) Open(name string, opening, overdraft Cents) error {
	if _, ok := l.balances[name]; ok {
		return fmt.Errorf("%w: %s", ErrDuplicateAccount, name)
	}
	if opening < 0 || overdraft < 0 {
		return ErrInvalidAmount
	}
	l.balances[name] = opening
	l.overdraft[name] = overdraft
	return nil
}

// Balance returns the balance of name.
func (l *Ledger) Balance(name string) (Cents, error) {
	b, ok := l.balances[name]
	if !ok {
		return 0, fmt.Errorf("%w: %s", ErrUnknownAccount, name)
	}
	return b, nil
}

// Transfer moves amount from one account to another.
func (l *Ledger) Transfer(from, to string, amount Cents, memo string) error {
	if amount <= 0 {
		return ErrInvalidAmount
	}
	fb, ok := l.balances[from]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownAccount, from)
	}
	if _, ok := l.balances[to]; !ok {
		return fmt.Errorf("%w: %s", ErrUnknownAccount, to)
	}
	if fb-amount < -l.overdraft[from] {
		return fmt.Errorf("%w: %s has %s", ErrInsufficientFunds, from, fb)
	}
	l.balances[from] -= amount
	l.balances[to] += amount
	l.journal = append(l.journal, Entry{from, to, amount, memo})
	return nil
}

// Refund reverses the most recent transfer with the given memo.
func (l *Ledger) Refund(memo string) error {
	for i := len(l.journal) - 1; i >= 0; i-- {
		e := l.journal[i]
		if e.Memo == memo {
			return l.Transfer(e.To, e.From, e.Amount, "refund: "+memo)
		}
	}
	return fmt.Errorf("ledger: no transfer with memo %q", memo)
}

// Total returns the sum of all balances (constant under transfers).
func (l *Ledger) Total() Cents {
	var t Cents
	for _, b := range l.balances {
		t += b
	}
	return t
}

// Statement lists the transfers touching name, one per line.
func (l *Ledger) Statement(name string) string {
	var b strings.Builder
	for _, e := range l.journal {
		switch name {
		case e.From:
			fmt.Fprintf(&b, "-%s to %s (%s)\n", e.Amount, e.To, e.Memo)
		case e.To:
			fmt.Fprintf(&b, "+%s from %s (%s)\n", e.Amount, e.From, e.Memo)
		}
	}
	return b.String()
}

// Accounts returns account names sorted by balance, highest first, then by
// name.
func (l *Ledger) Accounts() []string {
	names := make([]string, 0, len(l.balances))
	for n := range l.balances {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		bi, bj := l.balances[names[i]], l.balances[names[j]]
		if bi != bj {
			return bi > bj
		}
		return names[i] < names[j]
	})
	return names
}
