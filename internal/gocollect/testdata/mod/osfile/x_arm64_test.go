package osfile

import "testing"

func TestARM64(t *testing.T) {}
