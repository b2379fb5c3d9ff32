package osfile

import "testing"

func TestLinux(t *testing.T) {}
