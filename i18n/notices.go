package i18n

// notices are the texts of notifications: messages the bot sends without being asked.
// Keys start with "notice.".
var notices = map[string]Text{}
