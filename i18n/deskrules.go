package i18n

// deskrules are the texts of the rules the order desk enforces on every action.
var deskrules = map[string]Text{
	"err.date.holiday": {
		"%s is a holiday: we do not deliver then. The next working day is %s: pick it or another day.",
		"%s是节假日，不安排送货。下一个工作日是%s，请选择该日或另选日期。",
	},
	"err.production_required": {
		"%s needs production (or a payment in advance) first: it cannot ship straight from confirmed.",
		"订单 %s 需先投产（或先收预付款），不能由已确认直接发货。",
	},
}
