package i18n

// records are the texts of what an order records: its payment status with what is paid
// and owed, cancellation requests, and the catalog's units.
var records = map[string]Text{
	// Payment status partly_paid, in the dialog and in notifications.
	"payment.partly_paid":          {"partly paid", "部分付款"},
	"notice.paystate.partly_paid":  {"partly paid", "部分付款"},
	"payment.paid_owed":            {"%s (paid %s, owed %s)", "%s（已付 %s，未付 %s）"},
	"notice.payment.next.partly":   {"Paid so far: %s; still owed: %s.", "已付 %s，尚欠 %s。"},
	"notice.payment.next.deposit2": {"Deposit due before production: %s; paid so far: %s.", "生产前应付订金 %s，目前已付 %s。"},
}
