package mainpkg_test

import "testing"

func TestC(t *testing.T) {}
