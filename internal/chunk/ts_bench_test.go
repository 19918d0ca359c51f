package chunk

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// pythonStdlib returns the .py files of the local Python standard library,
// or skips when there is no python3.
func pythonStdlib(b *testing.B) (files []string, srcs [][]byte, size int64) {
	out, err := exec.Command("python3", "-c", `import sysconfig;print(sysconfig.get_paths()["stdlib"])`).Output()
	if err != nil {
		b.Skipf("no python3: %v", err)
	}
	root := strings.TrimSpace(string(out))
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == "site-packages" || d.Name() == "__pycache__") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".py") {
			src, err := os.ReadFile(p)
			if err == nil {
				files, srcs, size = append(files, p), append(srcs, src), size+int64(len(src))
			}
		}
		return nil
	})
	if err != nil || len(files) == 0 {
		b.Skipf("no standard library under %q: %v", root, err)
	}
	return files, srcs, size
}

// BenchmarkTreeSitterPython chunks the whole Python standard library per
// iteration with GOMAXPROCS workers, as the indexer does, and reports
// files/s and MB/s.
func BenchmarkTreeSitterPython(b *testing.B) {
	files, srcs, size := pythonStdlib(b)
	c := For(LangPython)
	b.SetBytes(size)
	b.ResetTimer()
	var syntaxErrs, chunks atomic.Int64
	for it := 0; it < b.N; it++ {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= len(files) {
						return
					}
					cs, err := c.Chunk(files[i], srcs[i], DefaultOptions)
					if err != nil {
						syntaxErrs.Add(1)
					}
					chunks.Add(int64(len(cs)))
				}
			}()
		}
		wg.Wait()
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(len(files)*b.N)/sec, "files/s")
	b.ReportMetric(float64(size*int64(b.N))/sec/1e6, "MB/s")
	b.ReportMetric(float64(len(files)), "files")
	b.ReportMetric(float64(chunks.Load())/float64(b.N), "chunks")
	b.ReportMetric(float64(syntaxErrs.Load())/float64(b.N), "syntax-errors")
}
