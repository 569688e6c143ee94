package xinyong

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The example of the Standard Webhooks specification and its reference
// libraries.
func TestSignWebhookStandardVector(t *testing.T) {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	id := "msg_p5jXN8AQM9LWM0D4loKWxJek"
	ts := time.Unix(1614265330, 0)
	body := []byte(`{"test": 2432232314}`)
	got, err := SignWebhook(secret, id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature = %s, want %s", got, want)
	}
	h := http.Header{}
	if err := WebhookHeaders(h, secret, id, ts, body); err != nil {
		t.Fatal(err)
	}
	if err := VerifyWebhook(secret, h, body, ts.Add(time.Minute), 5*time.Minute); err != nil {
		t.Errorf("VerifyWebhook: %v", err)
	}
	if err := VerifyWebhook(secret, h, []byte(`{"test": 1}`), ts, 0); err == nil {
		t.Error("a changed body verified")
	}
	if err := VerifyWebhook(secret, h, body, ts.Add(time.Hour), 5*time.Minute); err == nil {
		t.Error("a stale timestamp verified")
	}
}

// An independent computation for a fresh secret.
func TestSignWebhookComputed(t *testing.T) {
	secret := NewWebhookSecret()
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if len(key) != 24 {
		t.Fatalf("key of %d bytes", len(key))
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("evt_1.1700000000.{}"))
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	got, err := SignWebhook(secret, "evt_1", time.Unix(1700000000, 0), []byte("{}"))
	if err != nil || got != want {
		t.Errorf("SignWebhook = %s, %v; want %s", got, err, want)
	}
	if _, err := SignWebhook("whsec_!!!", "x", time.Unix(0, 0), nil); err == nil {
		t.Error("a malformed secret signed")
	}
}

func TestNextRetry(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now, n := start, 0
	var last time.Duration
	for {
		n++
		next, dead := NextRetry(start, now, n)
		if dead {
			break
		}
		d := next.Sub(now)
		if d <= 0 || (d < last && next != start.Add(RetryWindow)) {
			t.Fatalf("attempt %d: delay %v after %v", n, d, last)
		}
		last, now = d, next
		if n > 100 {
			t.Fatal("never dead")
		}
	}
	if now.Sub(start) < RetryWindow {
		t.Errorf("dead after %v, want at least %v", now.Sub(start), RetryWindow)
	}
	if RetryDelay(1) != 10*time.Second || RetryDelay(2) != 30*time.Second || RetryDelay(50) != 4*time.Hour {
		t.Errorf("delays %v %v %v", RetryDelay(1), RetryDelay(2), RetryDelay(50))
	}
	t.Logf("%d attempts over %v", n, now.Sub(start))
}

func TestCheckWebhookURL(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/hook", "https://example.gov.cn/hooks?x=1"} {
		if err := CheckWebhookURL(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"", "ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "gopher://x", "/relative", "http://", "https://user:pw@example.com/", "example.com/hook", "http://example.com/#frag"} {
		err := CheckWebhookURL(u)
		if err == nil || ErrorCode(err) != EINVALID {
			t.Errorf("%q: %v, want EINVALID", u, err)
		}
	}
	if err := CheckWebhookURL("ftp://example.com/x"); !strings.Contains(ErrorMessage(err)+ErrorFields(err)[0].Message, "http or https") {
		t.Errorf("message %v", ErrorFields(err))
	}
}
