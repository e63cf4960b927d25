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
	d.expect("Fri 25 Dec 2026 is a holiday", "The next working day is Mon 28 Dec 2026")
	d.press("Mon 28 Dec 2026")
	d.expect("Bank transfer")
	d.press("Bank transfer")
	d.press("Skip")
	d.expect("Mon 28 Dec 2026")
}
