package lib

// Name is the case's name, from a local replace target.
func Name() string { return "replace-target-not-copied" }
