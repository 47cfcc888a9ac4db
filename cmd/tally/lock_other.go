//go:build !unix

package main

// lockDataDir is a no-op where flock is not available.
func lockDataDir(dir string) (func(), error) { return func() {}, nil }
