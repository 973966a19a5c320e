// Package vlquery asks a VictoriaLogs instance what landed in it, for tests.
//
//	vlquery.ForceFlush(base)
//	rows, err := vlquery.Query(base, `filename:="task.log" | sort by (_time) | fields _time, _msg`)
//	n, err := vlquery.WaitCount(base, `{job="airlog-test"}`, 10035, 30*time.Second)
//
// baseURL is http://host:port. Rows are the JSON lines of /select/logsql/query: every value is a
// string ("_msg", "_time" in RFC 3339 with ns, "_stream" like `{filename="x",job="y"}`,
// "_stream_id", and one key per stream label and per other field).
//
// How a Loki push lands (VictoriaLogs v1.52, app/vlinsert/loki): each stream label becomes a
// stream field of the same name (filter `{job="x"}` or `job:=x`); each structured-metadata pair
// becomes an ordinary field (`run_id:=x`); the line is `_msg` — unless it looks like a JSON object
// and the push URL lacks ?disable_message_parsing=1, in which case its keys become fields instead.
// Empty values are not stored. Tenants are numeric "AccountID[:ProjectID]" (X-Scope-OrgID on
// ingestion, the AccountID / ProjectID headers here); the *Tenant forms take that string.
package vlquery

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

var client = &http.Client{Timeout: 60 * time.Second}

// Query runs a LogsQL query over all time in the default tenant (0:0).
func Query(baseURL, logsql string) ([]map[string]string, error) {
	return QueryTenant(baseURL, "", logsql)
}

// QueryTenant runs a LogsQL query in tenant "AccountID[:ProjectID]" ("" = 0:0).
func QueryTenant(baseURL, tenant, logsql string) ([]map[string]string, error) {
	req, err := http.NewRequest(http.MethodPost, strings.TrimRight(baseURL, "/")+"/select/logsql/query",
		strings.NewReader(url.Values{"query": {logsql}}.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := setTenant(req, tenant); err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return nil, fmt.Errorf("query %q: %s: %s", logsql, resp.Status, strings.TrimSpace(string(msg)))
	}
	var rows []map[string]string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var row map[string]string
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, fmt.Errorf("query %q: row %d: %v", logsql, len(rows), err)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("query %q: %v", logsql, err)
	}
	return rows, nil
}

// Count is the number of log entries matching logsql (which may end in pipes that keep rows).
func Count(baseURL, logsql string) (int, error) { return CountTenant(baseURL, "", logsql) }

// CountTenant is Count in a tenant.
func CountTenant(baseURL, tenant, logsql string) (int, error) {
	rows, err := QueryTenant(baseURL, tenant, logsql+" | stats count() as n")
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 {
		return 0, fmt.Errorf("count %q: %d rows", logsql, len(rows))
	}
	return strconv.Atoi(rows[0]["n"])
}

// WaitCount flushes and polls until logsql matches exactly want entries, and returns the last count.
// It fails at once when the count passes want (entries are never taken away: that is a duplicate),
// and after timeout when it stays below.
func WaitCount(baseURL, logsql string, want int, timeout time.Duration) (int, error) {
	return WaitCountTenant(baseURL, "", logsql, want, timeout)
}

// WaitCountTenant is WaitCount in a tenant.
func WaitCountTenant(baseURL, tenant, logsql string, want int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		if err := ForceFlush(baseURL); err != nil {
			return 0, err
		}
		n, err := CountTenant(baseURL, tenant, logsql)
		if err != nil {
			return n, err
		}
		if n == want {
			return n, nil
		}
		if n > want {
			return n, fmt.Errorf("%q: %d entries, want %d", logsql, n, want)
		}
		if time.Now().After(deadline) {
			return n, fmt.Errorf("%q: %d entries after %v, want %d", logsql, n, timeout, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ForceFlush makes everything ingested so far visible to queries (/internal/force_flush; without
// it, recent entries sit in memory buffers for up to a second).
func ForceFlush(baseURL string) error {
	resp, err := client.Get(strings.TrimRight(baseURL, "/") + "/internal/force_flush")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("force_flush: %s", resp.Status)
	}
	return nil
}

func setTenant(req *http.Request, tenant string) error {
	if tenant == "" {
		return nil
	}
	account, project, _ := strings.Cut(tenant, ":")
	for _, v := range []string{account, project} {
		if v == "" {
			continue
		}
		if _, err := strconv.ParseUint(v, 10, 32); err != nil {
			return fmt.Errorf("tenant %q: VictoriaLogs tenants are AccountID[:ProjectID], uint32 each", tenant)
		}
	}
	req.Header.Set("AccountID", account)
	if project != "" {
		req.Header.Set("ProjectID", project)
	}
	return nil
}
