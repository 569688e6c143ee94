package server

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"xinyong"
)

var pathParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// OpenAPI returns the OpenAPI 3.1 document built from the route table.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		op := map[string]any{
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
			"operationId": strings.ToLower(rt.Method) + strings.NewReplacer("/api/v1", "", "/", "_", "{", "", "}", "", ":", "_", "-", "_", ".", "_").Replace(rt.Path),
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		doc := opDocs[rt.Method+" "+rt.Path]
		for _, q := range doc.Query {
			params = append(params, q.openAPI())
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Request), 0)}}}
		}
		if rt.Auth == "token" {
			op["security"] = []map[string]any{{"bearer": []string{}}, {"session": []string{}}}
		}
		status := rt.Status
		if status == 0 {
			status = 200
		}
		resp := map[string]any{"description": http.StatusText(status)}
		if status != 204 {
			produces := doc.Produces
			if len(produces) == 0 {
				produces = []string{"application/json"}
			}
			content := map[string]any{}
			for _, mt := range produces {
				content[mt] = map[string]any{"schema": bodySchema(mt)}
			}
			resp["content"] = content
		}
		op["responses"] = map[string]any{
			itoa64(int64(status)): resp,
			"default":             map[string]any{"description": "problem", "content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}},
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Xinyong public credit information platform API",
			"version":     s.Version,
			"description": "公共信用信息平台 API. Errors are RFC 9457 application/problem+json with a stable code and, for validation, a list of {field, rule, message}.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": map[string]any{"Problem": schemaOf(reflect.TypeOf(Problem{}), 0)},
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "API token from `xinyong token create`"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie, "description": "console session; unsafe methods need X-CSRF-Token (a URL-encoded form may send it as its csrf field, a multipart form as the csrf query parameter)"},
			},
		},
	}
}

// bodySchema is the schema of a success answer of media type mt.
func bodySchema(mt string) map[string]any {
	switch {
	case mt == "application/json":
		return map[string]any{"type": "object"}
	case strings.HasPrefix(mt, "text/"):
		return map[string]any{"type": "string"}
	}
	return map[string]any{"type": "string", "format": "binary", "contentMediaType": mt}
}

// queryParam is one query parameter an operation reads.
type queryParam struct {
	Name     string
	Type     string // "string" when empty, "integer", "boolean"
	Format   string // "date", "date-time", …
	Enum     []string
	Required bool // the operation refuses a request without it
	Doc      string
}

func (q queryParam) openAPI() map[string]any {
	typ := q.Type
	if typ == "" {
		typ = "string"
	}
	schema := map[string]any{"type": typ}
	if q.Format != "" {
		schema["format"] = q.Format
	}
	if q.Enum != nil {
		schema["enum"] = q.Enum
	}
	return map[string]any{"name": q.Name, "in": "query", "required": q.Required, "description": q.Doc, "schema": schema}
}

// opDoc is what the route table does not say about an operation: the query
// parameters its handler reads and the media types of its success answer
// (application/json when Produces is empty).
type opDoc struct {
	Query    []queryParam
	Produces []string
}

// Query parameters several operations share.
var (
	qPage     = queryParam{Name: "page", Type: "integer", Doc: "page number, from 1 (default 1)"}
	qLimit    = queryParam{Name: "limit", Type: "integer", Doc: "at most this many items"}
	qOpen     = queryParam{Name: "open", Type: "boolean", Doc: "only cases still open"}
	qOverdue  = queryParam{Name: "overdue", Type: "boolean", Doc: "only cases past their time limit"}
	qDeptID   = queryParam{Name: "department", Doc: "a department's id (admin, auditor; officers see their own department's)"}
	qModel    = queryParam{Name: "model", Doc: "grading model id (default: the default model in force)"}
	qConsent  = queryParam{Name: "consent", Doc: "id of the natural person's consent in force (an organisation asking about a person)"}
	qPurpose  = queryParam{Name: "purpose", Doc: "the purpose of the query (recorded in the query-use register)"}
	qQueryLog = []queryParam{
		{Name: "actor", Doc: "who queried (actor reference)"},
		{Name: "subject", Doc: "the subject queried (code or reference)"},
		{Name: "from", Doc: "from this time (RFC 3339) or day (YYYY-MM-DD)"},
		{Name: "to", Doc: "until this time (RFC 3339) or day (YYYY-MM-DD)"},
		{Name: "flagged", Type: "boolean", Doc: "only entries flagged (true) or not (false)"},
		{Name: "reviewed", Type: "boolean", Doc: "only entries reviewed (true) or not (false)"},
		qPage,
	}
	qPublicList = []queryParam{
		{Name: "department", Doc: "the department (unified social credit code or id)"},
		{Name: "from", Format: "date", Doc: "decision dates from this day (YYYY-MM-DD)"},
		{Name: "to", Format: "date", Doc: "decision dates until this day (YYYY-MM-DD)"},
		qPage,
	}
)

// opDocs is keyed by "METHOD PATH" of the route table. The OpenAPI tests
// check it against the handlers: every query parameter a handler reads
// (found in the package's source) is declared here and nothing else, and
// what the routes answer has the media types declared here.
var opDocs = map[string]opDoc{
	"GET /api/v1/audit": {Query: []queryParam{
		{Name: "object_type", Doc: "only events about objects of this type"},
		{Name: "object_id", Doc: "only events about this object"},
		{Name: "actor", Doc: "only events by this actor"},
		{Name: "action", Doc: "only events of this action"},
		qLimit,
	}},
	"GET /api/v1/records": {Query: []queryParam{
		{Name: "subject_id", Doc: "one subject's records (a registered supervision query for the admin and auditors when non-public records show)"},
		{Name: "item", Doc: "catalogue item code"},
		{Name: "import_id", Doc: "records of one import"},
		{Name: "status", Enum: []string{"active", "withdrawn"}, Doc: "record status"},
		{Name: "department_id", Doc: "records of one department (admin, auditor)"},
		{Name: "after", Doc: "the previous page's next (record id)"},
		qLimit,
	}},
	"GET /api/v1/imports/{id}/errors.csv": {Produces: []string{"text/csv"}},
	"GET /api/v1/ledger/checkpoint":       {Produces: []string{"text/plain"}},
	"GET /api/v1/ledger/key":              {Produces: []string{"text/plain"}},
	"GET /api/v1/ledger/proof/inclusion": {Query: []queryParam{
		{Name: "index", Type: "integer", Required: true, Doc: "leaf index"},
		{Name: "size", Type: "integer", Required: true, Doc: "tree size"},
	}},
	"GET /api/v1/ledger/proof/consistency": {Query: []queryParam{
		{Name: "old", Type: "integer", Required: true, Doc: "the earlier tree size"},
		{Name: "new", Type: "integer", Required: true, Doc: "the later tree size"},
	}},
	"GET /api/v1/subjects/{code}/report.pdf":  {Query: []queryParam{qConsent, qPurpose}, Produces: []string{"application/pdf"}},
	"GET /api/v1/subjects/{code}/report.json": {Query: []queryParam{qConsent, qPurpose}},
	"GET /api/v1/search": {Query: []queryParam{
		{Name: "q", Required: true, Doc: "a unified social credit code or citizen ID number, or a name substring of at least 2 characters"},
		qPage,
	}},
	"GET /api/v1/lists/penalties": {Query: qPublicList},
	"GET /api/v1/lists/licenses":  {Query: qPublicList},
	"GET /api/v1/subjects/{code}/records": {Query: []queryParam{
		{Name: "purpose", Required: true, Doc: "the purpose of the query (recorded in the query-use register)"},
		{Name: "basis", Doc: "the statutory basis of the query (or consent)"},
		{Name: "consent", Doc: "id of the subject's consent in force (or basis)"},
	}},
	"GET /api/v1/subjects/{code}/queries": {Query: []queryParam{qPage}},
	"GET /api/v1/query-log":               {Query: qQueryLog},
	"GET /api/v1/query-log.csv":           {Query: qQueryLog, Produces: []string{"text/csv"}},
	"GET /api/v1/listings": {Query: []queryParam{
		{Name: "state", Enum: listingStateNames(), Doc: "listing state (removed listings only when asked)"},
		qOverdue,
		qDeptID,
		{Name: "offset", Type: "integer", Doc: "skip this many listings (default 0)"},
		{Name: "limit", Type: "integer", Doc: "at most this many listings (default 100, at most 500)"},
	}},
	"GET /listings/{id}/decision":            {Produces: []string{"text/html"}},
	"GET /api/v1/listings/{id}/decision.pdf": {Produces: []string{"application/pdf"}},
	"GET /api/v1/listings/{id}/notice.pdf":   {Produces: []string{"application/pdf"}},
	"GET /api/v1/measures/check": {Query: []queryParam{
		{Name: "subject", Required: true, Doc: "unified social credit code or subject reference"},
		{Name: "matter", Required: true, Doc: "the matter the agency decides (e.g. a licence application)"},
		{Name: "purpose", Required: true, Doc: "the purpose of the check (recorded in the query-use register)"},
	}},
	"GET /api/v1/subscriptions/{id}/dead-letters": {Query: []queryParam{qLimit}},
	"GET /api/v1/events": {Query: []queryParam{
		{Name: "after", Type: "integer", Doc: "cursor: the previous page's next (0 at the start)"},
		{Name: "limit", Type: "integer", Doc: "at most this many events (at most 1000)"},
	}},
	"GET /api/v1/objections": {Query: []queryParam{qOverdue, qOpen,
		{Name: "record", Doc: "objections to one record (id)"},
		qDeptID,
	}},
	"GET /api/v1/subjects/{code}/grade":  {Query: []queryParam{qModel, {Name: "version", Type: "integer", Doc: "the model version whose stored grade to read (with model; a version no longer in force answers only a stored grade)"}}},
	"POST /api/v1/subjects/{code}/grade": {Query: []queryParam{qModel}},
	"GET /api/v1/grading/reviews":        {Query: []queryParam{qOpen}},
	"GET /api/v1/grading/export": {Query: []queryParam{
		{Name: "format", Enum: []string{"csv", "xlsx"}, Doc: "csv (default) or xlsx"},
		qModel,
		{Name: "version", Type: "integer", Doc: "only the grades computed under this model version (with model)"},
		{Name: "department", Doc: "the department (admin; officers get their own department's)"},
	}, Produces: []string{"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}},
	"GET /api/v1/compliance": {Query: []queryParam{
		{Name: "from", Doc: "first month, YYYY-MM (default: six months ago)"},
		{Name: "to", Doc: "last month, YYYY-MM (default: this month)"},
		{Name: "department", Doc: "one unit: a department's id, or org:NAME for an agency"},
	}},
	"GET /api/v1/compliance/cases": {Query: []queryParam{
		{Name: "kind", Required: true, Enum: []string{"late_disclosure", "outside_catalogue", "measure_not_listed", "objection_overdue", "listing_overdue", "repair_overdue"}, Doc: "the kind of violation"},
		{Name: "month", Required: true, Doc: "the month, YYYY-MM"},
		{Name: "department", Doc: "one unit: a department's id, or org:NAME for an agency"},
	}},
	"GET /api/v1/repairs/commitment": {Query: []queryParam{
		{Name: "record", Doc: "the record to repair (id; or listing)"},
		{Name: "listing", Doc: "the listing to repair (id; or record)"},
	}},
	"GET /api/v1/repairs": {Query: []queryParam{
		{Name: "state", Enum: []string{"applied", "accepted", "approved", "refused"}, Doc: "application state"},
		qOpen,
		qOverdue,
		{Name: "department", Doc: "a department's id (the admin; officers and reviewers see their own department's)"},
		{Name: "platform", Type: "boolean", Doc: "only applications the platform decides (the admin)"},
		{Name: "record", Doc: "applications about one record (id)"},
	}},
	"GET /api/v1/repairs/{id}/proofs/{sha256}": {Produces: []string{"application/pdf", "image/jpeg", "image/png"}},
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, s.OpenAPI())
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(xinyong.Date{})
)

// schemaOf derives a JSON Schema from a Go type (json tags respected).
func schemaOf(t reflect.Type, depth int) map[string]any {
	if depth > 6 {
		return map[string]any{}
	}
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case dateType:
		return map[string]any{"type": "string", "format": "date"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), depth)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), depth+1)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), depth+1)}
	case reflect.Struct:
		props := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if ft := f.Type; f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				// An embedded struct's fields are the outer object's (as encoding/json reads them).
				if sub, ok := schemaOf(ft, depth)["properties"].(map[string]any); ok {
					for k, v := range sub {
						if _, outer := props[k]; !outer {
							props[k] = v
						}
					}
					continue
				}
			}
			if name == "" {
				name = f.Name
			}
			props[name] = schemaOf(f.Type, depth+1)
		}
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	}
	return map[string]any{}
}

// listingStateNames are the listing states (xinyong.ListingStates), for
// the queue's state parameter.
func listingStateNames() []string {
	out := make([]string, len(xinyong.ListingStates))
	for i, st := range xinyong.ListingStates {
		out[i] = string(st)
	}
	return out
}
