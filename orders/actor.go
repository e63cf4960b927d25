package orders

import (
	"slices"
	"strconv"
)

// ActorKind says who acts.
type ActorKind string

// Kinds of actors.
const (
	ActorCustomer ActorKind = "customer"
	ActorStaff    ActorKind = "staff"
	ActorOperator ActorKind = "operator" // the command line: acts with a manager's rights
	ActorChannel  ActorKind = "channel"  // a sales channel through the API: acts as the customer of its orders
)

// Actor is who acts on an order.
type Actor struct {
	Kind       ActorKind
	TelegramID int64
	Name       string
	Role       Role // for staff
	Lang       string
}

// Operator is the command line's actor.
var Operator = Actor{Kind: ActorOperator, Name: "operator"}

// StaffActor returns the actor of a staff member.
func StaffActor(s Staff) Actor {
	return Actor{Kind: ActorStaff, TelegramID: s.TelegramID, Name: s.Name, Role: s.Role, Lang: s.Language}
}

// CustomerActor returns the actor of a customer.
func CustomerActor(telegramID int64) Actor {
	return Actor{Kind: ActorCustomer, TelegramID: telegramID}
}

// String is how the actor is recorded in history: "customer:42", "rep:7", "manager:9", "operator".
func (a Actor) String() string {
	switch a.Kind {
	case ActorCustomer:
		return "customer:" + strconv.FormatInt(a.TelegramID, 10)
	case ActorStaff:
		return string(a.Role) + ":" + strconv.FormatInt(a.TelegramID, 10)
	case ActorChannel:
		return ChannelSource(a.Name)
	}
	return "operator"
}

// Display is how the actor is named to people.
func (a Actor) Display() string {
	if a.Name != "" {
		return a.Name
	}
	return a.String()
}

// Action is something only some actors may do.
type Action string

// Staff actions.
const (
	ActReview           Action = "review"             // accept, re-date or reject an order in review
	ActAdvance          Action = "advance"            // production, quality check, shipment, delivery, completion
	ActCancel           Action = "cancel"             // cancel an order after the customer confirmed it
	ActRecordPayment    Action = "record_payment"     // record a deposit or payment
	ActDecideChange     Action = "decide_change"      // approve or reject a customer's change request
	ActPlaceForCustomer Action = "place_for_customer" // order on behalf of a customer
	ActViewAll          Action = "view_all"           // queues, search, any order's card
	ActReportDesk       Action = "report_desk"        // reports and exports of the whole desk
	ActReportOwn        Action = "report_own"         // reports and exports of one's own orders
	ActInviteStaff      Action = "invite_staff"       // invite someone to join the staff
	ActBindGroup        Action = "bind_group"         // make a group chat the staff group, or undo it
)

// permissions is the one table of who may do what. The operator may do everything; a
// customer none of these.
var permissions = map[Action][]Role{
	ActReview:           {RoleRep, RoleManager},
	ActAdvance:          {RoleRep, RoleManager},
	ActCancel:           {RoleManager},
	ActRecordPayment:    {RoleRep, RoleManager},
	ActDecideChange:     {RoleManager},
	ActInviteStaff:      {RoleManager},
	ActBindGroup:        {RoleManager},
	ActPlaceForCustomer: {RoleRep, RoleManager},
	ActViewAll:          {RoleRep, RoleManager},
	ActReportDesk:       {RoleManager},
	ActReportOwn:        {RoleRep, RoleManager},
}

// May reports whether the actor may take the action.
func (a Actor) May(act Action) bool {
	switch a.Kind {
	case ActorOperator:
		return true
	case ActorStaff:
		return slices.Contains(permissions[act], a.Role)
	}
	return false
}
