package notify

import "context"

// SetBeforeClaim makes n run f once a job holds a send slot, before its claim.
func SetBeforeClaim(n *Notifier, f func(ctx context.Context, args SendArgs)) { n.beforeClaim = f }

// SetAfterSend makes n run f after Telegram accepted a message and before the send is
// recorded.
func SetAfterSend(n *Notifier, f func(ctx context.Context, args SendArgs)) { n.afterSend = f }
