package documents

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestChineseCapital(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "零元整"},
		{"0.5", "伍角整"},
		{"0.07", "柒分"},
		{"0.57", "伍角柒分"},
		{"1", "壹元整"},
		{"10", "壹拾元整"},
		{"15", "壹拾伍元整"},
		{"100", "壹佰元整"},
		{"101", "壹佰零壹元整"},
		{"110", "壹佰壹拾元整"},
		{"1005.3", "壹仟零伍元叁角整"},
		{"1000.05", "壹仟元零伍分"},
		{"1.05", "壹元零伍分"},
		{"12000", "壹万贰仟元整"},
		{"12000.00", "壹万贰仟元整"},
		{"10010", "壹万零壹拾元整"},
		{"10000", "壹万元整"},
		{"100100", "壹拾万零壹佰元整"},
		{"1001000", "壹佰万壹仟元整"},
		{"1000100", "壹佰万零壹佰元整"},
		{"11520", "壹万壹仟伍佰贰拾元整"},
		{"34850.5", "叁万肆仟捌佰伍拾元伍角整"},
		{"100000000", "壹亿元整"},
		{"100010000", "壹亿零壹万元整"},
		{"100000001", "壹亿零壹元整"},
		{"1234567890.12", "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分"},
		{"9999999999.99", "玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"},
		{"20000000.40", "贰仟万元肆角整"},
		{"-3456", "负叁仟肆佰伍拾陆元整"},
		{"0.005", "壹分"}, // rounded to the fen
	} {
		if got := ChineseCapital(decimal.RequireFromString(tc.in)); got != tc.want {
			t.Errorf("ChineseCapital(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func FuzzChineseCapital(f *testing.F) {
	for _, s := range []string{"0", "12000", "100010000.05", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := decimal.NewFromString(s)
		if err != nil || d.Abs().GreaterThanOrEqual(decimal.New(1, 15)) {
			return
		}
		got := ChineseCapital(d)
		if got == "" {
			t.Fatalf("ChineseCapital(%s) is empty", s)
		}
		for _, r := range got {
			if r < 0x4e00 {
				t.Fatalf("ChineseCapital(%s) = %q holds %q", s, got, r)
			}
		}
	})
}
