package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// maxBodyBytes caps request bodies; an item is a few hundred bytes.
const maxBodyBytes = 1 << 20

// healthHandler answers load balancer probes. It does not touch the store:
// a slow store should not make the balancer pull the instance.
var healthHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
})

// listItems returns the items in pages. ?limit= caps the page size at 100
// and ?offset= skips that many items.
func listItems(s *ItemStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := ParseQuery(r.URL.RawQuery)
		limit := intParam(q, "limit", 20)
		if limit > 100 {
			limit = 100
		}
		offset := intParam(q, "offset", 0)
		items := s.List(offset, limit)
		writeJSON(w, http.StatusOK, map[string]any{"items": items, "offset": offset, "count": len(items)})
	})
}

// getItem serves one item by id, from the LRU cache when it is there.
func getItem(s *ItemStore, cache *LRUCache) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := PathParam(r, "id")
		if v, ok := cache.Get(id); ok {
			w.Header().Set("X-Cache", "hit")
			writeJSON(w, http.StatusOK, v)
			return
		}
		item, ok := s.Get(id)
		if !ok {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no item %q", id))
			return
		}
		cache.Put(id, item)
		writeJSON(w, http.StatusOK, item)
	})
}

// createItem decodes an item from the request body, validates it, stores
// it and invalidates any cached copy.
func createItem(s *ItemStore, cache *LRUCache) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in Item
		if err := decodeJSON(w, r, &in); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		if in.Name == "" || in.PriceCents < 0 {
			writeError(w, http.StatusUnprocessableEntity, "name is required and price must not be negative")
			return
		}
		item := s.Add(in)
		cache.Remove(item.ID)
		w.Header().Set("Location", "/items/"+item.ID)
		writeJSON(w, http.StatusCreated, item)
	})
}

// decodeJSON reads at most maxBodyBytes of JSON into dst and rejects
// unknown fields and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("invalid JSON body: %w", err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return errors.New("body must hold a single JSON object")
	}
	return nil
}

// writeJSON sends v as a JSON response with the given status code.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// writeError sends {"error": msg} with the given status code.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// intParam reads a non-negative integer query parameter, falling back to
// def when it is absent or malformed.
func intParam(q map[string][]string, name string, def int) int {
	vs := q[name]
	if len(vs) == 0 {
		return def
	}
	n, err := strconv.Atoi(vs[0])
	if err != nil || n < 0 {
		return def
	}
	return n
}
