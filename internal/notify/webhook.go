package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/tallyhq/tally/internal/outbound"
)

// Webhook headers.
const (
	SignatureHeader = "Tally-Signature" // "sha256=" + hex HMAC-SHA256 of the raw body
	DeliveryHeader  = "Tally-Delivery"  // the notification id; receivers drop repeats
)

// NewWebhookSecret returns a random secret for signing a user's webhooks,
// as the text shown to the user once and used as the HMAC key.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// Sign returns the signature header value of body under key.
func Sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is body's under key, in constant time.
func Verify(key, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(key, body)), []byte(signature))
}

// CheckWebhookURL validates a webhook address: absolute http or https.
func CheckWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("webhook_url %q: want an absolute http:// or https:// URL", outbound.Redact(s))
	}
	return nil
}

// PostWebhook POSTs body to url, signed with key. Any 2xx answer is a
// delivery; anything else is an error to retry.
func PostWebhook(ctx context.Context, client *http.Client, url string, key []byte, deliveryID string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tally-Webhook/1")
	req.Header.Set(SignatureHeader, Sign(key, body))
	req.Header.Set(DeliveryHeader, deliveryID)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: %s answered HTTP %d", req.URL.Redacted(), resp.StatusCode)
	}
	return nil
}
