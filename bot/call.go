package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	tgbot "github.com/go-telegram/bot"
)

// call makes one Bot API call with a JSON body and decodes its result into dest (nil:
// not decoded). Its errors are go-telegram/bot's (tgbot.ErrorForbidden,
// tgbot.ErrorBadRequest, *tgbot.TooManyRequestsError, *tgbot.MigrateError …), so callers
// tell them apart as they do the library's. Replies take this path: the library encodes
// every call as multipart form data written through a pipe by a goroutine, which costs
// the bot, and Telegram, several times what one JSON body does.
func (b *Bot) call(ctx context.Context, method string, params, dest any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.cfg.APIURL+"/bot"+b.cfg.Token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return redact(err, b.cfg.Token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", method, redact(err, b.cfg.Token))
	}
	defer resp.Body.Close()
	raw, err := readBody(resp, 16<<20)
	if err != nil {
		return fmt.Errorf("%s: %w", method, redact(err, b.cfg.Token))
	}
	var r apiResponse
	var into any = &r
	if dest == nil {
		into = &r.apiStatus
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("%s: HTTP %d: undecodable answer", method, resp.StatusCode)
	}
	if !r.OK {
		return apiError(method, r.apiStatus)
	}
	if dest != nil {
		if err := json.Unmarshal(r.Result, dest); err != nil {
			return fmt.Errorf("%s: decode result: %w", method, err)
		}
	}
	return nil
}

// apiError is the error go-telegram/bot returns for a refused call.
func apiError(method string, r apiStatus) error {
	switch r.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", tgbot.ErrorForbidden, r.Description)
	case http.StatusBadRequest:
		if r.Parameters.MigrateToChatID != 0 {
			return &tgbot.MigrateError{Message: fmt.Sprintf("%s: %s", tgbot.ErrorBadRequest, r.Description),
				MigrateToChatID: r.Parameters.MigrateToChatID}
		}
		return fmt.Errorf("%w, %s", tgbot.ErrorBadRequest, r.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", tgbot.ErrorUnauthorized, r.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", tgbot.ErrorNotFound, r.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", tgbot.ErrorConflict, r.Description)
	case http.StatusTooManyRequests:
		return &tgbot.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", tgbot.ErrorTooManyRequests, r.Description),
			RetryAfter: r.Parameters.RetryAfter}
	}
	return fmt.Errorf("error response from telegram for method %s, %d %s", method, r.ErrorCode, r.Description)
}
