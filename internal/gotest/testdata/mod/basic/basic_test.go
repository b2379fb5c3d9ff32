package basic

import "testing"

func TestPass(t *testing.T) { t.Log("all good") }

func TestFail(t *testing.T) {
	t.Errorf("got %d, want %d", 1, 2)
	t.Log("second line")
}

func TestSkip(t *testing.T) { t.Skip("not on this platform") }

func TestSkipNow(t *testing.T) { t.SkipNow() }
