// Package tagged has tests behind build tags.
package tagged
