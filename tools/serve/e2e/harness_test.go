package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/airlog/airlog/tools/serve/vlquery"
)

// TestHarnessSelfCheck checks the tools before they check airlog serve: airlog-loadgen pushes the
// real logs straight into VictoriaLogs, and every line must land once, in order, in its file's
// stream — over protobuf and over JSON (in another tenant).
func TestHarnessSelfCheck(t *testing.T) {
	logs := RealLogs(t)
	base := StartVictoriaLogs(t)
	loadgen := BuildCmd(t, "airlog-loadgen")
	corpus := Corpus(t, logs)
	total := 0
	for _, lines := range corpus {
		total += len(lines)
	}

	for _, tc := range []struct {
		name, tenant string
		args         []string
	}{
		{"protobuf", "", nil},
		{"json", "7:1", []string{"--json", "--tenant", "7:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--url", LokiPushURL(base), "--conns", "4", "--seed", "1",
				"--batch-lines-max", "50"}, tc.args...)
			rep, err := RunLoadgen(t, loadgen, append(args, logs)...)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Lines != int64(total) || rep.Entries != int64(total) || rep.Streams != len(corpus) {
				t.Fatalf("loadgen sent %d lines / %d entries in %d streams, corpus has %d lines in %d files",
					rep.Lines, rep.Entries, rep.Streams, total, len(corpus))
			}
			if rep.Pushes <= int64(len(corpus)) {
				t.Errorf("only %d pushes for %d streams: batches are not being cut", rep.Pushes, len(corpus))
			}
			if _, err := vlquery.WaitCountTenant(base, tc.tenant, `{job="airlog-test"}`, total, 30*time.Second); err != nil {
				t.Fatal(err)
			}

			// Each file is one stream, found by its filename label, holding its lines in order.
			rows, err := vlquery.QueryTenant(base, tc.tenant, `{job="airlog-test"} | sort by (_time) | fields _time, filename, _msg`)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, r := range rows {
				got[r["filename"]] = append(got[r["filename"]], r["_msg"])
			}
			for name, want := range corpus {
				n, err := vlquery.CountTenant(base, tc.tenant, `{filename=`+strconv.Quote(name)+`}`)
				if err != nil {
					t.Fatal(err)
				}
				if n != len(want) {
					t.Errorf("%s: stream {filename=%q} has %d entries, the file %d lines", name, name, n, len(want))
					continue
				}
				for i := range want {
					if got[name][i] != want[i] {
						t.Errorf("%s line %d: got %q, want %q", name, i+1, got[name][i], want[i])
						break
					}
				}
			}
		})
	}
}
