package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxRequestBody caps a request body; Telegram allows 50 MB uploads.
const maxRequestBody = 50 << 20

// File is a file the bot sent.
type File struct {
	// Name and Data are the uploaded file name and contents. When the bot
	// referred to a file by file_id that this server issued earlier, they are
	// copied from that upload; for unknown ids and URLs they are empty.
	Name string
	Data []byte
	// Ref is the file_id or URL the bot sent instead of uploading, "" for
	// uploads.
	Ref string
	// FileID is the file_id reported back to the bot.
	FileID string
}

// request holds the parameters of one API call. Values of non-string
// parameters (numbers, booleans, objects) are kept as their JSON text, the
// way multipart and url-encoded clients send them.
type request struct {
	method string
	values map[string]string
	files  map[string]*File
}

func (r *request) str(name string) string { return r.values[name] }

func (r *request) has(name string) bool {
	_, ok := r.values[name]
	return ok
}

func (r *request) int64(name string) (int64, bool, error) {
	v, ok := r.values[name]
	if !ok || v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, true, err
	}
	return n, true, nil
}

func (r *request) bool(name string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(r.values[name]))
	return b
}

// chatID returns the numeric chat_id. Channel usernames are not supported.
func (r *request) chatID() (int64, *apiError) {
	id, ok, err := r.int64("chat_id")
	if !ok {
		return 0, badRequest("chat_id is empty")
	}
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

func (r *request) messageID() (int, *apiError) {
	id, ok, err := r.int64("message_id")
	if !ok {
		return 0, badRequest("message identifier is not specified")
	}
	if err != nil {
		return 0, badRequest("invalid message identifier specified")
	}
	return int(id), nil
}

// file resolves an InputFile parameter: an uploaded part with that name, an
// "attach://<part>" reference, or a file_id/URL string.
func (r *request) file(name string) (*File, bool) {
	if f, ok := r.files[name]; ok {
		return f, true
	}
	v, ok := r.values[name]
	if !ok || v == "" {
		return nil, false
	}
	if part, ok := strings.CutPrefix(v, "attach://"); ok {
		f, ok := r.files[part]
		return f, ok
	}
	return &File{Ref: v}, true
}

// parseRequest reads the query string and a JSON, multipart or url-encoded
// body into a request.
func parseRequest(w http.ResponseWriter, hr *http.Request) (*request, error) {
	r := &request{values: make(map[string]string)}
	for k, v := range hr.URL.Query() {
		if len(v) > 0 {
			r.values[k] = v[0]
		}
	}
	if hr.Body == nil {
		return r, nil
	}
	body := http.MaxBytesReader(w, hr.Body, maxRequestBody)
	hr.Body = body
	mediaType, _, _ := mime.ParseMediaType(hr.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		mr, err := hr.MultipartReader()
		if err != nil {
			return nil, fmt.Errorf("can't parse multipart body: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("can't parse multipart body: %v", err)
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, fmt.Errorf("can't read multipart body: %v", err)
			}
			name := part.FormName()
			if fn := part.FileName(); fn != "" {
				if r.files == nil {
					r.files = make(map[string]*File)
				}
				r.files[name] = &File{Name: fn, Data: data}
				continue
			}
			r.values[name] = string(data)
		}
	case "application/x-www-form-urlencoded":
		if err := hr.ParseForm(); err != nil {
			return nil, fmt.Errorf("can't parse form body: %v", err)
		}
		for k, v := range hr.PostForm {
			if len(v) > 0 {
				r.values[k] = v[0]
			}
		}
	default:
		data, err := io.ReadAll(body)
		if err != nil {
			return nil, fmt.Errorf("can't read body: %v", err)
		}
		data = bytes.TrimSpace(data)
		if len(data) == 0 {
			return r, nil
		}
		if mediaType != "application/json" && data[0] != '{' {
			return r, nil
		}
		if err := r.addJSON(data); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// addJSON adds the parameters of a JSON object: strings as they are, other values as JSON.
func (r *request) addJSON(data []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return fmt.Errorf("can't parse JSON body: %v", err)
	}
	for k, raw := range obj {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) == 0 || string(raw) == "null":
		case raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return fmt.Errorf("can't parse parameter %q: %v", k, err)
			}
			r.values[k] = s
		default:
			r.values[k] = string(raw)
		}
	}
	return nil
}
