// Package buildinfo names the running build of aur: for `aur --version`,
// the MCP server's implementation info, and the query cache's keys (a new
// build never serves what an older one ranked).
package buildinfo

import "runtime/debug"

// Version is set at build time with
// -ldflags "-X github.com/aurora-dev/aur/internal/buildinfo.Version=v1.2.3"
// (the Makefile passes `git describe --tags --always --dirty`).
var Version = ""

// String is the version a person reads: the one set at build time, else
// the module's (go install pkg@version), else "dev".
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Stamp identifies the build as closely as the binary knows it: the
// version and, when the go command recorded them (-buildvcs), the
// revision, its time and whether the tree was modified.
func Stamp() string {
	return stamp
}

var stamp = func() string {
	s := String()
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision", "vcs.time", "vcs.modified":
				s += " " + kv.Value
			}
		}
	}
	return s
}()
