package main

import (
	"bytes"
	"io"
	"sync"
)

// linesOnce writes each line given to it once: a line already written is
// dropped. report runs several commands on the same files, and each would
// name the same bad lead row or outcome row on stderr; the reader is told
// once. A last line without its newline is written by Flush.
type linesOnce struct {
	mu   sync.Mutex
	w    io.Writer
	seen map[string]bool
	part []byte // the line begun, not yet ended
}

func newLinesOnce(w io.Writer) *linesOnce { return &linesOnce{w: w, seen: map[string]bool{}} }

func (l *linesOnce) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part = append(l.part, p...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(l.part[:i+1])
		l.part = l.part[i+1:]
		if err := l.write(line); err != nil {
			return len(p), err
		}
	}
}

// write writes a whole line unless it was written before. Blank lines
// separate and are always written.
func (l *linesOnce) write(line string) error {
	if line != "\n" {
		if l.seen[line] {
			return nil
		}
		l.seen[line] = true
	}
	_, err := io.WriteString(l.w, line)
	return err
}

// Flush writes the line begun and not ended, if any.
func (l *linesOnce) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.part) == 0 {
		return nil
	}
	line := string(l.part)
	l.part = nil
	return l.write(line)
}
