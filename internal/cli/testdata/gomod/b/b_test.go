package b

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(m.Run()) }

func TestParse(t *testing.T)  {}
func TestFormat(t *testing.T) {}
func TestB1(t *testing.T)     {}
func TestB2(t *testing.T)     {}
func BenchmarkB(b *testing.B) {}
