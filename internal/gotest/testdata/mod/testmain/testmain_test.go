package testmain

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		fmt.Println("teardown: leaked 1 connection")
		os.Exit(1)
	}
	os.Exit(code)
}

func TestOK(t *testing.T) {}
