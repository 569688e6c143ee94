package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"xinyong"
)

// statusOf maps the domain's error codes to HTTP statuses: the only place
// that does.
var statusOf = map[string]int{
	xinyong.EINVALID:        http.StatusBadRequest,
	xinyong.ENOTFOUND:       http.StatusNotFound,
	xinyong.ECONFLICT:       http.StatusConflict,
	xinyong.EUNAUTHORIZED:   http.StatusUnauthorized,
	xinyong.EFORBIDDEN:      http.StatusForbidden,
	xinyong.EDEADLINEPASSED: http.StatusUnprocessableEntity,
	xinyong.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	xinyong.EUNSUPPORTED:    http.StatusUnsupportedMediaType,
	xinyong.ETOOMANY:        http.StatusTooManyRequests,
	xinyong.EINTERNAL:       http.StatusInternalServerError,
	eMethodNotAllowed:       http.StatusMethodNotAllowed,
}

// eMethodNotAllowed is the HTTP layer's own code for a known API path asked
// with a method it does not take.
const eMethodNotAllowed = "method_not_allowed"

// titles are the problem titles per code, in Chinese and English.
var titles = map[string]string{
	xinyong.EINVALID:        "请求无效 (invalid request)",
	xinyong.ENOTFOUND:       "未找到 (not found)",
	xinyong.ECONFLICT:       "冲突 (conflict)",
	xinyong.EUNAUTHORIZED:   "需要登录 (authentication required)",
	xinyong.EFORBIDDEN:      "无权操作 (forbidden)",
	xinyong.EDEADLINEPASSED: "期限已过 (deadline passed)",
	xinyong.ETOOLARGE:       "内容过大 (too large)",
	xinyong.EUNSUPPORTED:    "内容类型不支持 (unsupported media type)",
	xinyong.ETOOMANY:        "请求过多 (too many requests)",
	xinyong.EINTERNAL:       "内部错误 (internal error)",
	eMethodNotAllowed:       "方法不允许 (method not allowed)",
}

// Problem is an RFC 9457 problem details object with Xinyong's extensions:
// a stable code and, for validation, the broken rules.
type Problem struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail"`
	Instance  string               `json:"instance,omitempty"`
	Code      string               `json:"code"`
	Errors    []xinyong.FieldError `json:"errors,omitempty"`
	RequestID string               `json:"request_id,omitempty"`
}

// problemOf builds the problem for err; internal errors are logged and shown
// with a generic message only. A citizen ID number in a message (a caller's
// input repeated back) is masked in the answer and in the log.
func problemOf(r *http.Request, log *slog.Logger, err error) Problem {
	code := xinyong.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status, code = http.StatusInternalServerError, xinyong.EINTERNAL
	}
	p := Problem{
		Type:      "https://xinyong.invalid/problems/" + code,
		Title:     titles[code],
		Status:    status,
		Detail:    xinyong.MaskCitizenIDs(xinyong.ErrorMessage(err)),
		Instance:  xinyong.MaskCitizenIDs(r.URL.Path),
		Code:      code,
		Errors:    slices.Clone(xinyong.ErrorFields(err)), // masked below, not in err
		RequestID: requestID(r.Context()),
	}
	for i := range p.Errors {
		p.Errors[i].Message = xinyong.MaskCitizenIDs(p.Errors[i].Message)
	}
	logged := xinyong.MaskCitizenIDs(err.Error())
	switch {
	case status >= 500 && r.Context().Err() != nil && errors.Is(err, r.Context().Err()):
		// The client went away (or the server is stopping): nothing failed
		// that an operator must look at.
		log.Info("request abandoned", "request_id", p.RequestID, "method", r.Method, "path", xinyong.MaskCitizenIDs(r.URL.Path), "err", logged)
	case status >= 500:
		log.Error("request failed", "request_id", p.RequestID, "method", r.Method, "path", xinyong.MaskCitizenIDs(r.URL.Path), "err", logged)
	default:
		log.Info("request refused", "request_id", p.RequestID, "method", r.Method, "path", xinyong.MaskCitizenIDs(r.URL.Path), "code", code, "detail", p.Detail)
	}
	return p
}

func writeProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemOf(r, log, err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// decodeJSON reads a JSON request body into v strictly: the content type
// must be JSON, the body at most limit bytes, valid UTF-8, one object with
// no unknown fields.
func decodeJSON(r *http.Request, limit int64, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return xinyong.Errorf(xinyong.EUNSUPPORTED, "send the body as application/json (got %q)", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return xinyong.Errorf(xinyong.EINVALID, "could not read the request body")
	}
	if int64(len(body)) > limit {
		return xinyong.Errorf(xinyong.ETOOLARGE, "the request body is larger than %d bytes", limit)
	}
	if !utf8.Valid(body) {
		return xinyong.Invalid("the request body is not valid UTF-8", xinyong.FieldError{Field: "body", Rule: "encoding.utf8", Message: "JSON must be UTF-8 encoded; convert GBK text before sending"})
	}
	if hasNULEscape(body) {
		// PostgreSQL text cannot hold U+0000, and no credit information needs it.
		return xinyong.Invalid("the request body holds a NUL character", xinyong.FieldError{Field: "body", Rule: "encoding.nul", Message: "text must not contain \\u0000"})
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, reflect.TypeOf(v))
	}
	if _, err := dec.Token(); err != io.EOF {
		return xinyong.Invalid("the request body holds more than one JSON value", xinyong.FieldError{Field: "body", Rule: "json.single", Message: "send exactly one JSON object"})
	}
	return nil
}

func jsonError(err error, target reflect.Type) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return xinyong.Invalid("malformed JSON", xinyong.FieldError{Field: "body", Rule: "json.syntax", Message: err.Error() + " at byte " + itoa64(syn.Offset)})
	case errors.As(err, &typ):
		field := jsonPath(typ.Field, target)
		if field == "" {
			field = "body"
		}
		return xinyong.Invalid("a field has the wrong type", xinyong.FieldError{Field: field, Rule: "json.type", Message: "expected " + typ.Type.String() + ", got JSON " + typ.Value})
	case errors.Is(err, io.EOF):
		return xinyong.Invalid("empty body", xinyong.FieldError{Field: "body", Rule: "json.empty", Message: "send a JSON object"})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return xinyong.Invalid("truncated JSON", xinyong.FieldError{Field: "body", Rule: "json.syntax", Message: "the JSON ends too early"})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		quoted := strings.TrimPrefix(err.Error(), "json: unknown field ")
		name := strings.Trim(quoted, `"`)
		if name == "" {
			name = "body"
		}
		return xinyong.Invalid("unknown field", xinyong.FieldError{Field: name, Rule: "json.unknown_field", Message: "field " + quoted + " is not part of this request"})
	}
	return xinyong.Invalid("the JSON could not be read", xinyong.FieldError{Field: "body", Rule: "json", Message: err.Error()})
}

// hasNULEscape reports whether a JSON text holds the escape \u0000 (a raw
// NUL is not valid JSON anyway).
func hasNULEscape(b []byte) bool {
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(`\u0000`))
		if j < 0 {
			return false
		}
		k := i + j
		n := 0 // backslashes before the match: an odd count escapes it
		for k-n-1 >= 0 && b[k-n-1] == '\\' {
			n++
		}
		if n%2 == 0 {
			return true
		}
		i = k + 1
	}
}

// jsonPath removes from a decoder's field path the Go names of embedded
// structs (RecordInput.item is the client's item).
func jsonPath(path string, target reflect.Type) string {
	embedded := map[string]bool{}
	embeddedNames(target, embedded, 0)
	parts := strings.Split(path, ".")
	out := parts[:0]
	for _, p := range parts {
		if !embedded[p] {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

func embeddedNames(t reflect.Type, names map[string]bool, depth int) {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || depth > 8 {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Tag.Get("json") == "" {
			names[f.Name] = true
		}
		embeddedNames(f.Type, names, depth+1)
	}
}

func itoa64(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
