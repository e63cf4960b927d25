package conversation

import (
	"context"
	"strings"

	"github.com/orderbot/orderbot/orders"
)

// GroupCopies is what the dialog needs of the staff group: a staff member's choice of
// private copies of the group's cards. *orders.Group implements it.
type GroupCopies interface {
	SetCopies(ctx context.Context, a orders.Actor, on bool) error
}

// groupCopyWords are the words /groupcopies takes, in both languages.
var groupCopyWords = map[string]bool{"on": true, "开启": true, "开": true, "off": false, "关闭": false, "关": false}

// groupCopies answers /groupcopies on|off: whether the staff member also gets private
// copies of what goes to the staff group.
func (st *step) groupCopies(args string) error {
	if !st.staffOnly() {
		return nil
	}
	on, ok := groupCopyWords[strings.ToLower(strings.TrimSpace(args))]
	if !ok || st.e.group == nil {
		st.say(st.t("group.copies.usage"))
		return nil
	}
	if err := st.e.group.SetCopies(st.ctx, st.actor(), on); err != nil {
		return err
	}
	if on {
		st.say(st.t("group.copies.on"))
	} else {
		st.say(st.t("group.copies.off"))
	}
	return nil
}
