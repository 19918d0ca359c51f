// Command aur is a fast, private memory of a codebase: it indexes source
// code into a local SQLite chunk store and answers questions from it.
package main

import (
	"os"

	"github.com/aurora-dev/aur/internal/cli"
)

func main() { os.Exit(int(cli.Main())) }
