package osfile

import "testing"

func TestWindows(t *testing.T) {}
