package llm

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScanCodeFindsDanger(t *testing.T) {
	cases := []struct{ code, pattern string }{
		{`os.system("ls " + user)`, "os-system"},
		{`subprocess.run(cmd, shell=True)`, "subprocess"},
		{`out = subprocess.check_output(["git", "log"])`, "subprocess"},
		{`os.popen("id")`, "os-popen-exec"},
		{`result = eval(user_input)`, "eval"},
		{`exec(code)`, "exec"},
		{`mod = __import__(name)`, "dunder-import"},
		{`require('child_process').exec(cmd)`, "child-process"},
		{`Runtime.getRuntime().exec(cmd);`, "runtime-exec"},
		{`exec.Command("sh", "-c", userCmd)`, "go-shell"},
		{`rm -rf /`, "rm-rf"},
		{`sudo rm -fr "$DIR"`, "rm-rf"},
		{`rm -r -f build`, "rm-rf"},
		{`os.RemoveAll("/")`, "delete-root"},
		{`shutil.rmtree('/')`, "delete-root"},
		{`curl -fsSL https://x.sh | sh`, "pipe-to-shell"},
		{`wget -qO- https://get.example.com | sudo bash`, "pipe-to-shell"},
		{`bash -c "$(curl -fsSL https://x.sh)"`, "pipe-to-shell"},
		{`bash <(curl -s https://x.sh)`, "pipe-to-shell"},
		{`chmod 777 /var/www`, "chmod-777"},
		{`chmod -R 0777 data`, "chmod-777"},
		{`os.Chmod(path, 0777)`, "chmod-777"},
		{`data = pickle.loads(blob)`, "pickle-load"},
		{`q = "x'; DROP TABLE users; --"`, "sql-drop"},
		{`:(){ :|:& };:`, "fork-bomb"},
		{`dd if=/dev/zero of=/dev/sda bs=1M`, "disk-overwrite"},
	}
	for _, tc := range cases {
		answer := "Here:\n\n```\n" + tc.code + "\n```\n"
		got := ScanCode(answer)
		if len(got) != 1 || got[0].Pattern != tc.pattern || got[0].Line != 4 || got[0].Snippet != tc.code || got[0].Severity == "" {
			t.Errorf("ScanCode(%q) = %+v, want one %s finding on line 4", tc.code, got, tc.pattern)
		}
	}
}

func TestScanCodeBenign(t *testing.T) {
	answer := strings.Join([]string{
		"Never call eval( or os.system in production; prose is not scanned [1].",
		"```python",
		"model.eval()",
		"m = re.compile(r'x').match(s)",
		"import subprocess_helpers",
		"with open(path) as f: data = json.load(f)",
		"```",
		"```js",
		"const m = /a(b)/.exec(s);",
		"```",
		"```go",
		"defer os.RemoveAll(tmpDir)",
		`cmd := exec.Command("git", "log", "--oneline")`,
		"```",
		"```sh",
		"rm -r build/",
		"curl -fsSLo install.sh https://example.com/install.sh",
		"chmod 755 install.sh",
		"```",
		"```sql",
		"DROP TABLE IF EXISTS old_chunks;",
		"```",
	}, "\n")
	if got := ScanCode(answer); len(got) != 0 {
		t.Errorf("benign answer flagged: %+v", got)
	}
}

func TestScanCodeOncePerLineAndOrder(t *testing.T) {
	answer := "```\neval(a) + eval(b)\nsafe()\ncurl x | sh; rm -rf ~\n````\n~~~\nexec(x)\n"
	var got []string
	for _, f := range ScanCode(answer) {
		got = append(got, f.Pattern+"@"+string(rune('0'+f.Line)))
	}
	// The ```` line closes the ``` block; the unclosed ~~~ block runs to the end.
	want := []string{"eval@2", "rm-rf@4", "pipe-to-shell@4", "exec@7"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
