// Command fakeembed serves internal/llm/llmtest's fake OpenAI-compatible
// embeddings endpoint on loopback (deterministic bags of words, answered
// at once), so benchmarks can time aur's semantic layer without a model
// or a network. It prints its base URL on stdout and serves until killed.
//
//	go run ./bench/fakeembed -dims 768
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/aurora-dev/aur/internal/llm/llmtest"
)

func main() {
	dims := flag.Int("dims", 768, "vector length when a request does not ask for one")
	flag.Parse()
	s := llmtest.NewEmbedServer(llmtest.EmbedOptions{Dims: *dims})
	defer s.Close()
	fmt.Println(s.URL)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}
