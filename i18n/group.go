package i18n

// group are the texts of the staff group: binding a group chat, claiming its cards, and the
// help lines of complaints and the team.
var group = map[string]Text{
	"cmd.bindgroup":      {"Make this group the staff group (managers)", "将本群设为员工群（经理）"},
	"cmd.unbindgroup":    {"Stop sending cards to this group (managers)", "停止向本群发送卡片（经理）"},
	"cmd.group_language": {"Language of this group's cards (managers)", "本群卡片的语言（经理）"},
	"cmd.groupcopies":    {"Private copies of the staff group's cards: on or off", "员工群卡片的私聊副本：开启或关闭"},

	"group.bound": {"This group is now the desk's staff group. Review cards, change requests, stale-review and overdue alerts, unassigned complaints and unreachable customers come here, one message for the team: press Claim to take one. /unbindgroup undoes this.",
		"本群已设为员工群。待审核订单、变更申请、审核超时与逾期提醒、无人负责的投诉以及联系不上的客户都会发到这里，全组只发一条：点击“认领”即由您负责。发送 /unbindgroup 可取消。"},
	"group.rebound":       {"This group was the staff group already; it stays so.", "本群已是员工群，无需重复设置。"},
	"group.unbound":       {"This group no longer receives the desk's cards: staff get them in their private chats again.", "本群不再接收卡片，员工将重新在私聊中收到。"},
	"group.not_bound":     {"This group is not the staff group: nothing to undo.", "本群不是员工群，无需取消。"},
	"group.managers_only": {"Only a manager of the desk can bind or unbind the staff group. Nothing was changed.", "只有经理可以设置或取消员工群，本次操作未执行。"},
	"group.in_group_only": {"Add me to the team's group chat and send /bindgroup there.", "请先把我加入团队的群聊，然后在群里发送 /bindgroup。"},
	"group.staff_only":    {"Only the desk's staff can use these buttons.", "只有本店员工可以使用这些按钮。"},
	"group.btn.claim":     {"✋ Claim", "✋ 认领"},
	"group.claimed_by":    {"✋ Claimed by %s", "✋ 已由%s认领"},
	"group.you_claimed":   {"It is yours now.", "已由您负责。"},
	"group.already":       {"Already claimed by %s. Nothing was changed.", "已由%s认领，本次操作未执行。"},
	"group.in_private":    {"Continue in your private chat with me.", "请在与我的私聊中继续。"},
	"group.copies.on":     {"You will also get private copies of the staff group's cards.", "今后您还会在私聊中收到员工群卡片的副本。"},
	"group.copies.off":    {"You get the staff group's cards in the group only.", "今后员工群的卡片只发到群里。"},
	"group.change_handled": {"Change request #%d (order %s) is handled by %s, who claimed it in the staff group. Nothing was changed.",
		"第%d号变更申请（订单 %s）已由%s在员工群认领处理，本次操作未执行。"},
	"group.managers_decide": {"Change requests are decided by managers: only a manager can claim one. Nothing was changed.",
		"变更申请由经理决定，只有经理可以认领。本次操作未执行。"},
	"group.language.choose":        {"Choose the language of this group's cards:", "请选择本群卡片的语言："},
	"group.language.set":           {"This group's cards are in English from now on.", "本群的卡片今后使用中文。"},
	"group.language.managers_only": {"Only a manager of the desk can change the staff group's language. Nothing was changed.", "只有经理可以更改员工群的语言，本次操作未执行。"},
	"group.language.not_bound":     {"This group is not the staff group yet: a manager sends /bindgroup first.", "本群还不是员工群，请经理先发送 /bindgroup。"},
	"group.copies.usage":           {"Send /groupcopies on or /groupcopies off.", "请发送 /groupcopies 开启 或 /groupcopies 关闭。"},

	"complaint.photo_of": {"Photo of complaint #%d (order %s)", "第%d号投诉（订单 %s）的照片"},

	"help.complain": {"/complain — a problem with an order? Tell us, with photos; your sales rep answers here.", "/complain — 订单有问题？请告诉我们，可附照片，业务员会在这里答复。"},
	"help.team": {"/complaints — complaints waiting for the desk\n/groupcopies on|off — private copies of the staff group's cards",
		"/complaints — 待处理的投诉\n/groupcopies 开启|关闭 — 员工群卡片的私聊副本"},
	"help.team.manager": {"/invite rep|manager — a one-time link that makes its user staff\n/bindgroup, /unbindgroup — send in the team's group: cards and alerts go there, once for the team\n/language — sent in the staff group: the language of its cards",
		"/invite 业务员|经理 — 生成一次性邀请链接\n/bindgroup、/unbindgroup — 在团队群里发送：卡片和提醒发到群里，全组一条\n/language — 在员工群里发送：设置群卡片的语言"},
}
