package i18n

import (
	"fmt"
	"time"
)

var (
	weekdaysEN = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	weekdaysZH = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	// Calendar column heads, weeks starting on Monday.
	weekHeadEN = [7]string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}
	weekHeadZH = [7]string{"一", "二", "三", "四", "五", "六", "日"}
)

// Date writes a calendar date as a reader of lang expects it: 2026年12月7日（周一） in
// Chinese, Mon 7 Dec 2026 in English. The zero date (year 0) is written as "".
func Date(lang string, year int, month time.Month, day int) string {
	if year == 0 {
		return ""
	}
	wd := time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Weekday()
	if lang == ZH {
		return fmt.Sprintf("%d年%d月%d日（%s）", year, int(month), day, weekdaysZH[wd])
	}
	return fmt.Sprintf("%s %d %s %d", weekdaysEN[wd], day, month.String()[:3], year)
}

// Month writes a month as a calendar's title: 2026年12月, December 2026.
func Month(lang string, year int, month time.Month) string {
	if lang == ZH {
		return fmt.Sprintf("%d年%d月", year, int(month))
	}
	return fmt.Sprintf("%s %d", month, year)
}

// Weekday is the short name of a day of the week: 周一, Mon.
func Weekday(lang string, d time.Weekday) string {
	if lang == ZH {
		return weekdaysZH[d]
	}
	return weekdaysEN[d]
}

// WeekHeads are a calendar's column heads, Monday first: 一 … 日, Mo … Su.
func WeekHeads(lang string) [7]string {
	if lang == ZH {
		return weekHeadZH
	}
	return weekHeadEN
}

// DateTime writes a moment of a timeline: 2026年12月7日 14:05, 7 Dec 2026 14:05.
func DateTime(lang string, t time.Time) string {
	if lang == ZH {
		return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), int(t.Month()), t.Day(), t.Format("15:04"))
	}
	return fmt.Sprintf("%d %s %d %s", t.Day(), t.Month().String()[:3], t.Year(), t.Format("15:04"))
}
