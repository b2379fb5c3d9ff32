package testdata

import "testing"

func TestInTestdata(t *testing.T) {}
