package osfile

import "testing"

func TestAny(t *testing.T) {}
