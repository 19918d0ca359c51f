package llm

import (
	"regexp"
	"strings"
	"sync"
)

// scanRules are the patterns ScanCode looks for: the production guide's
// list (os.system, subprocess, eval(, exec(, __import__) widened to the
// families of commands that do harm when pasted into a terminal:
//
//   - shell destruction: recursive deletes of the root, a top-level
//     directory, the home directory or an unguarded "$VAR/" (which is / when
//     VAR is empty), find / -delete, disk formatting and overwriting;
//   - pipe-to-interpreter: a download or a base64 decode piped into a shell,
//     Python, Perl, Ruby, Node, PHP or PowerShell's iex, or run through
//     $(...) or <(...);
//   - reverse shells: nc -e, /dev/tcp redirections, socat exec:, mkfifo and
//     nc, pty.spawn;
//   - dynamic code: eval, exec, compile(..., "exec"), __import__,
//     importlib.import_module, builtins.eval, getattr(os, "system"),
//     Function(...), PowerShell Invoke-Expression and -EncodedCommand, and
//     the aliases a block gives them (see aliases);
//   - recursive deletes of the home or root directory through a language
//     API (shutil.rmtree, os.RemoveAll, fs.rmSync, remove_dir_all, ...).
//
// They match text, not syntax, so they err toward reporting: the point is
// to make the user look before running generated code, not to prove it
// safe. What they leave alone is as deliberate: method calls named eval
// or exec (model.eval() in PyTorch, regex.exec() in JavaScript), names
// that merely start with one (evaluate(), execute()), eval in a string or
// a comment, deletes of relative or deep paths (rm -rf ./build,
// rm -rf /tmp/x), downloads piped to a non-interpreter (curl | jq,
// curl | tar) or to an interpreter running a named program (curl |
// python3 -m json.tool), and shell eval of local tools (eval
// "$(ssh-agent -s)").
//
// The rules are compiled on first use, not at start-up.
var scanRules = sync.OnceValue(func() []scanRule {
	re := regexp.MustCompile
	return []scanRule{
		// Running commands and code.
		{name: "os-system", hint: []string{"os.system"}, desc: "runs a shell command", sev: SeverityHigh, code: true,
			re: re(`\bos\.system\b`)},
		{name: "os-popen-exec", hint: []string{"os."}, desc: "runs a process or replaces this one", sev: SeverityHigh, code: true,
			re: re(`\bos\.(?:popen|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?)\b`)},
		{name: "subprocess", hint: []string{"subprocess.", "commands."}, desc: "runs a process", sev: SeverityHigh, code: true,
			re: re(`\bsubprocess\.[A-Za-z_]+\s*\(|\bcommands\.getoutput\s*\(`)},
		{name: "shell-call", hint: []string{"system", "popen", "shell_exec", "passthru", "proc_open"}, desc: "runs a shell command (C, PHP, Ruby, Perl)", sev: SeverityHigh, code: true,
			re:  re(`(?:^|[^\w.$>:-])(?:system|popen|shell_exec|passthru|proc_open)\s*\(`),
			not: re(`\b(?:def|func|function|fn|void|int|char|static|public|private)\s+(?:system|popen)\s*\(`)},
		{name: "eval", hint: []string{"eval"}, desc: "evaluates a string as code", sev: SeverityHigh, code: true,
			re: re(`(?:^|[^\w.$])eval\s*\(|\b(?:window|globalThis|global|self)\.eval\s*\(|\(\s*0\s*,\s*eval\s*\)`)},
		{name: "exec", hint: []string{"exec"}, desc: "executes a string as code", sev: SeverityHigh, code: true,
			re: re(`(?:^|[^\w.$])exec\s*\(`)},
		{name: "compile-exec", hint: []string{"compile"}, desc: "compiles a string as code to run", sev: SeverityHigh,
			re: re(`(?:^|[^\w.])compile\s*\([^\n]*['"]exec['"]`)},
		{name: "dunder-import", hint: []string{"__import__"}, desc: "imports a module named at run time", sev: SeverityHigh, code: true,
			re: re(`\b__import__\s*\(`)},
		{name: "builtins-eval", hint: []string{"builtin", "getattr", "sys.modules"}, desc: "evaluates code through the builtins module", sev: SeverityHigh,
			re: re(`\b(?:builtins|__builtins__|__builtin__)\s*(?:\.\s*|\[\s*['"])(?:eval|exec|compile|__import__)\b|` +
				`\bgetattr\s*\(\s*(?:builtins|__builtins__|__builtin__|os|subprocess|pty|importlib|sys\.modules\[[^\]]*\])\s*,\s*['"](?:eval|exec|compile|__import__|system|popen|spawn\w*|exec\w*|call|run|Popen|check_output|check_call|getoutput|import_module)['"]|` +
				`\bsys\.modules\s*\[\s*['"](?:os|subprocess|builtins|pty|shutil|posix|nt)['"]\s*\]`)},
		{name: "import-module", hint: []string{"import_module"}, desc: "imports a dangerous module by name", sev: SeverityHigh,
			re: re(`\bimport_module\s*\(\s*['"](?:os|subprocess|pty|builtins|shutil|ctypes|posix|nt|commands|sys|socket)['"]`)},
		{name: "dynamic-import", hint: []string{"import_module"}, desc: "imports a module named at run time", sev: SeverityMedium,
			re: re(`\bimport_module\s*\(\s*[^'")\s]`)},
		{name: "js-function", hint: []string{"function", "vm.run", "settimeout", "setinterval"}, desc: "compiles a string into a function or runs it in a VM", sev: SeverityHigh, code: true,
			re: re(`\bnew\s+Function\s*\(|(?:^|[^\w.])Function\s*\(\s*['"\x60][^)]*\)\s*\(|\bvm\.runIn(?:New|This)?Context\s*\(|\bset(?:Timeout|Interval)\s*\(\s*['"\x60]`)},
		{name: "kernel-exec", hint: []string{"kernel.", "%x"}, desc: "runs a command or code (Ruby)", sev: SeverityHigh, code: true,
			re: re(`\bKernel\.(?:system|exec|spawn|eval|open)\b|%x[({\[]`)},
		{name: "child-process", hint: []string{"child_process", "cp."}, desc: "runs a shell command (Node.js)", sev: SeverityHigh,
			re: re(`\b(?:child_process|cp)\.(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)\s*\(|require\(\s*['"](?:node:)?child_process['"]\s*\)|\bfrom\s+['"](?:node:)?child_process['"]`)},
		{name: "runtime-exec", hint: []string{"getruntime", "processbuilder"}, desc: "runs a process (Java)", sev: SeverityHigh, code: true,
			re: re(`\bRuntime\.getRuntime\(\)\s*\.exec\s*\(|\bnew\s+ProcessBuilder\s*\(`)},
		{name: "go-shell", hint: []string{"exec.command", "syscall.exec"}, desc: "runs a shell command (Go)", sev: SeverityHigh,
			re: re(`\bexec\.Command(?:Context)?\s*\([^)]*"(?:/usr)?(?:/bin/)?(?:ba|z|da)?sh"\s*,\s*"-c"|\bsyscall\.Exec\s*\(`)},
		{name: "pty-spawn", hint: []string{"pty.spawn", "dup2"}, desc: "spawns an interactive shell (reverse shell)", sev: SeverityHigh,
			re: re(`\bpty\.spawn\s*\(|\bos\.dup2\s*\(\s*\w+\.fileno\(\)`)},
		{name: "powershell-iex", hint: []string{"iex", "invoke-expression", "scriptblock"}, desc: "evaluates a string as PowerShell code", sev: SeverityHigh,
			re:  re(`(?i)\|\s*(?:iex|invoke-expression)\b|\b(?:iex|invoke-expression)\s*[($"'@]|\binvoke-expression\b|&\s*\(\s*\[scriptblock\]::create`),
			not: re(`(?i)^\s*iex\(\d+\)>`)}, // Elixir's iex prompt
		{name: "powershell-encoded", hint: []string{"powershell", "pwsh"}, desc: "runs hidden (encoded) PowerShell", sev: SeverityHigh,
			re: re(`(?i)\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]*\s-(?:e|ec|en|enc|enco|encod|encodedcommand)\s+["']?[A-Za-z0-9+/=]{8,}`)},

		// Shell destruction.
		{name: "rm-rf", hint: []string{"rm"}, desc: "deletes the root, a system or the home directory recursively", sev: SeverityHigh, fn: dangerousRm},
		{name: "find-delete", hint: []string{"find"}, desc: "deletes files under the root or home directory", sev: SeverityHigh, fn: dangerousFind},
		{name: "recursive-chown-root", hint: []string{"chown", "chmod", "chgrp"}, desc: "changes owner or mode of the whole file system", sev: SeverityHigh,
			re: re(`\bch(?:own|mod|grp)\b[^;&|\n]*\s-[a-zA-Z]*R[^;&|\n]*\s["']?(?:/|/\*|~/?|\$HOME/?)["']?(?:\s|$|[;&|])`)},
		{name: "windows-delete", hint: []string{"rd", "del", "format", "clear-disk"}, desc: "deletes a drive or the profile recursively (Windows)", sev: SeverityHigh,
			re: re(`(?i)\b(?:rd|rmdir)\s+(?:/[sq]\s+)*["']?[a-z]:\\?\*?["']?\s*$|\bdel\s+(?:/[fsqa]\s+)*["']?[a-z]:\\\*?|\bformat\s+[a-z]:|\b(?:Format-Volume|Clear-Disk)\b`)},
		{name: "powershell-delete", hint: []string{"-r"}, desc: "deletes a drive or the profile recursively (PowerShell)", sev: SeverityHigh,
			re:  re(`(?i)\b(?:remove-item|ri|rm|del|rmdir)\b[^\n;|]*\s["']?(?:[a-z]:\\?\*?|~[\\/]?|\$home|\$env:(?:userprofile|systemroot|homepath|homedrive))["']?(?:\s|$)`),
			and: re(`(?i)\s-r(?:ecurse|ecurs|ecur|ecu|ec|e)?\b`)},
		{name: "delete-root", hint: []string{"rmtree", "removeall", "remove_dir_all", "fs.", "rimraf", "fileutils", "directory.delete"}, desc: "deletes the root or home directory tree", sev: SeverityHigh,
			re: re(`(?:\b(?:shutil\.)?rmtree|\b(?:os\.)?RemoveAll|\bremove_dir_all|\bfs\.(?:rmSync|rmdirSync|rm|rmdir|remove|removeSync|emptyDirSync|emptyDir)|\brimraf(?:\.sync)?|` +
				`\bFileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry|deleteDirectory)|\bDirectory\.Delete|\bPath\.rmtree)\s*\(\s*(?:new\s+File\(\s*)?(?:` + homeExpr + `|['"\x60](?:/\*?|~/?\*?|\$HOME/?|[A-Za-z]:\\\\?|/(?:home|usr|etc|var|bin|lib|opt|root|Users|boot))['"\x60])\s*[,)]`)},
		{name: "disk-overwrite", hint: []string{"/dev/"}, desc: "overwrites or formats a disk", sev: SeverityHigh,
			re: re(`\bmkfs(?:\.\w+)?\s+(?:-\S+\s+)*/dev/|\bdd\b[^\n]*\bof=/dev/(?:sd|nvme|hd|disk|xvd|vd|mmcblk)|>\s*/dev/(?:sd[a-z]|nvme\d|hd[a-z]|xvd[a-z]|vd[a-z]|mmcblk\d|disk\d)|` +
				`\b(?:shred|wipefs)\b[^\n]*\s/dev/(?:sd|nvme|hd|disk|xvd|vd|mmcblk)`)},
		{name: "fork-bomb", hint: []string{":("}, desc: "exhausts processes", sev: SeverityHigh, re: re(`:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:`)},

		// Pipe to an interpreter.
		{name: "pipe-to-shell", hint: []string{"curl", "wget", "fetch", "iwr", "irm", "invoke-"}, desc: "runs a script downloaded from the network", sev: SeverityHigh,
			re: re(`(?i)\b(?:curl|wget|fetch|iwr|irm|invoke-webrequest|invoke-restmethod)\b[^\n]*\|\s*` + interpreterSink + `|` +
				`(?:\b(?:ba|z|k|da)?sh|\bpython[\d.]*|\bperl|\bruby|\bnode|\bphp|\beval|\bsource|(?:^|\s)\.)\s+(?:-\w+\s+)*["']?(?:\$\(|\x60|<\()\s*(?:curl|wget|fetch)\b|` +
				`<\(\s*(?:curl|wget|fetch)\b`)},
		{name: "decode-to-shell", hint: []string{"base64", "xxd", "uudecode", "certutil"}, desc: "runs a hidden (encoded) script", sev: SeverityHigh,
			re: re(`(?i)\b(?:base64\s+(?:-\w*[dD]\w*|--decode)|openssl\s+(?:enc\s+-)?base64\s+(?:-\S+\s+)*-d|xxd\s+(?:-\w+\s+)*-r|uudecode|certutil\s+-decode)\b[^\n]*\|\s*` + interpreterSink + `|` +
				`(?:\b(?:ba|z|k|da)?sh|\bpython[\d.]*|\bperl|\beval)\s+(?:-\w+\s+)*["']?(?:\$\(|\x60)[^)\n\x60]*\bbase64\s+(?:-\w*[dD]\w*|--decode)`)},

		// Reverse shells.
		{name: "reverse-shell", hint: []string{"nc", "netcat", "/dev/", "sh -i", "mkfifo", "socat", "/inet/", "telnet"}, desc: "connects a shell to a remote host (reverse shell)", sev: SeverityHigh,
			re: re(`\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd)\b[^\n|;]*\s(?:-[a-zA-Z]*[ec]\s|--exec\b|--sh-exec\b|--lua-exec\b)|` +
				`(?:>&|&>|<>|0<&|<&|>)\s*/dev/(?:tcp|udp)/[^\n]*(?:\d>&\d|<&\d|0<&)|(?:>&|&>|<>)\s*/dev/(?:tcp|udp)/|` +
				`\b(?:ba|z|da)?sh\s+-i\b[^\n]*(?:[<>]&\s*\d|\|\s*(?:nc|ncat|netcat|telnet|openssl)\b)|` +
				`\bmkfifo\b[^\n]*\b(?:nc|ncat|netcat|telnet|openssl\s+s_client)\b|` +
				`(?i)\bsocat\b[^\n]*\b(?:exec|system):|/inet/(?:tcp|udp)/|` +
				`\btelnet\b[^\n]*\|\s*(?:/bin/)?(?:ba)?sh\b`)},

		// Weakening security.
		{name: "chmod-777", hint: []string{"777", "rwx"}, desc: "makes files writable by everyone", sev: SeverityMedium,
			re: re(`\bchmod\s+(?:-\w+\s+)*(?:0?777|a\+rwx|ugo\+rwx)\b|\b(?:os\.)?[Cc]hmod\s*\([^)]*\b0o?777\b`)},
		{name: "pickle-load", hint: []string{"pickle", "marshal", "dill", "yaml."}, desc: "unpickling untrusted data runs code", sev: SeverityMedium, code: true,
			re: re(`\b(?:pickle|cPickle|dill|marshal)\.loads?\s*\(|\byaml\.load\s*\([^)]*Loader\s*=\s*yaml\.(?:Unsafe)?Loader\b|\byaml\.unsafe_load\s*\(`)},
		{name: "sql-drop", hint: []string{"drop"}, desc: "SQL that drops a table, as in an injection payload", sev: SeverityMedium,
			re: re(`(?i);\s*drop\s+(?:table|database)\b`)},
	}
})

// interpreterSink matches, after a pipe, a program that runs what it reads
// on its standard input as code: a shell, Python, Perl, Ruby, Node, PHP,
// Lua, PowerShell (or iex), optionally under sudo or env, with only
// option flags after it (an interpreter given a script or a module, as in
// python3 -m json.tool, reads its input as data), or with -s, whose
// following arguments go to the script.
const interpreterSink = `(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+(?:\w+=\S*\s+)*)?(?:\S*/)?` +
	`(?:(?:ba|z|k|da|fi|c|tc|a)?sh|python[\d.]*|py|perl|ruby|node|nodejs|php|lua|pwsh|powershell(?:\.exe)?|iex|invoke-expression)` +
	`(?:\s+-[A-Za-z]*s[A-Za-z]*\b[^\n]*|(?:\s+-[A-Za-z]+)*(?:\s+-)?\s*(?:$|[;&|)#]|--(?:\s|$)))`

// rmStart finds an rm command: the word rm, not part of a flag (docker
// run --rm) or a path.
var rmStart = regexp.MustCompile(`(?:^|[^\w\-./])rm\s`)

// findStart finds a find command, findRm its deleting action.
var (
	findStart = regexp.MustCompile(`(?:^|[^\w\-./])find\s`)
	findRm    = regexp.MustCompile(`-exec(?:dir)?\s+(?:sudo\s+)?rm\b|\|\s*(?:sudo\s+)?xargs\s+[^\n|;]*\brm\b`)
)

// dangerousRm reports an rm that deletes recursively a root, top-level,
// home or empty-variable path, or that asks for --no-preserve-root.
func dangerousRm(line string) bool {
	for _, loc := range rmStart.FindAllStringIndex(line, -1) {
		args := shellWords(line[loc[1]:])
		recursive, targets := false, []string{}
		opts := true
		for _, a := range args {
			switch {
			case opts && a == "--":
				opts = false
			case opts && a == "--no-preserve-root":
				return true
			case opts && (a == "--recursive" || a == "-r" || a == "-R"):
				recursive = true
			case opts && strings.HasPrefix(a, "--"):
			case opts && strings.HasPrefix(a, "-") && len(a) > 1:
				recursive = recursive || strings.ContainsAny(a[1:], "rR")
			default:
				targets = append(targets, a)
			}
		}
		if !recursive {
			continue
		}
		for _, t := range targets {
			if dangerousTarget(t) {
				return true
			}
		}
	}
	return false
}

// dangerousFind reports a find that starts at a dangerous path and
// deletes what it finds (-delete, -exec rm, | xargs rm).
func dangerousFind(line string) bool {
	for _, loc := range findStart.FindAllStringIndex(line, -1) {
		rest := line[loc[1]:]
		if !strings.Contains(rest, "-delete") && !findRm.MatchString(rest) {
			continue
		}
		for _, a := range shellWords(rest) {
			if a == "-H" || a == "-L" || a == "-P" {
				continue
			}
			if strings.HasPrefix(a, "-") || a == "(" || a == "!" {
				break
			}
			if dangerousTarget(a) {
				return true
			}
		}
	}
	return false
}

// shellWords splits a command's arguments, up to the end of the command
// (; & | ) or a backtick), on spaces, dropping quotes. It is not a shell
// parser: enough to see an rm's flags and paths.
func shellWords(s string) []string {
	if i := strings.IndexAny(s, ";&|)`\n"); i >= 0 {
		s = s[:i]
	}
	var out []string
	for _, f := range strings.Fields(s) {
		f = unquote.Replace(f)
		f = strings.TrimRight(f, ",")
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

var unquote = strings.NewReplacer(`"`, "", `'`, "")

// topLevel are the directories directly under / whose loss breaks a
// system or loses a home; a path of one of them or their contents
// (/usr, /usr/*, /home/) is dangerous.
var topLevel = map[string]bool{
	"bin": true, "boot": true, "dev": true, "etc": true, "home": true, "lib": true, "lib32": true, "lib64": true,
	"libx32": true, "media": true, "mnt": true, "opt": true, "proc": true, "root": true, "run": true, "sbin": true,
	"srv": true, "sys": true, "usr": true, "var": true, "Users": true, "System": true, "Library": true,
	"Applications": true, "Volumes": true, "private": true,
}

var (
	homeTarget  = regexp.MustCompile(`^(?:~\w*|\$HOME|\$\{HOME\}|\$USERPROFILE|%USERPROFILE%)(?:/\*?|/\.\*)?$`)
	emptyVarDir = regexp.MustCompile(`^\$\{?\w+\}?/\*?$`) // "$DIR/" or "$DIR"/*: the root when DIR is empty
)

// dangerousTarget reports whether an rm or find path (quotes removed) is
// the root, a top-level system directory, the home directory, a path that
// is the root when a variable is empty, or .. or .* (which once matched
// ..).
func dangerousTarget(t string) bool {
	switch {
	case t == "/" || t == "/*" || t == "/." || t == "//" || t == "/.*" || t == ".." || t == "../" || t == ".*":
		return true
	case homeTarget.MatchString(t), emptyVarDir.MatchString(t):
		return true
	case strings.HasPrefix(t, "/"):
		p := strings.TrimSuffix(strings.TrimSuffix(strings.Trim(t, "/"), "/*"), "*")
		return !strings.Contains(strings.TrimSuffix(p, "/"), "/") && topLevel[strings.TrimSuffix(p, "/")]
	}
	return false
}
