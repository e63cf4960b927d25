// Package demo ships the demo catalog: office chairs (one with a writing-board option), a
// custom product, phones in colours, clothing in colours and sizes, and spare parts for
// the big-order rule.
package demo

import _ "embed"

//go:embed catalog.csv
var catalog []byte

// Catalog returns the demo catalog CSV.
func Catalog() []byte { return append([]byte(nil), catalog...) }
