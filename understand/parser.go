package understand

import (
	"time"

	"github.com/orderbot/orderbot/orders"
)

// Config is what Parser needs to know about the desk. Everything is optional.
type Config struct {
	// Products is the catalog (active products; inactive ones are never matched).
	Products []orders.Product
	// Synonyms are extra names per SKU, in any language: {"CHAIR-100": {"办公椅", "椅子", "office chair"}}.
	// A synonym of one product wins over a category word.
	Synonyms map[string][]string
	// Categories are the words for each category code, in any language:
	// {"chairs": {"椅子", "chair"}}. The code itself is always a word for its category.
	Categories map[string][]string
	// ValueLabels are the labels of option values, in any language, keyed by the value
	// ("black": {"黑色", "黑的"}) or, for one option only, by "option=value"
	// ("writing_board=yes": {"带写字板"}). Built-in labels for common colours, materials,
	// sizes and yes/no are used besides these.
	ValueLabels map[string][]string
	// OptionLabels are the labels of option names: {"colour": {"颜色", "color"},
	// "writing_board": {"写字板", "writing board"}}. They make "带写字板" / "without writing
	// board" set a yes/no option. Built-in labels for common option names are used besides.
	OptionLabels map[string][]string
	// PaymentMethods are the desk's methods; their codes, English and Chinese names and
	// built-in aliases (转账, 微信, COD …) are understood.
	PaymentMethods []orders.PaymentMethod
	// Carriers are the shipping carriers; nil means DefaultCarriers().
	Carriers []Carrier
	// MaxQuantity is the largest quantity of one line; 0 means DefaultMaxQuantity.
	MaxQuantity int
	// Location is the desk's time zone, in which "today" is taken; nil means UTC.
	Location *time.Location
	// Calendar tells working days (for 月底, 3个工作日后); nil means Monday to Friday.
	Calendar Calendar
}

// Parser understands the answers that depend on the desk's catalog, payment methods and
// carriers. It is immutable and safe for concurrent use; New is cheap enough to call per
// message, but building one per catalog change is enough.
type Parser struct {
	cfg      Config
	carriers []Carrier
	cat      *catalogIndex
}

// New builds a Parser.
func New(c Config) *Parser {
	p := &Parser{cfg: c, carriers: c.Carriers}
	if p.carriers == nil {
		p.carriers = DefaultCarriers()
	}
	if p.cfg.MaxQuantity <= 0 {
		p.cfg.MaxQuantity = DefaultMaxQuantity
	}
	p.cat = buildCatalog(c)
	return p
}

// Today is the date of now in the desk's time zone.
func (p *Parser) Today(now time.Time) orders.Date { return Today(now, p.cfg.Location) }

// Date reads a wanted date relative to now (see ParseDate), with the desk's calendar.
func (p *Parser) Date(s string, now time.Time) (DateAnswer, error) {
	return ParseDate(s, p.Today(now), p.cfg.Calendar)
}

// Quantity reads a quantity up to the configured maximum (see the function Quantity).
func (p *Parser) Quantity(s string) (int, error) { return Quantity(s, p.cfg.MaxQuantity) }
