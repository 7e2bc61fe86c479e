package ui

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// BenchmarkFormKeystroke is Update+View for one key typed into the name at
// 120x40 (budget: < 200 µs). It alternates a letter and backspace so the
// name stays short; both are keystrokes.
func BenchmarkFormKeystroke(b *testing.B) {
	t := &testing.T{}
	fake := newFakeAWS()
	opts := testOptions(t, fake)
	m := New(context.Background(), opts)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(credsMsg{})
	for _, r := range "web-prod-" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	letter := tea.KeyPressMsg{Code: 'x', Text: "x"}
	back := tea.KeyPressMsg{Code: tea.KeyBackspace}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := letter
		if i%2 == 1 {
			k = back
		}
		m.Update(k)
		_ = m.View()
	}
}

// countingWriter counts what the renderer writes to the terminal.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// settle waits until nothing was written for quiet, or until max.
func (w *countingWriter) settle(quiet, max time.Duration) {
	deadline := time.Now().Add(max)
	last := w.n.Load()
	for time.Now().Before(deadline) {
		time.Sleep(quiet)
		now := w.n.Load()
		if now == last {
			return
		}
		last = now
	}
}

// BenchmarkBytesPerTypedChar runs the real program (renderer included) at
// 120x40 in TrueColor and reports the bytes written to the terminal per
// character typed into the name (budget: < 100), each character sent
// after the previous frame went out, as a person types.
func BenchmarkBytesPerTypedChar(b *testing.B) {
	t := &testing.T{}
	fake := newFakeAWS()
	opts := testOptions(t, fake)
	w := &countingWriter{}
	m := New(context.Background(), opts)
	p := tea.NewProgram(m, tea.WithInput(nil), tea.WithOutput(w), tea.WithWindowSize(120, 40),
		tea.WithColorProfile(colorprofile.TrueColor), tea.WithEnvironment(opts.Env), tea.WithoutSignals())
	done := make(chan struct{})
	go func() { p.Run(); close(done) }()
	w.settle(50*time.Millisecond, 5*time.Second) // start-up frame, credentials
	const chars = "web-production-bastion-01"
	b.ResetTimer()
	var total int64
	typed := 0
	for i := 0; i < b.N; i++ {
		r := rune(chars[i%len(chars)])
		before := w.n.Load()
		p.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
		w.settle(40*time.Millisecond, 2*time.Second)
		total += w.n.Load() - before
		typed++
		if typed%len(chars) == 0 { // keep the name short: clear it (not counted)
			b.StopTimer()
			p.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
			w.settle(40*time.Millisecond, 2*time.Second)
			b.StartTimer()
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(total)/float64(typed), "bytes/char")
	p.Quit()
	<-done
}
