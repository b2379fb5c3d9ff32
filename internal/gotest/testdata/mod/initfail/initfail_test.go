package initfail

import "testing"

func init() { panic("init exploded") }

func TestNever(t *testing.T) {}
