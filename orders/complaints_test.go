package orders_test

import (
	"testing"
	"time"

	"github.com/orderbot/orderbot/orders"
)

func TestAddWorkingHours(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	r := orders.DefaultRules() // 9:00–18:00, Monday to Friday, 25 December a holiday
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) }
	tests := []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within the day", at(12, 1, 10, 0), 4 * time.Hour, at(12, 1, 14, 0)},
		{"over the evening", at(12, 1, 16, 0), 4 * time.Hour, at(12, 2, 11, 0)},
		{"before opening", at(12, 1, 7, 0), time.Hour, at(12, 1, 10, 0)},
		{"after closing", at(12, 1, 20, 0), time.Hour, at(12, 2, 10, 0)},
		{"ends at closing", at(12, 1, 14, 0), 4 * time.Hour, at(12, 1, 18, 0)},
		{"over the weekend", at(12, 4, 17, 0), 2 * time.Hour, at(12, 7, 10, 0)},
		{"from a Sunday", at(12, 6, 12, 0), time.Hour, at(12, 7, 10, 0)},
		{"over Christmas", at(12, 24, 17, 30), time.Hour, at(12, 28, 9, 30)},
		{"three working days", at(12, 1, 16, 0), 27 * time.Hour, at(12, 4, 16, 0)},
	}
	for _, tt := range tests {
		if got := r.AddWorkingHours(tt.from, loc, tt.d); !got.Equal(tt.want) {
			t.Errorf("%s: %v + %v = %v, want %v", tt.name, tt.from, tt.d, got, tt.want)
		}
	}
}

func TestComplaintRulesDefaults(t *testing.T) {
	got := orders.ComplaintRules{}.WithDefaults()
	want := orders.ComplaintRules{FirstResponseHours: 4, ResolutionDays: 3, AutoCloseDays: 3, WorkStartHour: 9, WorkEndHour: 18}
	if got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	if c := (orders.ComplaintRules{WorkStartHour: 20, WorkEndHour: 8}).WithDefaults(); c.WorkStartHour != 9 || c.WorkEndHour != 18 {
		t.Errorf("bad hours kept: %+v", c)
	}
	if orders.DefaultRules().Complaints.WithDefaults() != want {
		t.Errorf("default rules: %+v", orders.DefaultRules().Complaints)
	}
}
