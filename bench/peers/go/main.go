// peer-go-regexp: the Go `regexp` peer of airlog's benchmark suite, a pipeline shaped like
// Grafana Alloy's loki.process (see bench/peers/README.md for the algorithm and the CLI).
//
//	peer-go-regexp [--dump] [--repeat N] [--patterns FILE] FILE
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"
)

// defaultPatterns is the configuration read when --patterns is not given; bench/peers/build.sh
// sets it to the source tree's bench/peers/patterns.json (-ldflags -X).
var defaultPatterns = "bench/peers/patterns.json"

func main() {
	dump := flag.Bool("dump", false, "write every event as one JSON line instead of the summary")
	repeat := flag.Int("repeat", 1, "parse the file N times; the best time counts")
	patterns := flag.String("patterns", defaultPatterns, "the agent configuration (bench/peers/patterns.json)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: peer-go-regexp [--dump] [--repeat N] [--patterns FILE] FILE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *repeat < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *patterns, *repeat, *dump); err != nil {
		fmt.Fprintln(os.Stderr, "peer-go-regexp:", err)
		os.Exit(1)
	}
}

func run(path, patternsPath string, repeat int, dump bool) error {
	cfg, err := loadConfig(patternsPath)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path) // read fully before timing, as the contract says
	if err != nil {
		return err
	}
	text := string(data) // one copy, untimed: the lines are views of it
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()

	if dump {
		p := newPipeline(cfg, func(e *Entry) { writeEvent(out, e) })
		p.parse(text)
		return nil
	}
	var counts fieldCounts
	var events, lines int
	best := time.Duration(1<<63 - 1)
	for i := 0; i < repeat; i++ {
		counts = newFieldCounts()
		events = 0
		p := newPipeline(cfg, func(e *Entry) {
			events++
			counts.add(e)
		})
		start := time.Now()
		lines = p.parse(text)
		if d := time.Since(start); d < best {
			best = d
		}
	}
	writeSummary(out, "go-regexp", len(data), lines, events, best.Seconds(), counts)
	return nil
}
