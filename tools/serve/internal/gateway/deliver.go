package gateway

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	airlog "github.com/airlog/airlog/bindings/go"
	"github.com/airlog/airlog/tools/serve/lokipush"
)

// A sink writes one batch to a store in one request.
type sink interface {
	name() string
	encode(b *batch) (body []byte, contentType string)
}

// Client posts bodies to one URL the way a production Loki client does: retries with exponential
// backoff and jitter on network errors, 429 and 5xx (honouring Retry-After), and gives up at once
// on other 4xx answers (Loki's reason is returned).
type Client struct {
	URL     string
	D       Downstream
	HTTP    *http.Client
	Metrics *Metrics
	Log     Logger
}

// NewClient builds a client with the downstream TLS settings.
func NewClient(url string, d Downstream, m *Metrics, log Logger) (*Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 8
	if d.CAFile != "" {
		pem, err := os.ReadFile(d.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--loki-ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--loki-ca: no certificate in %s", d.CAFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &Client{URL: url, D: d, HTTP: &http.Client{Transport: tr, Timeout: d.Timeout}, Metrics: m, Log: log}, nil
}

// PermanentError is a refusal that retrying cannot change (a 4xx other than 429).
type PermanentError struct {
	Status int
	Reason string
}

func (e *PermanentError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Reason) }

// Post sends body until it is accepted, refused for good (*PermanentError) or ctx ends.
func (c *Client) Post(ctx context.Context, body []byte, contentType, tenant string) error {
	backoff := c.D.MinBackoff
	for attempt := 0; ; attempt++ {
		wait, err := c.postOnce(ctx, body, contentType, tenant)
		if err == nil {
			return nil
		}
		var perm *PermanentError
		if errors.As(err, &perm) {
			c.Metrics.failure(fmt.Sprintf("http_%d", perm.Status))
			return err
		}
		c.Metrics.retries.Add(1)
		if wait <= 0 {
			// Full jitter over [backoff/2, backoff]: senders that failed together do not retry together.
			wait = backoff/2 + time.Duration(rand.Int64N(int64(backoff/2)+1))
			backoff = min(2*backoff, c.D.MaxBackoff)
		}
		if attempt == 0 || attempt%10 == 0 {
			c.Log.Printf("delivery to %s failed (%v); retrying in %v", c.URL, err, wait.Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// postOnce makes one attempt; a retryable failure may come with the server's Retry-After.
func (c *Client) postOnce(ctx context.Context, body []byte, contentType, tenant string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return 0, &PermanentError{Status: 0, Reason: err.Error()}
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "airlog/"+airlog.Version())
	if c.D.Tenant != "" {
		tenant = c.D.Tenant
	}
	if tenant != "" {
		req.Header.Set("X-Scope-OrgID", tenant)
	}
	if c.D.BasicAuth != "" {
		user, pass, _ := strings.Cut(c.D.BasicAuth, ":")
		req.SetBasicAuth(user, pass)
	}
	if c.D.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+c.D.BearerToken)
	}
	for _, h := range c.D.Headers {
		req.Header.Set(h.Name, h.Value)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.Metrics.failure("network")
		return 0, err
	}
	defer resp.Body.Close()
	reason, _ := bufio.NewReader(io.LimitReader(resp.Body, 1024)).ReadString('\n')
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	reason = strings.TrimSpace(reason)
	switch {
	case resp.StatusCode/100 == 2:
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode/100 == 5:
		c.Metrics.failure(fmt.Sprintf("http_%d", resp.StatusCode))
		return retryAfter(resp.Header.Get("Retry-After"), c.D.MaxBackoff), fmt.Errorf("HTTP %d: %s", resp.StatusCode, reason)
	default:
		return 0, &PermanentError{Status: resp.StatusCode, Reason: reason}
	}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), capped at max; 0 when absent.
func retryAfter(h string, max time.Duration) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.Atoi(h); err == nil {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	}
	if d < 0 {
		return 0
	}
	return min(d, max)
}

// lokiSink encodes batches as snappy-compressed protobuf PushRequests.
type lokiSink struct{ enc lokipush.Encoder }

func (s *lokiSink) name() string { return "loki" }

func (s *lokiSink) encode(b *batch) ([]byte, string) {
	for _, bs := range b.order {
		s.enc.AppendStream(bs.labelsText, bs.entries)
	}
	return s.enc.Finish(), "application/x-protobuf"
}
