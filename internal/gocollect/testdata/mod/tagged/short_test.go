//go:build !integration

package tagged

import "testing"

func TestNotIntegration(t *testing.T) {}
