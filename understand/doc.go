// Package understand reads what people type to the order desk, in Chinese or English:
// quantities with Chinese numerals and measure words, dates relative to today, yes/no and
// "none" answers, addresses, phones, names, amounts, carriers with tracking numbers,
// payment methods and option values by their labels, products by name, SKU, category or
// synonym (tolerating a typo), whole orders typed in one message, and the sentences staff
// type to the desk.
//
// It is rule-based, local and pure: no network, no model, no clock of its own (today is
// always passed in), no Telegram, storage or i18n. Its one rule above all: a field is
// either understood right or left missing (or ambiguous, with candidates) — never guessed.
//
// The small functions (Quantity, ParseDate, Phone, Amount, YesNo, IsNone, Address, Name,
// Language, PickLabel) need no configuration. Whatever needs the catalog, the payment
// methods or the carriers is a method of Parser, built once by New from a Config.
package understand
