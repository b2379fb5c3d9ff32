// Package notests is a package without test files.
package notests
