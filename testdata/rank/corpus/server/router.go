package main

import (
	"context"
	"net/http"
	"strings"
)

// Router dispatches requests by method and path pattern. Patterns are
// slash-separated segments; a segment starting with ':' captures that part
// of the path as a named parameter ("/items/:id").
type Router struct {
	routes   []route
	NotFound http.Handler
}

type route struct {
	method   string
	segments []string
	handler  http.Handler
}

type paramsKey struct{}

// NewRouter returns a router with no routes that answers 404 for every
// request.
func NewRouter() *Router {
	return &Router{NotFound: http.NotFoundHandler()}
}

// Handle registers h for method and pattern. Routes are tried in the order
// they were registered.
func (r *Router) Handle(method, pattern string, h http.Handler) {
	r.routes = append(r.routes, route{method: method, segments: splitPath(pattern), handler: h})
}

// HandleFunc registers an ordinary function as a handler.
func (r *Router) HandleFunc(method, pattern string, f func(http.ResponseWriter, *http.Request)) {
	r.Handle(method, pattern, http.HandlerFunc(f))
}

// ServeHTTP finds the first route whose method and pattern match the
// request and calls it with the captured path parameters in the request
// context. A path that matches only under another method gets 405.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	segs := splitPath(req.URL.Path)
	methodMismatch := false
	for _, rt := range r.routes {
		params, ok := matchSegments(rt.segments, segs)
		if !ok {
			continue
		}
		if rt.method != req.Method {
			methodMismatch = true
			continue
		}
		ctx := context.WithValue(req.Context(), paramsKey{}, params)
		rt.handler.ServeHTTP(w, req.WithContext(ctx))
		return
	}
	if methodMismatch {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.NotFound.ServeHTTP(w, req)
}

// matchSegments compares a route pattern with a request path segment by
// segment and returns the values of the ':name' segments.
func matchSegments(pattern, path []string) (map[string]string, bool) {
	if len(pattern) != len(path) {
		return nil, false
	}
	var params map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, ":") {
			if params == nil {
				params = map[string]string{}
			}
			params[p[1:]] = path[i]
			continue
		}
		if p != path[i] {
			return nil, false
		}
	}
	return params, true
}

// splitPath cuts a URL path into its non-empty segments.
func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// PathParam returns the value of a named path parameter captured by the
// router, or "" if the route has no such parameter.
func PathParam(r *http.Request, name string) string {
	params, _ := r.Context().Value(paramsKey{}).(map[string]string)
	return params[name]
}
