package broken

// Good parses fine.
func Good() int {
	return 1
}

func Bad( {
	return
}

// After comes after the error.
func After() {}
