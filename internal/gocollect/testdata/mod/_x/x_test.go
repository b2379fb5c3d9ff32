package x

import "testing"

func TestUnderscoreDir(t *testing.T) {}
