package i18n

// channelAPI are the texts about the sales channels of the API, told to staff and to a
// channel's contact.
var channelAPI = map[string]Text{
	"notice.webhooks_disabled": {
		"⚠️ Order webhooks of channel %s are switched off: deliveries failed too many times in a row. Its order events are kept and sent once an operator switches them on again.",
		"⚠️ 渠道 %s 的订单事件推送已停用：连续推送失败次数过多。订单事件均已保留，管理员重新启用后将全部补发。",
	},
	"notice.webhooks_disabled.howto":    {"To switch them on: orderbot channels webhook %s URL", "请管理员修复接收端后重新启用渠道 %s 的推送。"},
	"notice.webhooks_disabled.status":   {"The receiver last answered with status %s.", "接收端最近一次返回的状态码为 %s。"},
	"notice.webhooks_disabled.noanswer": {"The receiver last did not answer.", "接收端最近一次没有响应。"},
}
