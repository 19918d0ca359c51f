package llm

import (
	"regexp"
	"strings"
	"sync"
)

// Severity of a Finding.
type Severity string

const (
	// SeverityHigh marks code that runs arbitrary commands or code, or
	// destroys data, if the user runs it.
	SeverityHigh Severity = "high"
	// SeverityMedium marks code that is dangerous with untrusted input or
	// weakens security (deserialisation, world-writable files, SQL that
	// looks like an injection).
	SeverityMedium Severity = "medium"
)

// Finding is a dangerous-looking line in a code block of an answer.
type Finding struct {
	Pattern     string   `json:"pattern"` // the rule's name, e.g. "pipe-to-shell"
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	Line        int      `json:"line"`    // 1-based line of the answer
	Snippet     string   `json:"snippet"` // the line, trimmed and cut to 120 bytes
}

type scanRule struct {
	name, desc string
	sev        Severity
	re         *regexp.Regexp
}

// scanRules are the patterns ScanCode looks for: the production guide's
// list (os.system, subprocess, eval(, exec(, __import__) widened to the
// shell and other languages. They match text, not syntax, so they err
// toward reporting: the point is to make the user look before running
// generated code, not to prove it safe. Method calls named eval/exec
// (model.eval() in PyTorch, regex.exec() in JavaScript) are deliberately
// not matched.
// scanRules are compiled on first use, not at start-up.
var scanRules = sync.OnceValue(func() []scanRule {
	return []scanRule{
		{"os-system", "runs a shell command", SeverityHigh, regexp.MustCompile(`\bos\.system\s*\(`)},
		{"os-popen-exec", "runs a process or replaces this one", SeverityHigh, regexp.MustCompile(`\bos\.(?:popen|exec[lv]p?e?|spawn[lv]p?e?)\s*\(`)},
		{"subprocess", "runs a process", SeverityHigh, regexp.MustCompile(`\bsubprocess\.[A-Za-z_]+\s*\(`)},
		{"eval", "evaluates a string as code", SeverityHigh, regexp.MustCompile(`(?:^|[^\w.$])eval\s*\(`)},
		{"exec", "executes a string as code", SeverityHigh, regexp.MustCompile(`(?:^|[^\w.$])exec\s*\(`)},
		{"dunder-import", "imports a module named at run time", SeverityHigh, regexp.MustCompile(`\b__import__\s*\(`)},
		{"child-process", "runs a shell command (Node.js)", SeverityHigh, regexp.MustCompile(`\b(?:child_process|cp)\.(?:exec|execSync|spawn|spawnSync|execFile)\s*\(|require\(\s*['"]child_process['"]\s*\)`)},
		{"runtime-exec", "runs a process (Java)", SeverityHigh, regexp.MustCompile(`\bRuntime\.getRuntime\(\)\s*\.exec\s*\(`)},
		{"go-shell", "runs a shell command (Go)", SeverityHigh, regexp.MustCompile(`\bexec\.Command(?:Context)?\s*\([^)]*"(?:ba|z)?sh"\s*,\s*"-c"`)},
		{"rm-rf", "deletes files recursively without asking", SeverityHigh, regexp.MustCompile(`\brm\s+(?:-[A-Za-z]*(?:r[A-Za-z]*f|f[A-Za-z]*r)[A-Za-z]*|-[rR]\s+-f|-f\s+-[rR]|--recursive\s+--force|--force\s+--recursive)\b`)},
		{"delete-root", "deletes the root or home directory tree", SeverityHigh, regexp.MustCompile(`\bos\.RemoveAll\s*\(\s*(?:"/"|"~"|os\.Getenv\("HOME"\)|os\.UserHomeDir)|\bshutil\.rmtree\s*\(\s*['"](?:/|~)['"]`)},
		{"pipe-to-shell", "runs a script downloaded from the network", SeverityHigh, regexp.MustCompile(`\b(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|k|da|fi)?sh\b|\b(?:ba|z)?sh\s+(?:-c\s+)?["']?\$\(\s*(?:curl|wget)\b|<\(\s*(?:curl|wget)\b`)},
		{"fork-bomb", "exhausts processes", SeverityHigh, regexp.MustCompile(`:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:`)},
		{"disk-overwrite", "overwrites or formats a disk", SeverityHigh, regexp.MustCompile(`\bmkfs(?:\.\w+)?\s+/dev/|\bdd\b[^\n]*\bof=/dev/(?:sd|nvme|hd|disk|xvd)|>\s*/dev/(?:sd[a-z]|nvme\d)`)},
		{"chmod-777", "makes files writable by everyone", SeverityMedium, regexp.MustCompile(`\bchmod\s+(?:-\w+\s+)*(?:0?777|a\+rwx|ugo\+rwx)\b|\b(?:os\.)?[Cc]hmod\s*\([^)]*\b0o?777\b`)},
		{"pickle-load", "unpickling untrusted data runs code", SeverityMedium, regexp.MustCompile(`\b(?:pickle|cPickle|dill|marshal)\.loads?\s*\(`)},
		{"sql-drop", "SQL that drops a table, as in an injection payload", SeverityMedium, regexp.MustCompile(`(?i);\s*drop\s+(?:table|database)\b`)},
	}
})

// maxSnippet bounds Finding.Snippet.
const maxSnippet = 120

// ScanCode returns the dangerous-looking lines in answer's fenced code
// blocks (see scanRules for what is looked for), in line order, each rule
// at most once per line. Prose is not scanned: an answer may explain why
// eval( is dangerous. Whether to scan (AURORA_ENABLE_SECURITY_SCAN, on by
// default) and what to do with findings is the caller's choice.
func ScanCode(answer string) []Finding {
	lines := strings.Split(answer, "\n")
	kinds := classifyLines(lines)
	var out []Finding
	for i, line := range lines {
		if kinds[i] != codeLine {
			continue
		}
		for _, r := range scanRules() {
			if r.re.MatchString(line) {
				out = append(out, Finding{
					Pattern: r.name, Description: r.desc, Severity: r.sev,
					Line: i + 1, Snippet: shorten(Redact(strings.TrimSpace(line)), maxSnippet),
				})
			}
		}
	}
	return out
}
