package bot

import (
	"bytes"
	"encoding/json"
)

// A getUpdates answer holds every update not yet confirmed, and while updates are being
// handled most of them were received before. splitResult finds the answer's "ok" and the
// elements of its "result" array by scanning the bytes, without decoding them, so that only
// the new updates are decoded. It does not validate: each element it returns is decoded (and
// so checked) before use, and anything it does not expect makes it give up (ok=false), in
// which case the caller decodes the whole answer with encoding/json.
func splitResult(body []byte) (elems []json.RawMessage, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	i = skipSpace(body, i+1)
	var okTrue, haveResult bool
	for i < len(body) && body[i] != '}' {
		if body[i] != '"' {
			return nil, false
		}
		end := skipString(body, i)
		if end < 0 {
			return nil, false
		}
		key := body[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return nil, false
		}
		i = skipSpace(body, end)
		if i >= len(body) || body[i] != ':' {
			return nil, false
		}
		i = skipSpace(body, i+1)
		vend := skipValue(body, i)
		if vend < 0 {
			return nil, false
		}
		switch string(key) {
		case "ok":
			if string(body[i:vend]) != "true" {
				return nil, false
			}
			okTrue = true
		case "result":
			if elems, ok = splitArray(body[i:vend]); !ok {
				return nil, false
			}
			haveResult = true
		}
		i = skipSpace(body, vend)
		switch {
		case i >= len(body):
			return nil, false
		case body[i] == ',':
			if i = skipSpace(body, i+1); i < len(body) && body[i] == '}' {
				return nil, false // a trailing comma
			}
		case body[i] != '}':
			return nil, false
		}
	}
	if i >= len(body) || skipSpace(body, i+1) != len(body) || !okTrue || !haveResult {
		return nil, false
	}
	return elems, true
}

// splitArray returns the elements of the JSON array a.
func splitArray(a []byte) ([]json.RawMessage, bool) {
	if len(a) < 2 || a[0] != '[' || a[len(a)-1] != ']' {
		return nil, false
	}
	elems := []json.RawMessage{}
	i := skipSpace(a, 1)
	if i == len(a)-1 {
		return elems, true
	}
	for {
		end := skipValue(a, i)
		if end < 0 {
			return nil, false
		}
		elems = append(elems, a[i:end])
		i = skipSpace(a, end)
		switch {
		case i >= len(a):
			return nil, false
		case a[i] == ']':
			return elems, i == len(a)-1
		case a[i] != ',':
			return nil, false
		}
		i = skipSpace(a, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"', or -1.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// skipValue returns the index after the value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end := skipString(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}
