//go:build integration

package d

import "testing"

func TestIntegration(t *testing.T) {}
