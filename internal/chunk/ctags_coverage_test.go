package chunk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// minCtagsCoverage is the share of universal-ctags' Go functions and
// methods that must come out of the Go chunker as a chunk of their own.
const minCtagsCoverage = 0.98

// maxIndexedFileSize mirrors index.DefaultMaxFileSize: aur never chunks
// larger files, so they are left out of the comparison. (This package
// cannot import index, which imports it.)
const maxIndexedFileSize = 1 << 20

// TestCtagsCoverage compares the Go chunker with universal-ctags on the
// non-test Go files of GOROOT/src: every function and method ctags finds
// should be a chunk with the same name, the same qualified name
// (Recv.Method for methods) and a line range that contains ctags' line.
//
// ctags is an independent parser, so a miss is either a ctags false
// positive or a chunker bug; the first misses are logged with the reason
// to make telling them apart quick. Skipped with -short or without
// universal-ctags.
func TestCtagsCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("walks GOROOT/src; skipped with -short")
	}
	ctags, err := exec.LookPath("ctags")
	if err != nil {
		t.Skip("ctags not installed")
	}
	if out, err := exec.Command(ctags, "--version").Output(); err != nil || !bytes.Contains(out, []byte("Universal Ctags")) {
		t.Skip("ctags is not universal-ctags (JSON output is needed)")
	}
	if out, err := exec.Command(ctags, "--list-features").Output(); err != nil || !regexp.MustCompile(`(?m)^json\b`).Match(out) {
		t.Skip("this ctags was built without JSON output")
	}
	src := filepath.Join(goroot(t), "src")

	tags := ctagsFuncs(t, ctags, src)
	if len(tags) < 10000 {
		t.Fatalf("ctags found only %d functions and methods in %s; expected tens of thousands", len(tags), src)
	}

	byFile := map[string][]ctagsTag{}
	for _, tg := range tags {
		byFile[tg.Path] = append(byFile[tg.Path], tg)
	}
	files := goSources(t, src)
	if len(files) == 0 {
		t.Fatalf("no Go files under %s", src)
	}

	var total, found, tooLarge, syntaxErrFiles int
	var misses []ctagsMiss
	var extra []string // function and method chunks ctags did not report
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > maxIndexedFileSize {
			tooLarge++
			delete(byFile, f)
			continue
		}
		_, chunks, cerr := File(f, b, DefaultOptions)
		if cerr != nil {
			syntaxErrFiles++
		}
		rel, _ := filepath.Rel(src, f)
		for _, tg := range byFile[f] {
			total++
			if reason := matchCtags(tg, chunks); reason != "" {
				if cerr != nil {
					reason += "; file: " + cerr.Error()
				}
				misses = append(misses, ctagsMiss{rel, tg, reason})
				continue
			}
			found++
		}
		for _, c := range chunks {
			if (c.Kind == KindFunction || c.Kind == KindMethod) && !reportedByCtags(c, byFile[f]) {
				extra = append(extra, fmt.Sprintf("%s:%d %s", rel, c.StartLine, c.QualifiedName))
			}
		}
		delete(byFile, f)
	}
	for f := range byFile {
		t.Errorf("ctags reported %s, which the walk of %s did not find", f, src)
	}

	cov := float64(found) / float64(total)
	t.Logf("ctags coverage: %d of %d functions and methods (%.2f%%) in %d files; %d files over %d bytes left out; %d files with syntax errors",
		found, total, 100*cov, len(files)-tooLarge, tooLarge, maxIndexedFileSize, syntaxErrFiles)
	for i, m := range misses {
		if i == 20 {
			t.Logf("... and %d more", len(misses)-20)
			break
		}
		t.Logf("miss %s:%d %s (%s): %s", m.rel, m.tag.Line, m.tag.Name, m.tag.Scope, m.reason)
	}
	// The other direction is for information only: chunks ctags lacks
	// are usually ctags misses, not chunker errors.
	t.Logf("%d function and method chunks have no ctags tag", len(extra))
	for i, e := range extra {
		if i == 10 {
			t.Logf("... and %d more", len(extra)-10)
			break
		}
		t.Logf("not in ctags: %s", e)
	}
	if cov < minCtagsCoverage {
		t.Errorf("coverage %.2f%% is below %.0f%%", 100*cov, 100*minCtagsCoverage)
	}
}

// goSources lists the Go files under src that the comparison covers: no
// tests, nothing under testdata/ or vendor/ (aur's walker skips vendor/
// by default; testdata/ is full of deliberately broken code).
func goSources(t *testing.T, src string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != src && (d.Name() == "testdata" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") && d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// reportedByCtags tells whether a tag of tags has c's name and a line in
// c's range.
func reportedByCtags(c Chunk, tags []ctagsTag) bool {
	for _, tg := range tags {
		if tg.Name == c.Name && c.StartLine <= tg.Line && tg.Line <= c.EndLine {
			return true
		}
	}
	return false
}

// ctagsTag is one line of ctags --output-format=json.
type ctagsTag struct {
	Type      string `json:"_type"`
	Name      string `json:"name"`
	Path      string `json:"path"`
	Pattern   string `json:"pattern"`
	Line      int    `json:"line"`
	Kind      string `json:"kind"`
	Scope     string `json:"scope"`
	ScopeKind string `json:"scopeKind"`
}

type ctagsMiss struct {
	rel    string
	tag    ctagsTag
	reason string
}

// ctagsFuncs runs ctags over src and returns its functions and methods in
// the files aur would chunk: no tests, nothing under testdata/ or vendor/.
//
// In universal-ctags 5.9 the Go kind "m" is a struct member, not a method:
// methods are kind "f" (func) with the receiver type as their scope
// ("pkg.Type", scopeKind struct, type or unknown), functions have the
// package as scope. So only kind f is asked for.
func ctagsFuncs(t *testing.T, ctags, src string) []ctagsTag {
	t.Helper()
	cmd := exec.Command(ctags, "--languages=Go", "--kinds-Go=f", "--fields=+nKs", "--sort=no",
		"--exclude=testdata", "--exclude=vendor", "--exclude=*_test.go",
		"-R", "--output-format=json", "-f", "-", src)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ctags: %v\n%s", err, stderr.String())
	}
	var tags []ctagsTag
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var tg ctagsTag
		if err := json.Unmarshal(sc.Bytes(), &tg); err != nil {
			t.Fatalf("ctags output %q: %v", sc.Text(), err)
		}
		p := filepath.ToSlash(tg.Path)
		if tg.Type != "tag" || tg.Kind != "func" || strings.HasSuffix(p, "_test.go") ||
			strings.Contains(p, "/testdata/") || strings.Contains(p, "/vendor/") {
			continue
		}
		tags = append(tags, tg)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return tags
}

// matchCtags returns "" if a chunk stands for tag, else why none does.
func matchCtags(tg ctagsTag, chunks []Chunk) string {
	want := map[string]bool{}
	for _, r := range ctagsReceivers(tg) {
		want[r+"."+tg.Name] = true
	}
	if len(want) == 0 {
		want[tg.Name] = true
	}
	var named []Chunk
	for _, c := range chunks {
		if (c.Kind == KindFunction || c.Kind == KindMethod) && c.Name == tg.Name {
			named = append(named, c)
		}
	}
	if len(named) == 0 {
		return "no function or method chunk of that name"
	}
	var got []string
	for _, c := range named {
		if c.StartLine <= tg.Line && tg.Line <= c.EndLine {
			if want[looseQualified(c.QualifiedName)] {
				return ""
			}
			got = append(got, c.QualifiedName)
		}
	}
	if len(got) == 0 {
		var ranges []string
		for _, c := range named {
			ranges = append(ranges, fmt.Sprintf("%s %d-%d", c.QualifiedName, c.StartLine, c.EndLine))
		}
		return "no chunk of that name contains the line; chunks: " + strings.Join(ranges, ", ")
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("qualified name %s, want %s", strings.Join(got, " or "), strings.Join(keys, " or "))
}

// recvInPattern finds the receiver type in ctags' search pattern, the
// declaration's first line: "/^func (m *Map[K, V]) Load(" -> "Map".
var recvInPattern = regexp.MustCompile(`^/\^func\s*\(\s*(?:\w+\s+)?\*?\s*(\w+)`)

// ctagsReceivers returns the receiver type names a method tag may have,
// none for a function. ctags' scope is "pkg.Type", but for a generic
// receiver ctags 5.9 scopes the method to the last type parameter
// ("func (m *Map[K, V]) Load" gets scope "pkg.V"), so the receiver read
// from the pattern is accepted too.
func ctagsReceivers(tg ctagsTag) []string {
	if tg.ScopeKind == "" || tg.ScopeKind == "package" {
		return nil
	}
	var rs []string
	if i := strings.LastIndexByte(tg.Scope, '.'); i >= 0 {
		rs = append(rs, looseQualified(tg.Scope[i+1:]))
	} else if tg.Scope != "" {
		rs = append(rs, looseQualified(tg.Scope))
	}
	if m := recvInPattern.FindStringSubmatch(tg.Pattern); m != nil {
		rs = append(rs, m[1])
	}
	return rs
}

// looseQualified drops pointers and type parameters: "*Map[K, V].Load"
// -> "Map.Load".
func looseQualified(s string) string {
	s = strings.ReplaceAll(s, "*", "")
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// goroot is the GOROOT of the go command on PATH, the tree bench/run.sh
// indexes.
func goroot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	r := strings.TrimSpace(string(out))
	if err != nil || r == "" {
		t.Skipf("GOROOT unknown (go env GOROOT: %v)", err)
	}
	return r
}

// TestMatchCtags checks the matching rules on their own, so that the
// coverage figure cannot pass by matching everything.
func TestMatchCtags(t *testing.T) {
	chunks := []Chunk{
		{Kind: KindFunction, Name: "New", QualifiedName: "New", StartLine: 3, EndLine: 9},
		{Kind: KindMethod, Name: "Load", QualifiedName: "Map.Load", StartLine: 11, EndLine: 20},
		{Kind: KindStruct, Name: "Set", QualifiedName: "Set", StartLine: 22, EndLine: 25},
	}
	for _, tc := range []struct {
		name string
		tag  ctagsTag
		ok   bool
	}{
		{"function", ctagsTag{Name: "New", Line: 5, ScopeKind: "package", Scope: "p"}, true},
		{"function outside range", ctagsTag{Name: "New", Line: 10, ScopeKind: "package", Scope: "p"}, false},
		{"method", ctagsTag{Name: "Load", Line: 12, ScopeKind: "struct", Scope: "p.Map"}, true},
		{"method of another type", ctagsTag{Name: "Load", Line: 12, ScopeKind: "struct", Scope: "p.Set"}, false},
		{"method seen as function", ctagsTag{Name: "Load", Line: 12, ScopeKind: "package", Scope: "p"}, false},
		// ctags 5.9 scopes a generic receiver's method to the last type
		// parameter; the receiver in the pattern is right.
		{"generic receiver", ctagsTag{Name: "Load", Line: 12, ScopeKind: "unknown", Scope: "p.V",
			Pattern: "/^func (m *Map[K, V]) Load(key K) (V, bool) {$/"}, true},
		{"type is not a function", ctagsTag{Name: "Set", Line: 22, ScopeKind: "package", Scope: "p"}, false},
		{"unknown name", ctagsTag{Name: "Gone", Line: 5, ScopeKind: "package", Scope: "p"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason := matchCtags(tc.tag, chunks)
			if (reason == "") != tc.ok {
				t.Errorf("matchCtags(%+v) = %q, want match %v", tc.tag, reason, tc.ok)
			}
		})
	}
}
