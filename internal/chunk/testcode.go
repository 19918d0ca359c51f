package chunk

import (
	"path"
	"strings"
)

// IsTestPath reports whether a file holds test code by the conventions of
// its language, so that ranking can put the code under test first:
//
//   - Go: *_test.go, and Go files under testdata/ (the go tool never
//     builds them: they are programs and inputs that tests run)
//   - Python: test_*.py, *_test.py, conftest.py, anything under tests/ or test/
//   - JavaScript/TypeScript: *.test.*, *.spec.*, anything under __tests__/
//   - Java: anything under src/test/, *Test.java, *Tests.java
//   - Rust: anything under tests/ (unit tests in #[cfg(test)] modules are
//     marked by the chunker)
//   - Ruby: anything under spec/ or test/, *_spec.rb, *_test.rb
//   - C/C++: anything under a directory whose name starts with "test"
//
// Directory rules look at every directory of the relative path, so a
// nested package's tests/ counts too. Test data beside tests (testdata/,
// fixtures/) is not test code by these rules, Go's testdata programs
// aside: it is data, searched as such.
func IsTestPath(rel, lang string) bool {
	rel = strings.ReplaceAll(rel, "\\", "/")
	base := path.Base(rel)
	dirs := strings.Split(path.Dir(rel), "/")
	hasDir := func(names ...string) bool {
		for _, d := range dirs {
			for _, n := range names {
				if d == n {
					return true
				}
			}
		}
		return false
	}
	stem := strings.TrimSuffix(base, path.Ext(base))
	switch lang {
	case LangGo:
		return strings.HasSuffix(base, "_test.go") || hasDir("testdata")
	case LangPython:
		return strings.HasPrefix(base, "test_") || strings.HasSuffix(stem, "_test") ||
			base == "conftest.py" || hasDir("tests", "test")
	case LangJavaScript, LangTypeScript, LangTSX:
		return strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") ||
			hasDir("__tests__")
	case LangJava:
		return strings.Contains("/"+rel, "/src/test/") ||
			strings.HasSuffix(stem, "Test") || strings.HasSuffix(stem, "Tests")
	case LangRust:
		return hasDir("tests")
	case LangRuby:
		return hasDir("spec", "test") || strings.HasSuffix(stem, "_spec") || strings.HasSuffix(stem, "_test")
	case LangC, LangCPP:
		for _, d := range dirs {
			if strings.HasPrefix(strings.ToLower(d), "test") {
				return true
			}
		}
		return false
	}
	return false
}
