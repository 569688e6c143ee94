package xinyong

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhooks are signed per the Standard Webhooks scheme
// (https://www.standardwebhooks.com): the headers webhook-id,
// webhook-timestamp and webhook-signature, the last "v1," followed by the
// base64 HMAC-SHA256, keyed with the secret's bytes, of
// "<id>.<timestamp>.<body>". Secrets are "whsec_" followed by the base64 of
// the key.

// SecretPrefix starts every webhook secret.
const SecretPrefix = "whsec_"

// NewWebhookSecret returns a fresh secret (24 random bytes).
func NewWebhookSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// webhookKey returns a secret's key bytes.
func webhookKey(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(k) == 0 {
		return nil, fmt.Errorf("webhook secret is not whsec_ followed by base64")
	}
	return k, nil
}

// SignWebhook returns the webhook-signature value for a message.
func SignWebhook(secret, id string, ts time.Time, body []byte) (string, error) {
	k, err := webhookKey(secret)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// WebhookHeaders sets the three Standard Webhooks headers on h.
func WebhookHeaders(h http.Header, secret, id string, ts time.Time, body []byte) error {
	sig, err := SignWebhook(secret, id, ts, body)
	if err != nil {
		return err
	}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", sig)
	return nil
}

// VerifyWebhook checks a received message's headers against the secret: one
// of the space-separated v1 signatures must match, and the timestamp must be
// within tolerance of now (zero tolerance: not checked).
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, tsText, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || tsText == "" || sigs == "" {
		return fmt.Errorf("missing webhook-id, webhook-timestamp or webhook-signature")
	}
	sec, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook-timestamp is not a number of seconds")
	}
	ts := time.Unix(sec, 0)
	if tolerance > 0 && (now.Sub(ts) > tolerance || ts.Sub(now) > tolerance) {
		return fmt.Errorf("webhook-timestamp too far from now")
	}
	want, err := SignWebhook(secret, id, ts, body)
	if err != nil {
		return err
	}
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return fmt.Errorf("no matching webhook signature")
}

// RetryWindow is how long a delivery is retried before it goes to the
// dead-letter list: at least this long after the event (or a replay).
const RetryWindow = 24 * time.Hour

// retryBase and retryCap shape the backoff: 10 s, 30 s, 90 s… tripling up
// to 4 hours between attempts.
const (
	retryBase = 10 * time.Second
	retryCap  = 4 * time.Hour
)

// RetryDelay is the wait after the attempts-th failed attempt (1 for the
// first): exponential backoff, capped.
func RetryDelay(attempts int) time.Duration {
	d := retryBase
	for i := 1; i < attempts && d < retryCap; i++ {
		d *= 3
	}
	return min(d, retryCap)
}

// NextRetry decides what follows a failed attempt made at now, the
// attempts-th of a run of retries that began at start: the time of the next
// attempt, or dead when the run has lasted RetryWindow. The last attempt is
// thus made at or after start+RetryWindow: the retries last at least the
// window.
func NextRetry(start, now time.Time, attempts int) (next time.Time, dead bool) {
	if !now.Before(start.Add(RetryWindow)) {
		return time.Time{}, true
	}
	next = now.Add(RetryDelay(attempts))
	if end := start.Add(RetryWindow); next.After(end) {
		next = end // one last attempt at the end of the window
	}
	return next, false
}

// CheckWebhookURL checks a subscriber's URL: absolute http or https, with a
// host and no credentials.
func CheckWebhookURL(raw string) error {
	bad := func(msg string) error {
		return Invalid("the webhook URL was refused", FieldError{Field: "url", Rule: "webhook.url", Message: msg, Value: raw})
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return bad("url is required: the http or https address that receives the events")
	}
	if len(raw) > 2048 {
		return bad("url is longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("url is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return bad(fmt.Sprintf("scheme %q is refused: webhooks are delivered over http or https only", u.Scheme))
	}
	if !u.IsAbs() || u.Host == "" || u.Hostname() == "" {
		return bad("url must be absolute, with a host (e.g. https://example.gov.cn/hooks)")
	}
	if u.User != nil {
		return bad("url must not carry credentials (user:password@); the signature authenticates the platform")
	}
	if u.Fragment != "" {
		return bad("url must not have a fragment")
	}
	return nil
}
