package m

import "testing"

// TestUnderscoreFile is in a file whose name begins with "_": ignored.
func TestUnderscoreFile(t *testing.T) {}
