package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// heapSampleEvery is how often the peak heap is sampled.
const heapSampleEvery = 50 * time.Millisecond

// phase is what one run measured.
type phase struct {
	customers int
	updates   int
	late      int // open loop: updates sent after their slot
	// Open loop: the replies counted (those of the updates sent while every customer was
	// sending) and when that steady state began and ended, from the start of the run.
	steady               int
	steadyFrom, steadyTo time.Duration
	elapsed              time.Duration
	latency              latencySummary
	steps                []stepLatency // order runs: latency by dialog step
	split                stepLatency   // order runs: all steps
	db                   *dbStats      // order runs: the bot's database meanwhile
	calls                []apiCall     // Bot API calls the fake server received

	// Orders placed in the run, and what the database held after it (order runs only).
	orders                        int
	dbOrders, dbConfirmed, dbWant int

	// Whole process: the bot, the fake Bot API server and the customers.
	mallocs, allocBytes uint64
	peakHeap            uint64
	peakRSS             uint64
	rssOK, rssReset     bool
	cpuProcess          float64 // CPU time of this process / elapsed, in cores
	cpuMachine          float64 // busy time of all CPUs (PostgreSQL, Redis …) / elapsed, in cores
	cpuMachineOK        bool
	cpuIRQ, cpuSteal    float64 // parts of cpuMachine
	cpuPostgres         float64 // the PostgreSQL backends connected to the run's database
	cpuRedis            float64 // redis-server (shared with whatever else uses it)
	cpuServicesOK       bool
	// How long goroutines were ready to run before they ran (runtime/metrics).
	sched50, sched99 time.Duration
	schedOK          bool
}

// stepLatency is the reply latency of a dialog step and its two parts: queued (enqueued →
// the engine starts on the update) and engine (→ the reply is recorded).
type stepLatency struct {
	name                  string
	reply, queued, engine latencySummary
}

func (p phase) throughput() float64 {
	if p.elapsed <= 0 {
		return 0
	}
	return float64(p.updates) / p.elapsed.Seconds()
}

// steadyThroughput is the updates/s of an open-loop run's steady state, or else of the run.
func (p phase) steadyThroughput() float64 {
	if d := p.steadyTo - p.steadyFrom; p.steady > 0 && d > 0 {
		return float64(p.steady) / d.Seconds()
	}
	return p.throughput()
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
	cpu0     time.Duration
	busy0    cpuTimes
	dbName   string
	svc0     serviceTicks
	peak     atomic.Uint64
	sched0   *metrics.Float64Histogram
	quit     chan struct{}
	done     chan struct{}
}

// schedLatencies is the runtime's histogram of the time goroutines were ready to run
// before they ran.
const schedLatencies = "/sched/latencies:seconds"

func readSchedLatencies() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: schedLatencies}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return s[0].Value.Float64Histogram()
}

// schedPercentiles returns the p50 and p99 of the scheduling latencies between two
// readings of the histogram (upper bucket bounds), ok=false when unknown.
func schedPercentiles(before, after *metrics.Float64Histogram) (p50, p99 time.Duration, ok bool) {
	if before == nil || after == nil || len(before.Counts) != len(after.Counts) {
		return 0, 0, false
	}
	var total uint64
	counts := make([]uint64, len(after.Counts))
	for i := range counts {
		counts[i] = after.Counts[i] - before.Counts[i]
		total += counts[i]
	}
	if total == 0 {
		return 0, 0, false
	}
	at := func(q float64) time.Duration {
		want := uint64(q * float64(total))
		var n uint64
		for i, c := range counts {
			n += c
			if n > want {
				b := after.Buckets[i+1]
				if math.IsInf(b, 1) {
					b = after.Buckets[i]
				}
				return time.Duration(b * float64(time.Second))
			}
		}
		return 0
	}
	return at(0.5), at(0.99), true
}

// startMeter collects garbage left by earlier runs, resets the peak RSS and starts
// sampling the heap. dbName, when set, names the database whose PostgreSQL backends'
// CPU time is measured.
func startMeter(dbName string) *meter {
	m := &meter{quit: make(chan struct{}), done: make(chan struct{}), dbName: dbName}
	runtime.GC()
	m.rssReset = resetPeakRSS()
	runtime.ReadMemStats(&m.before)
	m.peak.Store(m.before.HeapInuse)
	m.sched0 = readSchedLatencies()
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
	m.svc0 = servicesCPU(dbName)
	m.cpu0, m.busy0 = processCPU(), machineCPU()
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
	cpu, busy := processCPU(), machineCPU()
	svc := servicesCPU(m.dbName)
	p.cpuProcess = float64(cpu-m.cpu0) / float64(p.elapsed)
	if svc.ok && m.svc0.ok {
		p.cpuPostgres = ticksToCores(svc.postgres, m.svc0.postgres, p.elapsed)
		p.cpuRedis = ticksToCores(svc.redis, m.svc0.redis, p.elapsed)
		p.cpuServicesOK = true
	}
	if busy.ok && m.busy0.ok && busy.total > m.busy0.total {
		cores := func(now, before uint64) float64 {
			return float64(now-before) / float64(busy.total-m.busy0.total) * float64(runtime.NumCPU())
		}
		p.cpuMachine = cores(busy.busy, m.busy0.busy)
		p.cpuIRQ, p.cpuSteal = cores(busy.irq, m.busy0.irq), cores(busy.steal, m.busy0.steal)
		p.cpuMachineOK = true
	}
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
	p.sched50, p.sched99, p.schedOK = schedPercentiles(m.sched0, readSchedLatencies())
	return p
}

// processCPU returns the user and system CPU time of this process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuTimes are the machine's CPU times from /proc/stat, in clock ticks.
type cpuTimes struct {
	busy, total uint64
	irq, steal  uint64 // parts of busy: interrupts (hard and soft), time the hypervisor took
	ok          bool
}

func machineCPU() cpuTimes {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return cpuTimes{}
	}
	var t cpuTimes
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return cpuTimes{}
		}
		if i >= 8 { // guest times are already counted in user and nice
			break
		}
		t.total += n
		if i != 3 && i != 4 { // idle, iowait
			t.busy += n
		}
		switch i {
		case 5, 6:
			t.irq += n
		case 7:
			t.steal += n
		}
	}
	t.ok = true
	return t
}

// machineBusy returns how many cores the machine kept busy during d.
func machineBusy(ctx context.Context, d time.Duration) (float64, bool) {
	t0 := machineCPU()
	select {
	case <-time.After(d):
	case <-ctx.Done():
		return 0, false
	}
	t1 := machineCPU()
	if !t0.ok || !t1.ok || t1.total <= t0.total {
		return 0, false
	}
	return float64(t1.busy-t0.busy) / float64(t1.total-t0.total) * float64(runtime.NumCPU()), true
}

// clockTicks is the unit of CPU times in /proc (USER_HZ, 100 on Linux).
const clockTicks = 100

// serviceTicks are the CPU times of the services, in clock ticks.
type serviceTicks struct {
	postgres, redis uint64
	ok              bool
}

// servicesCPU adds up the CPU times of the PostgreSQL backends connected to database
// dbName (their process title is "postgres: user dbName host(port) …") and of redis-server.
// Backends that exit during a run take their time with them.
func servicesCPU(dbName string) serviceTicks {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return serviceTicks{}
	}
	t := serviceTicks{ok: true}
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// "pid (comm) state ppid … utime stime …": fields after the comm, which may hold spaces.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		comm := string(stat[bytes.IndexByte(stat, '(')+1 : i])
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 13 {
			continue
		}
		utime, _ := strconv.ParseUint(f[11], 10, 64)
		stime, _ := strconv.ParseUint(f[12], 10, 64)
		switch {
		case strings.HasPrefix(comm, "redis-server"):
			t.redis += utime + stime
		case comm == "postgres" && dbName != "":
			cmd, err := os.ReadFile("/proc/" + d.Name() + "/cmdline")
			if err == nil && strings.Contains(string(cmd), " "+dbName+" ") {
				t.postgres += utime + stime
			}
		}
	}
	return t
}

func ticksToCores(now, before uint64, d time.Duration) float64 {
	if now < before || d <= 0 {
		return 0
	}
	return float64(now-before) / clockTicks / d.Seconds()
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
	if p.steady > 0 {
		row("steady state", "%d updates sent from %v to %v, while every customer was sending: %.1f updates/s; the latencies below are theirs",
			p.steady, p.steadyFrom.Round(time.Millisecond), p.steadyTo.Round(time.Millisecond), p.steadyThroughput())
	}
	l := p.latency
	row("reply latency", "p50 %s  p95 %s  p99 %s  max %s  (mean %s, %d replies)",
		ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max), ms(l.avg), l.n)
	if p.late > 0 || strings.Contains(title, "open loop") {
		row("late sends", "%d of %d (the reply to the previous update came after the slot)", p.late, p.updates)
	}
	if p.split.queued.n > 0 {
		row("split", "queued before the engine p50 %s  p99 %s  mean %s;  in the engine p50 %s  p99 %s  mean %s",
			ms(p.split.queued.p50), ms(p.split.queued.p99), ms(p.split.queued.avg),
			ms(p.split.engine.p50), ms(p.split.engine.p99), ms(p.split.engine.avg))
	}
	if len(p.steps) > 0 {
		row("by step", "%-10s %8s %8s   %8s %8s   %8s %8s", "", "reply", "", "queued", "", "engine", "")
		row("", "%-10s %8s %8s   %8s %8s   %8s %8s", "", "p50", "p99", "p50", "p99", "p50", "p99")
		for _, st := range p.steps {
			row("", "%-10s %8s %8s   %8s %8s   %8s %8s", st.name, ms(st.reply.p50), ms(st.reply.p99),
				ms(st.queued.p50), ms(st.queued.p99), ms(st.engine.p50), ms(st.engine.p99))
		}
	}
	if len(p.calls) > 0 && p.updates > 0 {
		var b strings.Builder
		for _, c := range p.calls {
			if c.n == 0 {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %d (%.2f/update)", c.method, c.n, float64(c.n)/float64(p.updates))
		}
		row("Bot API calls", "%s", b.String())
	}
	if d := p.db; d != nil {
		printDB(row, *d)
	}
	switch {
	case p.cpuMachineOK && p.cpuServicesOK:
		other := p.cpuMachine - p.cpuProcess - p.cpuPostgres - p.cpuRedis - p.cpuIRQ - p.cpuSteal
		row("CPU (cores)", "this process %.2f, its PostgreSQL backends %.2f, redis-server %.2f, interrupts %.2f, steal %.2f, other processes %.2f; machine busy %.2f of %d",
			p.cpuProcess, p.cpuPostgres, p.cpuRedis, p.cpuIRQ, p.cpuSteal, max(other, 0), p.cpuMachine, runtime.NumCPU())
	case p.cpuMachineOK:
		row("CPU (cores)", "this process %.2f; machine busy %.2f of %d", p.cpuProcess, p.cpuMachine, runtime.NumCPU())
	default:
		row("CPU (cores)", "this process %.2f", p.cpuProcess)
	}
	if p.updates > 0 {
		row("allocations", "%.0f allocs/update, %s/update (whole process: bot, fake Bot API server, customers)",
			float64(p.mallocs)/float64(p.updates), size(float64(p.allocBytes)/float64(p.updates)))
	}
	if p.schedOK {
		row("scheduling", "goroutines ready to run waited p50 %s, p99 %s for a CPU (runtime/metrics %s)",
			ms(p.sched50), ms(p.sched99), schedLatencies)
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

// printDB prints what the database probe saw.
func printDB(row func(name, format string, args ...any), d dbStats) {
	avgWait := time.Duration(0)
	if d.poolWaits > 0 {
		avgWait = d.poolWaited / time.Duration(d.poolWaits)
	}
	row("DB pool", "%d connections; %d waits for a free one, %s waited in all (mean %s)",
		d.poolSize, d.poolWaits, d.poolWaited.Round(time.Millisecond), ms(avgWait))
	if d.samples == 0 {
		if d.err != nil {
			row("DB sessions", "not sampled: %v", d.err)
		}
		return
	}
	n := float64(d.samples)
	row("DB sessions", "busy (active or in a transaction) mean %.1f, max %d; waiting for a lock mean %.1f (%d samples)",
		float64(d.busySum)/n, d.busyMax, float64(d.lockWaitSum)/n, d.samples)
	type op struct {
		query string
		n     int
	}
	var ops []op
	for q, c := range d.lockWaitByOp {
		ops = append(ops, op{q, c})
	}
	slices.SortFunc(ops, func(a, b op) int { return b.n - a.n })
	for i, o := range ops[:min(len(ops), 3)] {
		name := ""
		if i == 0 {
			name = "DB lock waits"
		}
		row(name, "%4.1f %% %s…", 100*float64(o.n)/float64(d.lockWaitSum), o.query)
	}
}

// printSummary prints one line per mode.
func printSummary(w io.Writer, rs []modeResult) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n== summary ==\n")
	fmt.Fprintf(w, "%-8s %10s %9s %10s %10s %11s %14s %14s\n",
		"mode", "updates/s", "orders/s", "echo up/s", "% of echo", "p99 at max", "latency run", "its p99")
	for _, r := range rs {
		pct, echo := "-", "-"
		if r.echo.updates > 0 {
			echo = fmt.Sprintf("%.1f", r.echo.throughput())
			pct = fmt.Sprintf("%.1f %%", 100*r.bot.throughput()/r.echo.throughput())
		}
		rate, p99 := "-", "-"
		if r.latency.updates > 0 {
			rate = fmt.Sprintf("%.1f/s", r.latency.steadyThroughput())
			p99 = ms(r.latency.latency.p99)
		}
		fmt.Fprintf(w, "%-8s %10.1f %9.1f %10s %10s %11s %14s %14s\n", r.mode, r.bot.throughput(),
			float64(r.bot.orders)/r.bot.elapsed.Seconds(), echo, pct, ms(r.bot.latency.p99), rate, p99)
	}
	for _, r := range rs {
		if r.shaped.updates > 0 && r.echo.updates > 0 {
			fmt.Fprintf(w, "%-8s dialog-echo ceiling (an echo bot making an order dialog's Bot API calls): %.1f updates/s, %.1f %% of the echo ceiling; orderbot %.1f %% of it\n",
				r.mode, r.shaped.throughput(), 100*r.shaped.throughput()/r.echo.throughput(), 100*r.bot.throughput()/r.shaped.throughput())
		}
	}
	for _, r := range rs {
		b := r.bot
		if b.updates == 0 {
			continue
		}
		perUpdate := func(cores float64) string { // core-ms of CPU per update
			return fmt.Sprintf("%.3f", cores*b.elapsed.Seconds()*1000/float64(b.updates))
		}
		line := fmt.Sprintf("%-8s per update at the maximum: %.0f allocations, %s (whole process); CPU core-ms: this process %s",
			r.mode, float64(b.mallocs)/float64(b.updates), size(float64(b.allocBytes)/float64(b.updates)), perUpdate(b.cpuProcess))
		if b.cpuServicesOK {
			line += fmt.Sprintf(", PostgreSQL %s, Redis %s", perUpdate(b.cpuPostgres), perUpdate(b.cpuRedis))
		}
		if r.latency.updates > 0 {
			line += fmt.Sprintf("; felt at %s p50 %s p99 %s (engine only p50 %s p99 %s)", r.latencyAt, ms(r.latency.latency.p50), ms(r.latency.latency.p99),
				ms(r.latency.split.engine.p50), ms(r.latency.split.engine.p99))
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "targets: orderbot ≥ 50 %% of the dialog-echo ceiling; felt latency at half of the maximum p50 ≤ 10ms, p99 ≤ 30ms; ≤ 400 allocations and ≤ 48 KiB per update\n")
	fmt.Fprintf(w, "(latency run: the updates/s of its steady state at -latency-rate of the maximum or at -latency-at, open loop)\n")
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
