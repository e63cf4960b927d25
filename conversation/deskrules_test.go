package conversation_test

import (
	"testing"

	"github.com/orderbot/orderbot/internal/testbed"
)

// A wanted date on a configured holiday is refused with the next working day offered.
func TestHolidayDateOffersNextWorkingDay(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	d := newDriver(t, bed, 5101, "en")
	d.cmd("/neworder")
	d.text("CHAIR-100")
	d.press("grey")
	d.text("2")
	d.press("Continue")
	d.press("Wei Zhang")
	d.text("13800138000")
	d.text("No. 1 Century Avenue, Shanghai")
	d.text("2026-12-25")
	d.expect("2026-12-25 is a holiday", "The next working day is 2026-12-28")
	d.press("2026-12-28")
	d.expect("Bank transfer")
	d.press("Bank transfer")
	d.press("Skip")
	d.expect("2026-12-28")
}
