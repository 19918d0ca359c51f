package llm

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// sseEvent is one server-sent event: its type (empty for the default
// "message") and its data lines joined by "\n".
type sseEvent struct {
	Event string
	Data  string
}

// maxSSELine bounds one line of a stream; a text delta is a few bytes.
const maxSSELine = 1 << 20

// sseReader reads server-sent events (the WHATWG "text/event-stream"
// format: "field: value" lines, events ended by a blank line, lines
// starting with ":" ignored). Only the event and data fields matter here.
type sseReader struct {
	r *bufio.Reader
}

func newSSEReader(r io.Reader) *sseReader { return &sseReader{r: bufio.NewReaderSize(r, 32<<10)} }

// next returns the next event. It returns io.EOF when the stream ends
// between events, and io.ErrUnexpectedEOF when it ends inside a line: a
// cut stream, not a malformed one.
func (s *sseReader) next() (sseEvent, error) {
	var (
		ev      sseEvent
		data    strings.Builder
		hasData bool
	)
	for {
		line, err := s.readLine()
		if errors.Is(err, io.EOF) && hasData {
			// The last event lacked its blank line but every line of it
			// was complete: dispatch it.
			ev.Data = data.String()
			return ev, nil
		}
		if err != nil {
			return sseEvent{}, err
		}
		if line == "" {
			if hasData {
				ev.Data = data.String()
				return ev, nil
			}
			ev = sseEvent{}
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			ev.Event = value
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			data.WriteString(value)
			hasData = true
		}
	}
}

// readLine returns the next line without its "\n" or "\r\n".
func (s *sseReader) readLine() (string, error) {
	var buf []byte
	for {
		chunk, err := s.r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxSSELine {
			return "", fmt.Errorf("stream line longer than %d bytes", maxSSELine)
		}
		switch {
		case err == nil:
			line := buf[:len(buf)-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return string(line), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) > 0:
			return "", io.ErrUnexpectedEOF
		default:
			return "", err
		}
	}
}

// readEvents runs the event loop both providers' streams share. It reads
// events until handle reports the end of the answer (done) or the stream
// ends; handle passes text deltas to emit, which collects them and hands
// them to onToken. A stream that ends before the provider gave a stop
// reason was cut (io.ErrUnexpectedEOF); every failure is wrapped by
// interrupted with the number of tokens already shown, which decides
// whether it may be retried.
func readEvents(resp *http.Response, provider string, c *Completion, onToken func(string),
	handle func(ev sseEvent, emit func(string)) (done bool, err error)) (*Completion, error) {
	defer resp.Body.Close()
	sr := newSSEReader(resp.Body)
	var text strings.Builder
	tokens := 0
	emit := func(s string) {
		text.WriteString(s)
		tokens++
		onToken(s)
	}
	for {
		ev, err := sr.next()
		if errors.Is(err, io.EOF) {
			if c.StopReason != "" {
				break
			}
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, interrupted(provider, tokens, newTransportError("read "+provider+" stream", err))
		}
		done, err := handle(ev, emit)
		if err != nil {
			return nil, interrupted(provider, tokens, err)
		}
		if done {
			break
		}
	}
	c.Text = text.String()
	return c, nil
}
