package i18n

// pipeline holds the texts of the update pipeline: what a user reads when the bot gives
// up on one of their messages, or when they send faster than it can answer.
var pipeline = map[string]Text{
	"updates.apology": {
		"Sorry, we could not process your last message. Nothing of your orders was lost; please try again, or send /start to begin afresh.",
		"抱歉，我们未能处理您刚才的消息。您的订单不受影响，请重试，或发送 /start 重新开始。",
	},
	"updates.slow_down": {
		"You are sending messages faster than we can answer them. Please slow down: we answer the ones we have first, the others were not taken.",
		"您发送消息的速度太快，我们来不及回复。请稍慢一些：我们会先回复已收到的消息，其余的消息未被受理。",
	},
}
