package understand

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orderbot/orderbot/orders"
)

// Calendar tells working days from weekends and holidays; orders.Rules satisfies it.
type Calendar interface {
	IsWorkingDay(d orders.Date) bool
}

// DayPart is the part of the day a date was given with (12月3号上午).
type DayPart string

// Parts of the day.
const (
	Morning   DayPart = "morning"
	Noon      DayPart = "noon"
	Afternoon DayPart = "afternoon"
	Evening   DayPart = "evening"
)

// DateAnswer is a date understood from text.
type DateAnswer struct {
	Date orders.Date
	// Latest is set when the date is a limit, not a wish for that very day: 12月15日之前都行,
	// "by Friday", "before Dec 5", 3个工作日内.
	Latest bool
	// Part is the part of the day given with the date, if any.
	Part DayPart
	// Relative is set when the date was given relative to today (明天, next Friday, 3天后).
	Relative bool
}

// Today returns the calendar date of now in loc (UTC when loc is nil).
func Today(now time.Time, loc *time.Location) orders.Date {
	if loc == nil {
		loc = time.UTC
	}
	return orders.DateOf(now.In(loc))
}

// ParseDate reads a wanted date relative to today:
//
//	2026-12-05, 2026/12/05, 12/05 (month/day), 5 Dec, Dec 5, December 5th, 5 december 2027,
//	12月5日, 12月5号, 十二月五日, 2027年1月3日, 15号 (this month, or next when past),
//	今天, 明天, 后天, 大后天, today, tomorrow, the day after tomorrow,
//	周五 / 星期五 / friday (the coming one, never today), 下周一 / next Monday (the Monday of
//	next week), 本周五 / this Friday, 下下周三,
//	月底 / end of month (the month's last working day when cal is given), 下个月底,
//	下个月5号 / the 5th of next month, 3天后 / in 3 days, 2周后 / in 2 weeks,
//	3个工作日后 / in 3 working days (counted with cal, Monday to Friday when cal is nil).
//
// Words around the date are understood: 明天送, 请在12月5日交货, deliver on Friday, 12月3号上午
// (Part), 12月15日之前都行 / by Friday / before Dec 5 / 3个工作日内 (Latest). A date without a
// year is the next such date from today. Whether the date is late enough, or a working day,
// is for the caller to judge. Errors are *Error with KindEmpty, KindFormat or KindImpossible.
func ParseDate(s string, today orders.Date, cal Calendar) (DateAnswer, error) {
	q := norm(s)
	if q == "" {
		return DateAnswer{}, fail(FieldDate, KindEmpty)
	}
	if utf8.RuneCountInString(q) > 40 {
		return DateAnswer{}, fail(FieldDate, KindFormat)
	}
	var a DateAnswer
	q = a.strip(q)
	if q == "" {
		return DateAnswer{}, fail(FieldDate, KindFormat)
	}
	d, rel, k := dateCore(q, today, cal, &a)
	if k != "" {
		return DateAnswer{}, fail(FieldDate, k)
	}
	a.Date, a.Relative = d, rel
	return a, nil
}

var (
	latestPrefixes = []string{"no later than", "not later than", "at the latest by", "最晚", "最迟", "不晚于", "不迟于", "before", "by", "until", "till", "within"}
	datePrefixes   = []string{"请在", "请于", "希望", "最好是", "最好", "交货日期是", "交货日期:", "交货日期", "送货日期是", "送货日期:", "送货日期", "日期是", "日期:", "日期", "交货时间", "送货时间", "时间", "按", "在", "于", "是", "就",
		"please deliver", "please", "deliver it", "deliver them", "deliver", "delivery on", "delivery by", "delivery", "delivered", "date:", "date", "due", "on", "for", "at", "it's", "its", "the"}
	latestSuffixes = []string{"之前都行", "之前都可以", "之前就行", "之前都ok", "以前都行", "以前都可以", "前都行", "前都可以", "之前", "以前", "前", "以内", "内", "or earlier", "or before", "at the latest", "latest"}
	dateSuffixes   = []string{"都行", "都可以", "就行", "可以", "行", "吧", "送到", "送货", "送过来", "送来", "送", "交货", "到货", "发货", "交", "到", "给我", "please", "is fine", "is ok", "ok", "delivery", "deliver"}
	partWords      = []struct {
		w string
		p DayPart
	}{{"上午", Morning}, {"早上", Morning}, {"早晨", Morning}, {"中午", Noon}, {"下午", Afternoon}, {"晚上", Evening}, {"傍晚", Evening},
		{"in the morning", Morning}, {"morning", Morning}, {"am", Morning}, {"at noon", Noon}, {"noon", Noon},
		{"in the afternoon", Afternoon}, {"afternoon", Afternoon}, {"pm", Afternoon}, {"in the evening", Evening}, {"evening", Evening}}
)

// strip removes the words around a date, noting Latest and Part.
func (a *DateAnswer) strip(q string) string {
	for changed := true; changed && q != ""; {
		changed = false
		q = trimPunct(q)
		if r, ok := stripPrefix(q, latestPrefixes...); ok && r != "" {
			q, a.Latest, changed = r, true, true
			continue
		}
		if r, ok := stripSuffix(q, latestSuffixes...); ok && r != "" {
			q, a.Latest, changed = r, true, true
			continue
		}
		if r, ok := stripPrefix(q, datePrefixes...); ok && r != "" && !strings.HasPrefix(r, "号") {
			q, changed = r, true
			continue
		}
		if r, ok := stripSuffix(q, dateSuffixes...); ok && r != "" {
			q, changed = r, true
			continue
		}
		for _, p := range partWords {
			if strings.HasSuffix(q, p.w) && len(q) > len(p.w) {
				r := strings.TrimSpace(q[:len(q)-len(p.w)])
				if isLetter(p.w[0]) && !(strings.HasSuffix(q[:len(q)-len(p.w)], " ") || isDigit(r[len(r)-1])) {
					continue // "5pm" and "friday morning" but not "...am" inside a word
				}
				q, a.Part, changed = strings.TrimSuffix(r, ","), p.p, true
				break
			}
		}
	}
	return q
}

var (
	reISO        = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	reMD         = regexp.MustCompile(`^(\d{1,2})[/.](\d{1,2})$`)
	reCNDate     = regexp.MustCompile(`^(?:(\d{4}|[零〇一二三四五六七八九]{4})年)?(\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?(\d{1,2}|[一二三四五六七八九十]{1,3})(?:日|号)?$`)
	reDayOnly    = regexp.MustCompile(`^(?:(本月|这个月|这月|下个月|下月|下一个月)的?)?(\d{1,2}|[一二三四五六七八九十]{1,3})(?:日|号)$`)
	reDayEN      = regexp.MustCompile(`^(?:the )?(\d{1,2})(?:st|nd|rd|th)(?: of (this|next) month)?$`)
	reNextMonth  = regexp.MustCompile(`^(?:the )?(\d{1,2})(?:st|nd|rd|th)? of next month$|^next month(?: on)?(?: the)? (\d{1,2})(?:st|nd|rd|th)?$`)
	reCNWeekday  = regexp.MustCompile(`^(下下个|下下|下个|下一个|下|本|这个|这|这一个)?(?:周|星期|礼拜)([一二三四五六日天1-7])$`)
	reENWeekday  = regexp.MustCompile(`^(next|this|coming|the coming|this coming|on)? ?(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)$`)
	reCNAfter    = regexp.MustCompile(`^(?:过)?(\d{1,3}|[一二两三四五六七八九十]{1,3})(个)?(天|日|工作日|个工作日|周|星期|礼拜|个星期|个礼拜|个月)(?:后|以后|之后|内|以内)?$`)
	reENAfter    = regexp.MustCompile(`^(?:in |within )?(\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a couple of) (working days?|business days?|days?|weeks?)(?: later| from now| from today| time)?$`)
	reMonthEnd   = regexp.MustCompile(`^(本月|这个月|这月|下个月|下月)?(?:的)?(?:月底|月末|底)$|^(?:the )?end of (?:the |this |next )?month$|^(?:this |next )?month end$`)
	reENDate1    = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+)\.?(?:,? (\d{4}))?$`)
	reENDate2    = regexp.MustCompile(`^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$`)
	enSmallNums  = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2}
	weekdayNames = map[string]time.Weekday{
		"一": time.Monday, "1": time.Monday, "二": time.Tuesday, "2": time.Tuesday, "三": time.Wednesday, "3": time.Wednesday,
		"四": time.Thursday, "4": time.Thursday, "五": time.Friday, "5": time.Friday, "六": time.Saturday, "6": time.Saturday,
		"日": time.Sunday, "天": time.Sunday, "7": time.Sunday,
		"monday": time.Monday, "mon": time.Monday, "tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
		"wednesday": time.Wednesday, "wed": time.Wednesday, "thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday,
		"thurs": time.Thursday, "friday": time.Friday, "fri": time.Friday, "saturday": time.Saturday, "sat": time.Saturday,
		"sunday": time.Sunday, "sun": time.Sunday,
	}
	monthNames = map[string]time.Month{
		"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
		"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
		"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
	}
)

// num reads ASCII digits or a Chinese numeral.
func num(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if allDigits(s) {
		if len(s) > 6 {
			return 0, false
		}
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	n, ok := cnNumber(s)
	return int(n), ok && n < 1e6
}

// dateCore reads a date with the words around it already stripped.
func dateCore(q string, today orders.Date, cal Calendar, a *DateAnswer) (orders.Date, bool, Kind) {
	switch q {
	case "today", "今天", "今日", "当天":
		return today, true, ""
	case "tomorrow", "明天", "明日", "明儿":
		return today.AddDays(1), true, ""
	case "day after tomorrow", "the day after tomorrow", "后天":
		return today.AddDays(2), true, ""
	case "大后天":
		return today.AddDays(3), true, ""
	}
	if m := reISO.FindStringSubmatch(q); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return makeDate(y, mo, d, true, today)
	}
	if m := reMD.FindStringSubmatch(q); m != nil {
		mo, _ := strconv.Atoi(m[1])
		d, _ := strconv.Atoi(m[2])
		return makeDate(0, mo, d, false, today)
	}
	if m := reCNDate.FindStringSubmatch(q); m != nil {
		mo, ok1 := num(m[2])
		d, ok2 := num(m[3])
		if !ok1 || !ok2 {
			return orders.Date{}, false, KindFormat
		}
		if m[1] != "" {
			y, ok := num(m[1])
			if !ok {
				return orders.Date{}, false, KindFormat
			}
			return makeDate(y, mo, d, true, today)
		}
		return makeDate(0, mo, d, false, today)
	}
	if m := reDayOnly.FindStringSubmatch(q); m != nil {
		d, ok := num(m[2])
		if !ok {
			return orders.Date{}, false, KindFormat
		}
		return dayOfMonth(d, m[1], today)
	}
	if m := reNextMonth.FindStringSubmatch(q); m != nil {
		d, _ := strconv.Atoi(m[1] + m[2])
		return dayOfMonth(d, "下月", today)
	}
	if m := reDayEN.FindStringSubmatch(q); m != nil {
		d, _ := strconv.Atoi(m[1])
		w := map[string]string{"this": "本月", "next": "下月"}[m[2]]
		return dayOfMonth(d, w, today)
	}
	if m := reCNWeekday.FindStringSubmatch(q); m != nil {
		which := ""
		switch m[1] {
		case "下下个", "下下":
			which = "next2"
		case "下个", "下一个", "下":
			which = "next"
		case "本", "这个", "这", "这一个":
			which = "this"
		}
		return weekday(weekdayNames[m[2]], which, today), true, ""
	}
	if m := reENWeekday.FindStringSubmatch(q); m != nil {
		which := ""
		switch m[1] {
		case "next":
			which = "next"
		case "this":
			which = "this"
		}
		return weekday(weekdayNames[m[2]], which, today), true, ""
	}
	if m := reCNAfter.FindStringSubmatch(q); m != nil {
		n, ok := num(m[1])
		if !ok || n <= 0 {
			return orders.Date{}, false, KindFormat
		}
		if strings.HasSuffix(q, "内") {
			a.Latest = true
		}
		unit := m[3]
		if m[2] == "个" && (unit == "天" || unit == "日") {
			return orders.Date{}, false, KindFormat
		}
		return after(n, unit, today, cal)
	}
	if m := reENAfter.FindStringSubmatch(q); m != nil {
		n, ok := enSmallNums[m[1]]
		if !ok {
			n, _ = strconv.Atoi(m[1])
		}
		if n <= 0 {
			return orders.Date{}, false, KindFormat
		}
		if strings.HasPrefix(q, "within") {
			a.Latest = true
		}
		unit := map[bool]string{true: "工作日", false: "天"}[strings.HasPrefix(m[2], "working") || strings.HasPrefix(m[2], "business")]
		if strings.HasPrefix(m[2], "week") {
			unit = "周"
		}
		return after(n, unit, today, cal)
	}
	if m := reMonthEnd.FindStringSubmatch(q); m != nil {
		next := m[1] == "下个月" || m[1] == "下月" || strings.Contains(q, "next")
		first := orders.Date{Year: today.Year, Month: today.Month, Day: 1}
		if next {
			first = orders.DateOf(first.Time(time.UTC).AddDate(0, 1, 0))
		}
		last := orders.DateOf(first.Time(time.UTC).AddDate(0, 1, -1))
		if cal != nil {
			for d := last; d.Day > 1 && d.Month == last.Month; d = d.AddDays(-1) {
				if cal.IsWorkingDay(d) {
					last = d
					break
				}
			}
		}
		return last, true, ""
	}
	for _, re := range []*regexp.Regexp{reENDate1, reENDate2} {
		m := re.FindStringSubmatch(q)
		if m == nil {
			continue
		}
		ds, ms := m[1], m[2]
		if re == reENDate2 {
			ds, ms = m[2], m[1]
		}
		mo, ok := monthNames[ms]
		if !ok {
			continue
		}
		d, _ := strconv.Atoi(ds)
		if m[3] != "" {
			y, _ := strconv.Atoi(m[3])
			return makeDate(y, int(mo), d, true, today)
		}
		return makeDate(0, int(mo), d, false, today)
	}
	return orders.Date{}, false, KindFormat
}

// dayOfMonth is day d of this month (next month when past) or of the month named by which.
func dayOfMonth(d int, which string, today orders.Date) (orders.Date, bool, Kind) {
	y, m := today.Year, today.Month
	switch which {
	case "下个月", "下月", "下一个月":
		m++
	case "本月", "这个月", "这月":
	default:
		if d < today.Day {
			m++
		}
	}
	if m > 12 {
		y, m = y+1, 1
	}
	date, _, k := makeDate(y, int(m), d, true, today)
	return date, which != "", k
}

// weekday returns the day wd: the coming one (never today) when which is "", the one of
// this week ("this"), of next week ("next") or of the week after ("next2"), weeks starting
// on Monday.
func weekday(wd time.Weekday, which string, today orders.Date) orders.Date {
	if which == "" {
		for d := today.AddDays(1); ; d = d.AddDays(1) {
			if d.Weekday() == wd {
				return d
			}
		}
	}
	iso := func(w time.Weekday) int { return (int(w)+6)%7 + 0 } // Monday 0 … Sunday 6
	monday := today.AddDays(-iso(today.Weekday()))
	switch which {
	case "next":
		monday = monday.AddDays(7)
	case "next2":
		monday = monday.AddDays(14)
	}
	return monday.AddDays(iso(wd))
}

// after is n days, working days, weeks or months after today.
func after(n int, unit string, today orders.Date, cal Calendar) (orders.Date, bool, Kind) {
	if n > 3660 {
		return orders.Date{}, false, KindImpossible
	}
	switch unit {
	case "天", "日":
		return today.AddDays(n), true, ""
	case "周", "星期", "礼拜", "个星期", "个礼拜":
		return today.AddDays(7 * n), true, ""
	case "个月":
		return orders.DateOf(today.Time(time.UTC).AddDate(0, n, 0)), true, ""
	}
	d := today
	for n > 0 {
		d = d.AddDays(1)
		if isWorking(cal, d) {
			n--
		}
	}
	return d, true, ""
}

func isWorking(cal Calendar, d orders.Date) bool {
	if cal != nil {
		return cal.IsWorkingDay(d)
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func makeDate(y, m, d int, withYear bool, today orders.Date) (orders.Date, bool, Kind) {
	if !withYear {
		y = today.Year
	}
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return orders.Date{}, false, KindImpossible
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		if !withYear && m == 2 && d == 29 {
			// Feb 29 without a year: the next year that has one.
			for yy := y; yy < y+8; yy++ {
				if time.Date(yy, 2, 29, 0, 0, 0, 0, time.UTC).Day() == 29 {
					dd := orders.Date{Year: yy, Month: 2, Day: 29}
					if !dd.Before(today) {
						return dd, false, ""
					}
				}
			}
		}
		return orders.Date{}, false, KindImpossible
	}
	date := orders.DateOf(t)
	if !withYear && date.Before(today) {
		return makeDate(y+1, m, d, true, today)
	}
	return date, false, ""
}
