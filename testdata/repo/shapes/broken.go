package shapes

// Scale parses fine.
func Scale(f float64) float64 {
	return f * 2
}

func Broken( {
	return
}

// AfterBroken comes after the syntax error.
func AfterBroken() {}
