// Package greet is a tiny dependency served from the e2e suite's file-based module proxy.
package greet

// Hello is the line every e2e image prints, so a run proves the dependency was built in.
func Hello(who string) string { return "hello " + who + " from greet" }
