// Package fonts embeds the font that documents and charts draw Chinese and Latin text with,
// so that no font needs to be installed where orderbot runs.
package fonts

import _ "embed"

// WQYMicroHei is WenQuanYi Micro Hei (a sans-serif with Chinese, Latin and digits), face 0
// of wqy-microhei.ttc saved as a plain TrueType file, which PDF and chart libraries read.
// Licensed Apache-2.0 (or GPL-3 with the font exception): LICENSE-wqy-microhei.
//
//go:embed wqy-microhei.ttf
var WQYMicroHei []byte

// Name is the family name of WQYMicroHei, for libraries that register fonts by name.
const Name = "WenQuanYi Micro Hei"
