// Package server is aur's HTTP face (aur serve): a JSON service over one
// project database, for headless deployments (a container, a sidecar, a
// team's shared index). Every endpoint translates its request into one
// call of internal/service and writes the result in the schema the CLI's
// --json prints; the server never prompts, so a weak match continues.
//
// It is bounded and quiet (STYLE.md rule 17): read-header, read, write
// and idle timeouts; a request body limit (413); a concurrency limit that
// answers 429 at once rather than queueing; a bearer token, compared in
// constant time, required on any address but loopback; JSON errors with a
// stable code; one zerolog JSON line per request with its id; and a
// graceful shutdown that finishes in-flight requests within a bound.
package server
