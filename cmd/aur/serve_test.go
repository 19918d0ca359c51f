package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// serveAddr reads the file aur serve --addr-file writes.
func serveAddr(ts *testscript.TestScript, file string) (addr string, pid int) {
	var v struct {
		Addr string `json:"addr"`
		PID  int    `json:"pid"`
	}
	if err := json.Unmarshal([]byte(ts.ReadFile(file)), &v); err != nil {
		ts.Fatalf("%s: %v", file, err)
	}
	return v.Addr, v.PID
}

// cmdWaitfile waits, up to 20 s, for a file to exist: a server started in
// the background writes its address there once it listens.
//
//	waitfile FILE
func cmdWaitfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	p := ts.MkAbs(args[0])
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(p); err == nil {
			return
		}
	}
	ts.Fatalf("%s did not appear in 20s", args[0])
}

// cmdHTTP sends a request to the server whose address is in ADDRFILE;
// the body, if given, is a file. The response body becomes stdout and
// "status N" stderr, for the stdout, stderr and json commands. Loopback
// only: the address is the one the server bound.
//
//	http ADDRFILE METHOD PATH [BODYFILE] [HEADER=VALUE...]
func cmdHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: http ADDRFILE METHOD PATH [BODYFILE] [HEADER=VALUE...]")
	}
	addr, _ := serveAddr(ts, args[0])
	var body io.Reader
	rest := args[3:]
	if len(rest) > 0 && !strings.Contains(rest[0], "=") {
		body = strings.NewReader(ts.ReadFile(rest[0]))
		rest = rest[1:]
	}
	req, err := http.NewRequest(args[1], "http://"+addr+args[2], body)
	ts.Check(err)
	for _, h := range rest {
		k, v, _ := strings.Cut(h, "=")
		req.Header.Set(k, v)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	ts.Stdout().Write(b)
	fmt.Fprintf(ts.Stderr(), "status %d\n", resp.StatusCode)
}

// cmdSignal sends a signal to the server whose pid is in ADDRFILE.
//
//	signal ADDRFILE TERM|INT|HUP
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: signal ADDRFILE TERM|INT|HUP")
	}
	_, pid := serveAddr(ts, args[0])
	sig := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "HUP": syscall.SIGHUP}[args[1]]
	if sig == 0 {
		ts.Fatalf("unknown signal %s", args[1])
	}
	ts.Check(syscall.Kill(pid, sig))
}
