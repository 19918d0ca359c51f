package chunk

import "testing"

func TestIsTestPath(t *testing.T) {
	for _, c := range []struct {
		path, lang string
		want       bool
	}{
		{"net/http/client_test.go", LangGo, true},
		{"net/http/client.go", LangGo, false},
		{"net/http/internal/testcert/testcert.go", LangGo, false},
		{"runtime/testdata/testprog/preempt.go", LangGo, true},
		{"go/doc/testdata/a.txt", LangText, false},
		{"src/requests/models.py", LangPython, false},
		{"tests/test_requests.py", LangPython, true},
		{"pkg/test_utils.py", LangPython, true},
		{"pkg/utils_test.py", LangPython, true},
		{"conftest.py", LangPython, true},
		{"lib/test/support/__init__.py", LangPython, true},
		{"lib/testing.py", LangPython, false},
		{"src/app.test.ts", LangTypeScript, true},
		{"src/app.spec.js", LangJavaScript, true},
		{"src/__tests__/app.tsx", LangTSX, true},
		{"src/app.ts", LangTypeScript, false},
		{"src/latest.js", LangJavaScript, false},
		{"core/src/test/java/a/FooTest.java", LangJava, true},
		{"core/src/main/java/a/Foo.java", LangJava, false},
		{"core/src/main/java/a/FooTests.java", LangJava, true},
		{"core/src/main/java/a/Contest.java", LangJava, false},
		{"tests/integration.rs", LangRust, true},
		{"src/lib.rs", LangRust, false},
		{"spec/models/user_spec.rb", LangRuby, true},
		{"lib/user.rb", LangRuby, false},
		{"tests/unit/parse.c", LangC, true},
		{"testing/fixture.cpp", LangCPP, true},
		{"src/parse.c", LangC, false},
		{"docs/testing.md", LangMarkdown, false},
	} {
		if got := IsTestPath(c.path, c.lang); got != c.want {
			t.Errorf("IsTestPath(%q, %q) = %v, want %v", c.path, c.lang, got, c.want)
		}
	}
}
