package documents

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/orders"
)

// BenchmarkConfirmation50 renders a Chinese confirmation of 50 lines and reports its size,
// the median and 95th percentile of the render times (wall clock, which other load on the
// machine inflates) and the CPU time per render (user + system of the process, garbage
// collection included):
//
//	go test ./documents -run '^$' -bench Confirmation50 -benchtime 200x
func BenchmarkConfirmation50(b *testing.B) {
	o, _ := DemoOrder(i18n.ZH, 50)
	r := NewRenderer(orders.DefaultRules(), nil)
	in := Input{Kind: orders.DocConfirmation, Lang: i18n.ZH, Order: o, Version: 1, Issued: o.CreatedAt}
	times := make([]time.Duration, 0, b.N)
	size := 0
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		start := time.Now()
		data, err := r.Render(in)
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		size = len(data)
	}
	cpu := cpuTime() - cpu0
	slices.Sort(times)
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(times)), "cpu-ms/op")
	b.ReportMetric(float64(times[len(times)*50/100].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(size)/1024, "KB")
}

// cpuTime is the CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
