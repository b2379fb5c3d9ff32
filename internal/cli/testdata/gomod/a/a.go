package a

// Parse returns its input.
func Parse(s string) string { return s }
