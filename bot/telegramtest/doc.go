// Package telegramtest provides an in-process fake of the Telegram Bot API
// for end-to-end tests and benchmarks.
//
// A [Server] listens on a local httptest server and speaks the same wire
// protocol as https://api.telegram.org: requests go to
// {URL}/bot{TOKEN}/{method}, bodies may be JSON, multipart/form-data or
// application/x-www-form-urlencoded, and every answer is the usual
// {"ok":...,"result":...} envelope with Telegram's HTTP status codes and error
// descriptions. The real github.com/go-telegram/bot client can be pointed at it:
//
//	srv := telegramtest.NewServer(t)
//	b, err := bot.New(srv.Token(),
//		bot.WithServerURL(srv.URL()),
//		bot.WithSkipGetMe(),
//		bot.WithDefaultHandler(handler),
//	)
//	go b.Start(ctx) // long polling against srv
//
// The test then acts as a user and inspects what the bot answered:
//
//	alice := telegramtest.User{ID: 1001, FirstName: "Alice"}
//	srv.SendCommand(alice, "start")
//	menu := srv.ExpectText(t, alice.ID, "Choose a product", 5*time.Second)
//	if _, err := srv.PressButton(alice, menu, "product:42"); err != nil {
//		t.Fatal(err)
//	}
//	srv.ExpectText(t, alice.ID, "Added to cart", 5*time.Second)
//
// # Updates
//
// The user helpers ([Server.SendText], [Server.SendCommand],
// [Server.SendContact], [Server.SendLocation], [Server.PressButton]) and
// [Server.Enqueue] append an update to a queue with monotonically increasing
// update_id values starting at 1. The queue is drained either by getUpdates
// (long polling with Telegram's offset semantics: an offset confirms every
// update with a smaller id) or, while a webhook is set with setWebhook, by a
// delivery loop that POSTs each update as JSON to the webhook URL and keeps
// retrying until it receives a 2xx answer. [Server.Redeliver] puts an update
// that was already handed out back into the queue to test idempotency.
//
// # Messages sent by the bot
//
// Every successful sendMessage, sendDocument, sendPhoto, editMessageText and
// editMessageReplyMarkup call is recorded as a [Sent] value in a per-chat
// stream. [Server.WaitSent], [Server.Expect] and [Server.ExpectText] consume
// that stream in order, so a test can assert each reply exactly once;
// [Server.SentTo] and [Server.AllSent] return the full history and
// [Server.Message] the current state of a message after edits.
//
// # Realism checks
//
// Requests are validated the way Telegram validates them, so bugs that would
// fail in production fail in tests too: text formatted with parse_mode HTML,
// Markdown or MarkdownV2 must parse ("Bad Request: can't parse entities: ..."),
// texts are limited to 4096 characters and captions to 1024, inline keyboard
// buttons need an action and callback_data of at most 64 bytes, photos must be
// images, editing with identical content fails with "message is not
// modified", and answerCallbackQuery only accepts ids the server issued.
//
// # Failure injection
//
// [WithRateLimit] enables Telegram-style flood control (HTTP 429 with
// retry_after), [Server.FailNext] makes the next calls of a method fail with
// a chosen error, [Server.Block] simulates a user who blocked the bot and
// [Server.SetLatency] slows every send-type call down.
//
// [New] creates a server outside of tests (for benchmarks); call
// [Server.Close] when done. All methods are safe for concurrent use.
package telegramtest
