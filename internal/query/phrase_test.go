package query

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPhraseShareIn: an unquoted run earns its whole share when a chunk
// holds it, and the share of its longest part the chunk holds when that
// part is long enough to mean something.
func TestPhraseShareIn(t *testing.T) {
	cases := []struct {
		name, query, content string
		// part is the part of the run that should count ("" for none,
		// the whole run for a full match).
		part string
	}{
		{"whole run", "Client.Timeout exceeded while awaiting headers",
			`return errors.New("net/http: request canceled (Client.Timeout exceeded while awaiting headers)")`,
			"client.timeout exceeded while awaiting headers"},
		{"log prefix before the literal", "npm error ERESOLVE unable to resolve dependency tree",
			`throw new Error('unable to resolve dependency tree')`,
			"unable to resolve dependency tree"},
		{"literal split over two lines", "Remote end closed connection without response",
			"raise RemoteDisconnected(\"Remote end closed connection without\"\n                         \" response\")",
			"remote end closed connection without"},
		{"value in the middle of a format string", "Unable to configure handler file_handler now",
			`raise ValueError('Unable to configure handler %r' % name)`,
			"unable to configure handler"},
		{"three common words are not evidence", "does it check the lock file matches first",
			`// read the lock file`,
			""},
		{"short words at the ends do not count", "how is the weekly sales report turned into email",
			`# builds the weekly sales report`,
			""},
		{"words apart are not a part", "connection refused while dialing the upstream proxy",
			`// the connection to the proxy was refused`,
			""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := phrases(c.query)
			var run *Phrase
			for i := range ps {
				if !ps[i].Quoted && strings.Contains(strings.ToLower(c.query), strings.ToLower(ps[i].Text)) {
					run = &ps[i]
					break
				}
			}
			if run == nil {
				t.Fatalf("%q: no unquoted phrase in %+v", c.query, ps)
			}
			got := newPhraseMatch(*run).shareIn(strings.ToLower(c.content))
			want := 0.0
			if c.part != "" {
				want = run.Share * float64(letters(c.part)) / float64(letters(run.Text))
			}
			if math.Abs(got-want) > 1e-12 {
				t.Errorf("run %q in %q: share %.4f, want %.4f (part %q)", run.Text, c.content, got, want, c.part)
			}
		})
	}
}

// TestPastedErrorSplitLiteral: a pasted message whose literal the code
// writes in two pieces still finds the code that emits it first.
func TestPastedErrorSplitLiteral(t *testing.T) {
	db := indexFiles(t, map[string]string{
		"client.py": `def read_status(sock):
    """Read the status line of a response."""
    line = sock.readline()
    if not line:
        raise RemoteDisconnected("Remote end closed connection without"
                                 " response")
    return line


def close_connection(sock):
    """Close the connection to the remote end when the response is complete."""
    sock.close()
`,
	})
	r := search(t, db, "http.client.RemoteDisconnected: Remote end closed connection without response", Options{})
	if rankOf(r, "read_status") != 1 || r.Results[0].Phrase == 0 {
		t.Errorf("pasted error: %v, want read_status first with a phrase share", names(r))
	}
}

// TestPhraseShareInMatchesBruteForce: the linear scan finds the same
// best part as trying every part, on random texts over a small
// vocabulary (so that parts repeat and overlap).
func TestPhraseShareInMatchesBruteForce(t *testing.T) {
	vocab := []string{"a", "to", "the", "remote", "closed", "connection", "without", "response", "handler", "unable"}
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(w, " ")
	}
	for k := 0; k < 2000; k++ {
		q := text(3 + rng.IntN(12))
		content := text(rng.IntN(60))
		p := newPhraseMatch(Phrase{Text: q, Share: 1})
		got := p.shareIn(content)
		// Brute force: every part i..j-1, trimmed at its start.
		want := 0.0
		if strings.Contains(content, p.lower) {
			want = 1
		} else {
			best := 0
			n := len(p.starts)
			for i := 0; i < n; i++ {
				for j := i + minPhraseWords; j <= n; j++ {
					if !strings.Contains(content, p.lower[p.starts[i]:p.ends[j-1]]) {
						continue
					}
					a := i
					for a < j-1 && p.short(a) {
						a++
					}
					if l := letters(p.lower[p.starts[a]:p.ends[j-1]]); j-a >= minPhraseWords && l >= minPartialLetters && l > best {
						best = l
					}
				}
			}
			want = float64(best) / float64(p.letters)
		}
		if math.Abs(got-want) > 1e-12 {
			t.Fatalf("query %q in %q: share %.4f, brute force %.4f", q, content, got, want)
		}
	}
}

// BenchmarkPhraseShareIn: the part search's worst case, a run of
// maxPartialWords words a 10 KB chunk holds all but the last word of, and
// a common case, a 12-word question against a 2 KB chunk holding none of
// its parts.
func BenchmarkPhraseShareIn(b *testing.B) {
	run := func(name string, nWords, size int, held bool) {
		words := make([]string, nWords)
		for i := range words {
			words[i] = fmt.Sprintf("word%d", i)
		}
		var content strings.Builder
		if held {
			content.WriteString(strings.Join(words[:nWords-1], " "))
		}
		for content.Len() < size {
			content.WriteString(" filler text of a function body;")
		}
		p := newPhraseMatch(Phrase{Text: strings.Join(words, " "), Share: 1})
		lower := strings.ToLower(content.String())
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				p.shareIn(lower)
			}
		})
	}
	run("worst", maxPartialWords, 10000, true)
	run("question", 12, 2000, false)
}
