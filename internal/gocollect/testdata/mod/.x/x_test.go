package x

import "testing"

func TestDotDir(t *testing.T) {}
