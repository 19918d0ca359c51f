package llm

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// This file resolves the names a code block gives to dangerous modules,
// functions and paths, so that the rules, which know os.system, also see
// through import os as o; o.system(...). It is pattern matching, not
// parsing: it finds the common spellings of an alias (Python imports and
// assignments, CommonJS and ES imports, Go import names) and rewrites a
// copy of each line with the real names. A name bound anywhere in the
// answer is resolved everywhere in it; an answer is one piece of advice.

// riskyModules are the modules whose aliases are resolved.
var riskyModules = map[string]bool{
	"os": true, "subprocess": true, "builtins": true, "__builtin__": true, "importlib": true,
	"shutil": true, "pty": true, "commands": true, "posix": true, "nt": true, "sys": true,
	"pickle": true, "marshal": true, "ctypes": true, "child_process": true, "exec": true,
}

var aliasPatterns = sync.OnceValue(func() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		// import os as o, subprocess as sp
		"import": regexp.MustCompile(`(?:^|;)\s*import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)`),
		// from os import system as run, popen
		"from": regexp.MustCompile(`\bfrom\s+([\w.]+)\s+import\s+\(?\s*(\w+(?:\s+as\s+\w+)?(?:\s*,\s*\w+(?:\s+as\s+\w+)?)*)`),
		// run = os.system; e = eval; f = getattr(os, "system")
		"assign": regexp.MustCompile(`(?:^|[;\s(])(\w+)\s*(?::=|=)\s*(` +
			`(?:os|subprocess|builtins|__builtins__|shutil|pty|importlib)\.\w+|eval|exec|__import__|` +
			`getattr\(\s*(?:os|subprocess|builtins|__builtins__|shutil|pty)\s*,\s*['"]\w+['"]\s*\))\s*(?:$|[;#])`),
		// home = os.path.expanduser("~"); home, _ := os.UserHomeDir(); const home = os.homedir()
		"home": regexp.MustCompile(`(?:^|[;\s(])(\w+)\s*(?:,\s*\w+\s*)?(?::=|=)\s*(` + homeExpr + `)\s*(?:$|[;#])`),
		// const cp = require('child_process'); import * as cp from 'child_process'
		"require": regexp.MustCompile(`\b(\w+)\s*=\s*require\(\s*['"](?:node:)?child_process['"]\s*\)|\bimport\s+\*\s+as\s+(\w+)\s+from\s+['"](?:node:)?child_process['"]`),
		// const { exec, spawn: sp } = require('child_process'); import { exec as run } from 'child_process'
		"destructure": regexp.MustCompile(`\{([^}]*)\}\s*(?:=\s*require\(|from)\s*['"](?:node:)?child_process['"]`),
		"getattr":     regexp.MustCompile(`getattr\(\s*(\w+)\s*,\s*['"](\w+)['"]`),
		// import sh "os/exec"
		"goimport": regexp.MustCompile(`^\s*(?:import\s+)?(\w+)\s+"os/exec"`),
	}
})

// homeExpr matches an expression for the home directory or the root.
const homeExpr = `os\.path\.expanduser\(\s*['"]~/?['"]\s*\)|(?:pathlib\.)?Path\.home\(\)|os\.UserHomeDir\(\)|` +
	`os\.homedir\(\)|os\.Getenv\("HOME"\)|os\.getenv\(\s*['"]HOME['"]\s*\)|os\.environ\[\s*['"]HOME['"]\s*\]|` +
	`process\.env\.HOME|(?:std::)?env::home_dir\(\)|dirs::home_dir\(\)|Dir\.home|ENV\[\s*['"]HOME['"]\s*\]|` +
	`System\.getProperty\(\s*"user\.home"\s*\)|['"](?:/|~)['"]`

// aliases maps names bound in an answer to what they stand for.
type aliases struct {
	subs []aliasSub
}

type aliasSub struct {
	name string // the alias, which a line must contain for re to match
	re   *regexp.Regexp
	repl string
}

// findAliases collects the aliases bound on the given code lines.
func findAliases(lines []string, code []int) aliases {
	p := aliasPatterns()
	modules := map[string]string{} // alias -> module
	funcs := map[string]string{}   // alias -> module.function or expression
	values := map[string]string{}  // variable -> home or root expression
	for _, i := range code {
		l := lines[i]
		if len(l) > maxScanLine {
			l = l[:maxScanLine]
		}
		if !strings.ContainsAny(l, "=") && !strings.Contains(l, "import") && !strings.Contains(l, `"os/exec"`) {
			continue
		}
		for _, m := range findIf(p["import"], l, "import") {
			for _, part := range strings.Split(m[1], ",") {
				f := strings.Fields(part)
				if len(f) == 3 && f[1] == "as" && riskyModules[f[0]] {
					modules[f[2]] = f[0]
				}
			}
		}
		for _, m := range findIf(p["from"], l, "from") {
			if !riskyModules[m[1]] {
				continue
			}
			for _, part := range strings.Split(m[2], ",") {
				f := strings.Fields(part)
				switch {
				case len(f) == 1:
					funcs[f[0]] = m[1] + "." + f[0]
				case len(f) == 3 && f[1] == "as":
					funcs[f[2]] = m[1] + "." + f[0]
				}
			}
		}
		for _, m := range findIf(p["assign"], l, "os.", "subprocess.", "builtins", "eval", "exec", "__import__", "getattr", "shutil.", "pty.", "importlib.") {
			target := m[2]
			if strings.HasPrefix(target, "getattr") {
				g := p["getattr"].FindStringSubmatch(target)
				target = g[1] + "." + g[2]
			}
			if m[1] != target {
				funcs[m[1]] = target
			}
		}
		for _, m := range findIf(p["home"], l, "home", "HOME", "Home", `"/"`, `'/'`, `"~"`, `'~'`) {
			values[m[1]] = m[2]
		}
		for _, m := range findIf(p["require"], l, "child_process") {
			modules[m[1]+m[2]] = "child_process"
		}
		for _, m := range findIf(p["destructure"], l, "child_process") {
			for _, part := range strings.Split(m[1], ",") {
				name, local, found := strings.Cut(part, ":")
				if !found {
					name, local, found = strings.Cut(part, " as ")
				}
				name, local = strings.TrimSpace(name), strings.TrimSpace(local)
				if !found {
					local = name
				}
				if isIdent(name) && isIdent(local) {
					funcs[local] = "child_process." + name
				}
			}
		}
		if m := p["goimport"].FindStringSubmatch(l); m != nil && m[1] != "exec" && m[1] != "_" {
			modules[m[1]] = "exec"
		}
	}
	var a aliases
	for _, name := range sortedKeys(modules) {
		if name != modules[name] {
			a.subs = append(a.subs, aliasSub{name, regexp.MustCompile(`(^|[^\w.])` + regexp.QuoteMeta(name) + `\.`), "${1}" + modules[name] + "."})
		}
	}
	for _, name := range sortedKeys(funcs) {
		a.subs = append(a.subs, aliasSub{name, regexp.MustCompile(`(^|[^\w.])` + regexp.QuoteMeta(name) + `(\s*\()`), "${1}" + funcs[name] + "${2}"})
	}
	for _, name := range sortedKeys(values) {
		// Only as a whole argument: shutil.rmtree(home), rm -rf "$home".
		a.subs = append(a.subs, aliasSub{name, regexp.MustCompile(`(\(\s*)` + regexp.QuoteMeta(name) + `(\s*[,)])`), "${1}" + values[name] + "${2}"})
		a.subs = append(a.subs, aliasSub{name, regexp.MustCompile(`(\s)"?\$\{?` + regexp.QuoteMeta(name) + `\}?"?(\s|$)`), "${1}$$HOME${2}"})
	}
	return a
}

// resolve rewrites line with the real names of its aliases.
func (a aliases) resolve(line string) string {
	for _, s := range a.subs {
		if hasName(line, s.name) {
			line = s.re.ReplaceAllString(line, s.repl)
		}
	}
	return line
}

// findIf runs re on l if l holds one of the substrings re needs.
func findIf(re *regexp.Regexp, l string, needs ...string) [][]string {
	for _, n := range needs {
		if strings.Contains(l, n) {
			return re.FindAllStringSubmatch(l, -1)
		}
	}
	return nil
}

// hasName reports whether name occurs in line not preceded by a word
// character or a dot: the cheap test before an alias's regexp.
func hasName(line, name string) bool {
	for i := 0; ; {
		j := strings.Index(line[i:], name)
		if j < 0 {
			return false
		}
		j += i
		if j == 0 || !isWordByte(line[j-1]) && line[j-1] != '.' {
			return true
		}
		i = j + 1
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
