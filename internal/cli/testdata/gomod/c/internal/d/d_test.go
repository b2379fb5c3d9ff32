package d

import "testing"

func TestD1(t *testing.T)    {}
func TestD2(t *testing.T)    { t.Skip("skipped tests are still tests") }
func TestParse(t *testing.T) {}
