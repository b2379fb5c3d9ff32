package ignored

import "testing"

// TestIgnored is in a directory named by the go.mod ignore directive.
func TestIgnored(t *testing.T) {}
