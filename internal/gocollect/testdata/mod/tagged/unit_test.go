package tagged

import "testing"

func TestUnit(t *testing.T) {}
