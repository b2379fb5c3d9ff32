package x

import "testing"

func TestVendored(t *testing.T) {}
