package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database opens and answers a query.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := contextWithTimeout(r, 2*time.Second)
	defer cancel()
	if err := s.svc.Ready(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, CodeStoreUnavailable, "the database does not answer: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// decode reads a JSON request body into v: one object, no unknown
// fields. It writes the error response and returns false on failure.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value in the body")
	}
	if err == nil {
		if _, rerr := io.Copy(io.Discard, r.Body); rerr != nil {
			err = rerr
		}
	}
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit))
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "the request body is empty; want a JSON object with a query")
	default:
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "the request body is not valid JSON: "+err.Error())
	}
	return false
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var req service.SearchRequest
	if !decode(w, r, &req) {
		return
	}
	resp, err := s.svc.Search(r.Context(), req, service.Call{Face: service.FaceHTTP, Mode: store.ModeHeadless})
	s.answer(w, r, resp, err)
}

// query answers a question. It never prompts: a weak match continues
// with its chunks (the guide's "headless: always non-interactive").
func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	var req service.SearchRequest
	if !decode(w, r, &req) {
		return
	}
	resp, err := s.svc.Query(r.Context(), req, service.Call{Face: service.FaceHTTP, Mode: store.ModeHeadless})
	s.answer(w, r, resp, err)
}

// answer writes a search or query response: 200 with the result; 502
// with the result (answer null, error set) when the LLM failed after
// retrieval worked; 400 for invalid input; 503 when the store failed.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, resp *service.Response, err error) {
	var aerr *ask.AnswerError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, resp.Result())
	case errors.As(err, &aerr) && resp != nil:
		writeJSON(w, http.StatusBadGateway, resp.Result())
	default:
		s.fail(w, r, err)
	}
}

// fail writes the error response for err.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ie *service.InvalidError
	switch {
	case errors.As(err, &ie):
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, ie.Error())
	case service.IsInvalid(err):
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, err.Error())
	case errors.Is(err, service.ErrIndexBusy):
		writeError(w, http.StatusConflict, CodeIndexBusy, err.Error())
	case errors.Is(err, service.ErrNoIndexRoot):
		writeError(w, http.StatusConflict, CodeNoIndexRoot, err.Error())
	case errors.Is(err, service.ErrRemoteIndex):
		// A replica over PostgreSQL does not index: aur mem index does.
		writeError(w, http.StatusConflict, CodeRemoteIndex, err.Error())
	case r.Context().Err() != nil:
		// The client left; nobody reads this.
		writeError(w, http.StatusServiceUnavailable, CodeStoreUnavailable, "request cancelled")
	default:
		zerolog.Ctx(r.Context()).Warn().Err(err).Msg("store unavailable")
		writeError(w, http.StatusServiceUnavailable, CodeStoreUnavailable, "the index cannot be read: "+storeMessage(err))
	}
}

// storeMessage says what failed without internals beyond the error text.
func storeMessage(err error) string {
	if c := store.ErrorCode(err); c != "" {
		return c + ": " + err.Error()
	}
	return err.Error()
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "view", "since", "from", "to":
		default:
			writeError(w, http.StatusBadRequest, CodeInvalidRequest, fmt.Sprintf("unknown parameter %q (want view, since, from, to)", k))
			return
		}
	}
	req, err := s.svc.StatsWindow(q.Get("view"), q.Get("since"), q.Get("from"), q.Get("to"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.svc.Stats(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep.Value())
}

func (s *Server) indexStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.svc.IndexStatus(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// reindex runs an incremental index run and answers with its summary (aur
// mem index --json's object). One at a time: another gets 409. The run
// is not cut short when the client leaves: a half-finished run would only
// be finished by the next one.
func (s *Server) reindex(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > 0 {
		var empty struct{}
		if !decode(w, r, &empty) {
			return
		}
	}
	sum, err := s.svc.Reindex(contextWithoutCancel(r), service.TriggerAPI, nil)
	if err != nil && sum == nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, sum)
}
