// Package cli is aur's command layer: cobra commands, flags, output
// formatting and exit codes. It is the only package that imports cobra and
// viper (through internal/config); the domain packages (index, store,
// query, quality, stats, resilience, llm) know nothing of the command line.
//
// Each command is a constructor NewCmdX(f, runF) that parses flags into an
// XOptions value and a run function xRun(ctx, opts) that does the work, so
// tests can check flag parsing through runF and run functions with test
// streams and a temporary store.
package cli
