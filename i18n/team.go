package i18n

// team are the texts of the desk's team: invitations to join the staff.
var team = map[string]Text{
	"cmd.invite":   {"Invite a rep or a manager: /invite rep|manager", "邀请员工：/invite 业务员|经理"},
	"role.rep":     {"sales rep", "业务员"},
	"role.manager": {"manager", "经理"},
	"invite.usage": {"Whom do you invite? Send /invite rep or /invite manager.",
		"请说明邀请的角色：发送 /invite 业务员 或 /invite 经理。"},
	"invite.managers_only": {"Only managers can invite staff. Ask a manager for an invitation link.",
		"只有经理可以邀请员工，请联系经理获取邀请链接。"},
	"invite.unavailable": {"Invitations are not available here.", "此处无法发出邀请。"},
	"invite.link": {"Invitation for a %s, for one person, valid until %s. Forward this link to them; tapping it makes them staff:\n%s",
		"邀请%s的链接，仅限一人使用，有效期至%s。请转发给对方，对方点开即可加入：\n%s"},
	"invite.command": {"Invitation for a %s, for one person, valid until %s. Ask them to send this to the bot:\n/start %s",
		"邀请%s，仅限一人使用，有效期至%s。请对方向机器人发送：\n/start %s"},
	"join.done": {"Welcome to the desk, %s! You are now a %s. Send /help to see your commands.",
		"%s，欢迎加入！您现在的身份是%s。发送 /help 查看可用命令。"},
	"join.used": {"This invitation has already been used. Ask a manager for a new one.",
		"该邀请链接已被使用，请向经理索取新的链接。"},
	"join.expired": {"This invitation has expired (invitations last 24 hours). Ask a manager for a new one.",
		"该邀请链接已过期（有效期为24小时），请向经理索取新的链接。"},
	"join.unknown": {"This invitation link is not valid. Ask a manager for a new one.",
		"该邀请链接无效，请向经理索取新的链接。"},
}
