package cpuprofile

import (
	"os"
	"path/filepath"
	"testing"
)

// A profile is written to the file named, and nothing at all without a name.
func TestStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	stop, err := Start(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1_000_000; i++ {
		_ = i * i
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("profile %v, %v: want a non-empty file", st, err)
	}
	stop, err = Start("")
	if err != nil || stop() != nil {
		t.Fatalf("no path: %v", err)
	}
}
