package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/api"
)

// verify is the partner's check printed in the README, word for word.
func verify(secret string, h http.Header, body []byte) bool {
	ts, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil || math.Abs(time.Since(time.Unix(ts, 0)).Seconds()) > 300 {
		return false // missing, or more than 5 minutes off: a replay
	}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.%s", h.Get("webhook-id"), ts, body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return slices.ContainsFunc(strings.Fields(h.Get("webhook-signature")), func(s string) bool { return hmac.Equal([]byte(s), []byte(want)) })
}

func TestREADMEVerify(t *testing.T) {
	t.Parallel()
	secret := api.NewSecret()
	body := []byte(`{"id":"evt_1","type":"order.created"}`)
	now := time.Now().Unix()
	sig, err := api.Sign(secret, "evt_1", now, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "evt_1")
	h.Set("webhook-timestamp", strconv.FormatInt(now, 10))
	h.Set("webhook-signature", sig)
	if !verify(secret, h, body) {
		t.Error("a signed delivery fails the README's check")
	}
	if verify(secret, h, []byte(`{"id":"evt_1","type":"order.cancelled"}`)) {
		t.Error("a changed body passes")
	}
	if verify(api.NewSecret(), h, body) {
		t.Error("another secret passes")
	}
	h.Set("webhook-timestamp", strconv.FormatInt(now-301, 10))
	if verify(secret, h, body) {
		t.Error("an old timestamp passes")
	}
}
