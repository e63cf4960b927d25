package conversation

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/orderbot/orderbot/i18n"
)

// Every text the dialog names exists in the catalog (in both languages: i18n's own test).
func TestEveryTextKeyExists(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`(?:st\.t|st\.btn|inputErr)\("([a-z_.0-9]+)"`)
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			key := string(m[1])
			if key[len(key)-1] == '.' {
				continue // a prefix completed at run time
			}
			n++
			if !i18n.Has(key) {
				t.Errorf("%s: text %q is not in the catalog", f, key)
			}
		}
	}
	if n < 100 {
		t.Errorf("found only %d text keys: the pattern no longer matches the code", n)
	}
}
