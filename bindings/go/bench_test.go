package airlog

import (
	"os"
	"testing"
)

// The benchmark corpus (corpus/generate.py --single FILE --size 64M --seed 7), named by
// AIRLOG_BENCH_CORPUS; the benchmarks skip without it.
func benchCorpus(b *testing.B) []byte {
	path := os.Getenv("AIRLOG_BENCH_CORPUS")
	if path == "" {
		b.Skip("AIRLOG_BENCH_CORPUS is not set")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

const benchBlock = 4 << 20 // the block size of the CLI and of the C++ benchmark

// BenchmarkParseCorpus drives the parser as bench/parse_bench.cpp's BM_airlog_parse drives the
// C++ API: 4 MiB blocks, the unconsumed tail handed back at the start of the next, one event
// slice reused; every event is converted to a Go Event with its strings.
func BenchmarkParseCorpus(b *testing.B) {
	data := benchCorpus(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var events []Event
	total := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := NewParser(testDB, Options{}, os.Getenv("AIRLOG_BENCH_CORPUS"))
		if err != nil {
			b.Fatal(err)
		}
		total = 0
		window := benchBlock
		for pos := 0; ; {
			n := len(data) - pos
			if n > window {
				n = window
			}
			last := pos+n == len(data)
			var consumed int
			events, consumed, err = p.AppendParse(events[:0], data[pos:pos+n], last)
			if err != nil {
				b.Fatal(err)
			}
			total += len(events)
			pos += consumed
			if last {
				break
			}
			if consumed == 0 {
				window *= 2
			}
		}
		p.Close()
	}
	b.ReportMetric(float64(total), "events")
}

// BenchmarkFeedCorpus is the agent's path: 4 MiB reads handed to Feed, then Flush.
func BenchmarkFeedCorpus(b *testing.B) {
	data := benchCorpus(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var events []Event
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := NewParser(testDB, Options{}, os.Getenv("AIRLOG_BENCH_CORPUS"))
		if err != nil {
			b.Fatal(err)
		}
		for pos := 0; pos < len(data); pos += benchBlock {
			end := pos + benchBlock
			if end > len(data) {
				end = len(data)
			}
			if events, err = p.AppendFeed(events[:0], data[pos:end]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err = p.Flush(); err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}
