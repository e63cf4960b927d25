package conversation

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/orderbot/orderbot/orders"
)

// InputError is bad input: Key names the i18n text that explains it, Args fill it in.
type InputError struct {
	Key  string
	Args []any
}

func (e *InputError) Error() string { return e.Key }

func inputErr(key string, args ...any) *InputError { return &InputError{Key: key, Args: args} }

const maxAnswerLen = 200

// normalizeDigits turns full-width digits and punctuation (from Chinese input methods) into ASCII.
func normalizeDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '／':
			return '/'
		case r == '－':
			return '-'
		case r == '＋':
			return '+'
		case r == '　':
			return ' '
		}
		return r
	}, s)
}

// ParseQuantity parses a positive whole number of at most max.
func ParseQuantity(s string, max int) (int, error) {
	s = strings.TrimSpace(normalizeDigits(s))
	switch {
	case s == "":
		return 0, inputErr("err.quantity.empty")
	case utf8.RuneCountInString(s) > 12:
		return 0, inputErr("err.quantity.toolong", max)
	}
	if strings.HasPrefix(s, "-") {
		return 0, inputErr("err.quantity.positive")
	}
	for _, r := range s {
		if r == '.' || r == ',' || r == 'e' || r == 'E' {
			if strings.IndexFunc(s, unicode.IsDigit) >= 0 {
				return 0, inputErr("err.quantity.whole")
			}
		}
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "+"))
	if err != nil {
		return 0, inputErr("err.quantity.number")
	}
	if n <= 0 {
		return 0, inputErr("err.quantity.positive")
	}
	if n > max {
		return 0, inputErr("err.quantity.max", max)
	}
	return n, nil
}

// ParsePhone accepts 7 to 15 digits with an optional leading +, and spaces, dashes, dots or
// parentheses between them. It returns the number with only the + and digits.
func ParsePhone(s string) (string, error) {
	s = strings.TrimSpace(normalizeDigits(s))
	if s == "" {
		return "", inputErr("err.phone.empty")
	}
	if utf8.RuneCountInString(s) > 32 {
		return "", inputErr("err.phone.invalid")
	}
	var b strings.Builder
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", inputErr("err.phone.invalid")
		}
	}
	if digits < 7 || digits > 15 {
		return "", inputErr("err.phone.length")
	}
	return b.String(), nil
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// ParseDate parses a wanted date: 2026-12-05, 2026/12/05, 12/05 (month/day), 5 Dec, Dec 5,
// 12月5日, 2026年12月5日, today/今天, tomorrow/明天, 后天. A date without a year is the next
// such date from today. Whether the date is late enough is for the caller to judge.
func ParseDate(s string, today orders.Date) (orders.Date, error) {
	s = strings.TrimSpace(strings.ToLower(normalizeDigits(s)))
	if s == "" {
		return orders.Date{}, inputErr("err.date.empty")
	}
	if utf8.RuneCountInString(s) > 40 {
		return orders.Date{}, inputErr("err.date.format")
	}
	switch s {
	case "today", "今天":
		return today, nil
	case "tomorrow", "明天":
		return today.AddDays(1), nil
	case "day after tomorrow", "后天":
		return today.AddDays(2), nil
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "日"), "号")
	var y, m, d int
	year := false
	var f []string
	switch {
	case strings.Contains(s, "月"):
		s = strings.ReplaceAll(s, "年", "-")
		s = strings.ReplaceAll(s, "月", "-")
		f = strings.Split(s, "-")
	case strings.ContainsAny(s, "-/."):
		f = strings.Split(strings.NewReplacer("/", "-", ".", "-").Replace(s), "-")
	default:
		w := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
		if len(w) < 2 || len(w) > 3 {
			return orders.Date{}, inputErr("err.date.format")
		}
		mi := -1
		for i, x := range w {
			if mo, ok := months[strings.TrimSuffix(x, ".")]; ok {
				m, mi = int(mo), i
			}
		}
		if mi < 0 {
			return orders.Date{}, inputErr("err.date.format")
		}
		rest := append(append([]string{}, w[:mi]...), w[mi+1:]...)
		var err error
		if d, err = strconv.Atoi(strings.TrimRight(rest[0], "stndrh")); err != nil {
			return orders.Date{}, inputErr("err.date.format")
		}
		if len(rest) == 2 {
			if y, err = strconv.Atoi(rest[1]); err != nil {
				return orders.Date{}, inputErr("err.date.format")
			}
			year = true
		}
		return makeDate(y, m, d, year, today)
	}
	nums := make([]int, 0, 3)
	for _, x := range f {
		x = strings.TrimSpace(x)
		n, err := strconv.Atoi(x)
		if err != nil || x == "" || x[0] == '+' || x[0] == '-' {
			return orders.Date{}, inputErr("err.date.format")
		}
		nums = append(nums, n)
	}
	switch len(nums) {
	case 2:
		m, d = nums[0], nums[1]
	case 3:
		if len(f[0]) != 4 {
			return orders.Date{}, inputErr("err.date.format")
		}
		y, m, d, year = nums[0], nums[1], nums[2], true
	default:
		return orders.Date{}, inputErr("err.date.format")
	}
	return makeDate(y, m, d, year, today)
}

func makeDate(y, m, d int, withYear bool, today orders.Date) (orders.Date, error) {
	if !withYear {
		y = today.Year
	}
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return orders.Date{}, inputErr("err.date.impossible")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return orders.Date{}, inputErr("err.date.impossible")
	}
	date := orders.DateOf(t)
	if !withYear && date.Before(today) {
		return makeDate(y+1, m, d, true, today)
	}
	return date, nil
}
