package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// heapSampleEvery is how often the peak heap is sampled.
const heapSampleEvery = 50 * time.Millisecond

// phase is what one run measured.
type phase struct {
	customers int
	updates   int
	late      int // open loop: updates sent after their slot
	elapsed   time.Duration
	latency   latencySummary

	// Orders placed in the run, and what the database held after it (order runs only).
	orders                        int
	dbOrders, dbConfirmed, dbWant int

	// Whole process: the bot, the fake Bot API server and the customers.
	mallocs, allocBytes uint64
	peakHeap            uint64
	peakRSS             uint64
	rssOK, rssReset     bool
}

func (p phase) throughput() float64 {
	if p.elapsed <= 0 {
		return 0
	}
	return float64(p.updates) / p.elapsed.Seconds()
}

// latencySummary holds reply latency percentiles.
type latencySummary struct {
	n                       int
	p50, p95, p99, max, avg time.Duration
}

func summarize(ds []time.Duration) latencySummary {
	if len(ds) == 0 {
		return latencySummary{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return latencySummary{n: len(ds), p50: percentile(ds, 0.50), p95: percentile(ds, 0.95), p99: percentile(ds, 0.99),
		max: ds[len(ds)-1], avg: sum / time.Duration(len(ds))}
}

// percentile returns the nearest-rank percentile of sorted values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// meter measures a run: elapsed time, allocations, peak heap and peak RSS.
type meter struct {
	start    time.Time
	before   runtime.MemStats
	rssReset bool
	peak     atomic.Uint64
	quit     chan struct{}
	done     chan struct{}
}

// startMeter collects garbage left by earlier runs, resets the peak RSS and starts
// sampling the heap.
func startMeter() *meter {
	m := &meter{quit: make(chan struct{}), done: make(chan struct{})}
	runtime.GC()
	m.rssReset = resetPeakRSS()
	runtime.ReadMemStats(&m.before)
	m.peak.Store(m.before.HeapInuse)
	go func() {
		defer close(m.done)
		t := time.NewTicker(heapSampleEvery)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-m.quit:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				m.notePeak(ms.HeapInuse)
			}
		}
	}()
	m.start = time.Now()
	return m
}

func (m *meter) notePeak(v uint64) {
	for {
		old := m.peak.Load()
		if v <= old || m.peak.CompareAndSwap(old, v) {
			return
		}
	}
}

func (m *meter) stop() phase {
	p := phase{elapsed: time.Since(m.start)}
	close(m.quit)
	<-m.done
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	m.notePeak(after.HeapInuse)
	p.mallocs = after.Mallocs - m.before.Mallocs
	p.allocBytes = after.TotalAlloc - m.before.TotalAlloc
	p.peakHeap = m.peak.Load()
	p.peakRSS, p.rssOK = readPeakRSS()
	p.rssReset = m.rssReset
	return p
}

// resetPeakRSS resets VmHWM (Linux: "5" written to clear_refs).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// readPeakRSS returns VmHWM from /proc/self/status, in bytes.
func readPeakRSS() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseUint(f[0], 10, 64)
		return kb * 1024, err == nil
	}
	return 0, false
}

// printPhase prints one run's figures.
func printPhase(w io.Writer, title string, p phase) {
	fmt.Fprintf(w, "%s\n", title)
	row := func(name, format string, args ...any) {
		fmt.Fprintf(w, "  %-16s %s\n", name, fmt.Sprintf(format, args...))
	}
	row("customers", "%d", p.customers)
	row("updates", "%d (%.1f per customer)", p.updates, float64(p.updates)/float64(max(p.customers, 1)))
	if p.dbWant > 0 {
		verdict := "ok"
		if p.dbOrders != p.dbWant || p.dbConfirmed != p.dbWant {
			verdict = "MISMATCH"
		}
		row("orders", "%d placed; the database holds %d orders, %d confirmed, want %d: %s",
			p.orders, p.dbOrders, p.dbConfirmed, p.dbWant, verdict)
	}
	row("elapsed", "%v", p.elapsed.Round(time.Millisecond))
	if p.orders > 0 {
		row("throughput", "%.1f updates/s, %.1f orders/s", p.throughput(), float64(p.orders)/p.elapsed.Seconds())
	} else {
		row("throughput", "%.1f updates/s", p.throughput())
	}
	l := p.latency
	row("reply latency", "p50 %s  p95 %s  p99 %s  max %s  (mean %s, %d replies)",
		ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max), ms(l.avg), l.n)
	if p.late > 0 || strings.Contains(title, "open loop") {
		row("late sends", "%d of %d (the reply to the previous update came after the slot)", p.late, p.updates)
	}
	if p.updates > 0 {
		row("allocations", "%.0f allocs/update, %s/update (whole process: bot, fake Bot API server, customers)",
			float64(p.mallocs)/float64(p.updates), size(float64(p.allocBytes)/float64(p.updates)))
	}
	row("peak heap", "%s in use (HeapInuse, sampled every %v)", size(float64(p.peakHeap)), heapSampleEvery)
	switch {
	case !p.rssOK:
		row("peak RSS", "unknown (no /proc/self/status)")
	case p.rssReset:
		row("peak RSS", "%s (VmHWM during the run)", size(float64(p.peakRSS)))
	default:
		row("peak RSS", "%s (VmHWM of the whole process so far: could not reset it)", size(float64(p.peakRSS)))
	}
}

// printSummary prints one line per mode.
func printSummary(w io.Writer, rs []modeResult) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n== summary ==\n")
	fmt.Fprintf(w, "%-8s %10s %9s %10s %10s %11s %12s %12s\n",
		"mode", "updates/s", "orders/s", "echo up/s", "% of echo", "p99 at max", "rate of run2", "p99 of run2")
	for _, r := range rs {
		pct, echo := "-", "-"
		if r.echo.updates > 0 {
			echo = fmt.Sprintf("%.1f", r.echo.throughput())
			pct = fmt.Sprintf("%.1f %%", 100*r.bot.throughput()/r.echo.throughput())
		}
		rate, p99 := "-", "-"
		if r.latency.updates > 0 {
			rate = fmt.Sprintf("%.1f/s", r.latency.throughput())
			p99 = ms(r.latency.latency.p99)
		}
		fmt.Fprintf(w, "%-8s %10.1f %9.1f %10s %10s %11s %12s %12s\n", r.mode, r.bot.throughput(),
			float64(r.bot.orders)/r.bot.elapsed.Seconds(), echo, pct, ms(r.bot.latency.p99), rate, p99)
	}
	fmt.Fprintf(w, "targets: orderbot ≥ 60 %% of the echo ceiling; p99 < 50ms at half of the maximum throughput\n")
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}

func size(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

// machine describes where the figures come from.
func machine() string {
	return fmt.Sprintf("%s %s/%s, %d CPUs, GOMAXPROCS %d", runtime.Version(), runtime.GOOS, runtime.GOARCH,
		runtime.NumCPU(), runtime.GOMAXPROCS(0))
}
