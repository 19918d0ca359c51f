// Command fakellm serves internal/llm/llmtest's fake OpenAI-compatible and
// Anthropic API on loopback, answering after a fixed delay, so benchmarks
// can time aur query with an LLM without a network or an API key. It
// prints its OpenAI base URL on stdout and serves until killed.
//
//	go run ./bench/fakellm -delay 400ms
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/aurora-dev/aur/internal/llm/llmtest"
)

func main() {
	delay := flag.Duration("delay", 400*time.Millisecond, "time to answer each request (a fast hosted model takes 0.3-2 s)")
	flag.Parse()
	s := llmtest.NewServer(llmtest.Options{})
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s/v1\n", ln.Addr())
	log.Fatal(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(*delay)
		s.ServeHTTP(w, r)
	})))
}
