package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"xinyong"
	"xinyong/internal/ledger"
)

// What a record version serves against what its leaf commits to.
//
// A leaf commits to a version's canonical content (content, records.go).
// Readers are not served that content: they get the row's JSON document
// (scanRecord, ListRecordDocs) and, for the current version, its columns
// (status, published, pub_start, pub_max_end for the portal search and the
// measures check; item, severity, subject_id, decision_date, …). Every
// write that seals a version stores the document and the columns from the
// same Record in the same statement (sqlstore InsertRecord, UpdateRecord),
// and nothing changes them later without a new leaf: the publication job
// only tells (record.published events), repair outcomes live in
// record_repair, and erasure by a deletion repair clears the content (such
// versions have nothing left to compare with). So ledger verification
// compares each field that the content determines with what the row
// serves.
//
// It runs over millions of versions, so the usual case costs no JSON
// decoding of the document or the content: the members of the document
// that the content holds are found as raw bytes, put together as
// content() lays them out, and compared with the stored content byte for
// byte (the same encoder wrote both). Only a version where they differ is
// decoded, to name each difference.

// servedRecord is the part of a stored record document (the JSON of a
// xinyong.Record) that the committed content determines.
type servedRecord struct {
	ID           string               `json:"id"`
	Version      int                  `json:"version"`
	Item         string               `json:"item"`
	SubjectID    string               `json:"subject_id"`
	SubjectCode  string               `json:"subject_code"`
	SubjectName  string               `json:"subject_name"`
	SubjectKind  xinyong.SubjectKind  `json:"subject_kind"`
	DepartmentID string               `json:"department_id"`
	Document     xinyong.Document     `json:"document"`
	Fields       map[string]string    `json:"fields"`
	Severity     xinyong.Severity     `json:"severity,omitempty"`
	Categories   []string             `json:"categories,omitempty"`
	Sector       string               `json:"sector,omitempty"`
	Leniency     xinyong.Leniency     `json:"leniency,omitzero"`
	Window       xinyong.Window       `json:"publication"`
	Lateness     xinyong.Lateness     `json:"disclosure"`
	Status       xinyong.RecordStatus `json:"status"`
	Withdrawal   *xinyong.Withdrawal  `json:"withdrawal,omitempty"`
	LedgerIdx    int64                `json:"ledger_index"`
}

// The members of a record document the fast path reads (servedRecord's).
const (
	mID = iota
	mVersion
	mItem
	mSubjectID
	mSubjectCode
	mSubjectName
	mSubjectKind
	mDepartment
	mDocument
	mFields
	mSeverity
	mCategories
	mSector
	mLeniency
	mWindow
	mLateness
	mStatus
	mWithdrawal
	mLedgerIdx
	nMembers
)

// memberNames are the JSON names of servedRecord's fields, by member.
var memberNames = func() [nMembers]string {
	var out [nMembers]string
	t := reflect.TypeFor[servedRecord]()
	for i := range nMembers {
		out[i] = jsonName(t.Field(i).Tag)
	}
	return out
}()

func jsonName(tag reflect.StructTag) string {
	name, _, _ := strings.Cut(tag.Get("json"), ",")
	return name
}

// fastPath says whether the layouts the fast path relies on still hold:
// servedRecord reads the Record's own members (names, options, types), and
// committed and payload (records.go) encode the members in the order and
// with the options contentMatches reads. If someone changed them, every
// version takes the slow path (correct, and slower).
var fastPath = func() bool {
	rec, s := reflect.TypeFor[xinyong.Record](), reflect.TypeFor[servedRecord]()
	if s.NumField() != nMembers {
		return false
	}
	for i := range nMembers {
		f := s.Field(i)
		rf, ok := rec.FieldByName(f.Name)
		if !ok || rf.Tag.Get("json") != f.Tag.Get("json") || rf.Type != f.Type {
			return false
		}
	}
	layout := func(t reflect.Type) string {
		var b strings.Builder
		for i := range t.NumField() {
			f := t.Field(i)
			fmt.Fprintf(&b, "%s:%s;", f.Tag.Get("json"), f.Type)
		}
		return b.String()
	}
	return layout(reflect.TypeFor[committed]()) == "id:string;version:int;department:string;payload:workflow.payload;publication:xinyong.Window;disclosure:xinyong.Lateness;status:xinyong.RecordStatus;withdrawal,omitempty:*xinyong.Withdrawal;" &&
		layout(reflect.TypeFor[payload]()) == "item:string;subject_key:string;subject_name:string;document:xinyong.Document;fields:map[string]string;severity,omitempty:xinyong.Severity;categories,omitempty:[]string;sector,omitempty:string;leniency,omitzero:xinyong.Leniency;"
}()

// rawMembers finds the raw values of the members of a JSON object that
// memberNames names (objectMembers).
func rawMembers(data []byte, out *[nMembers][]byte) bool {
	return objectMembers(data, memberNames[:], out[:])
}

// objectMembers finds the raw values of the members of a JSON object that
// names names (out[i] for names[i], nil when absent). It answers false —
// the caller then decodes — for anything encoding/json might read
// otherwise than as these bytes: not a single object, a member repeated, a
// key with an escape, or a key equal to one of names but for case
// (encoding/json matches keys without regard to case, the last one
// winning).
func objectMembers(data []byte, names []string, out [][]byte) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return skipSpace(data, i+1) == len(data)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return false
		}
		end, ok := skipString(data, i)
		if !ok {
			return false
		}
		key := data[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		i = skipSpace(data, i+1)
		vend, ok := skipValue(data, i)
		if !ok {
			return false
		}
		if m := memberIn(key, names); m >= 0 {
			if out[m] != nil {
				return false
			}
			out[m] = data[i:vend]
		} else if m == -2 {
			return false
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return false
		}
		if data[i] == '}' {
			return skipSpace(data, i+1) == len(data)
		}
		if data[i] != ',' {
			return false
		}
		i = skipSpace(data, i+1)
	}
}

// memberIn returns which of names a key names, -1 for none, -2 for a key
// that names one but for case (names are lower case).
func memberIn(key []byte, names []string) int {
	plain := true
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c == '_' || c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	for m, name := range names {
		if string(key) == name {
			return m
		}
		if !plain && bytes.EqualFold(key, []byte(name)) {
			return -2
		}
	}
	return -1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the end of the string starting at b[i] ('"'). It
// looks for the closing quote with IndexByte: records are mostly long
// strings of Chinese text.
func skipString(b []byte, i int) (int, bool) {
	for j := i + 1; j <= len(b); {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			return 0, false
		}
		e := bytes.IndexByte(b[j:j+q], '\\')
		if e < 0 {
			return j + q + 1, true
		}
		j += e + 2 // past the backslash and the byte it escapes
	}
	return 0, false
}

// skipValue returns the end of the value starting at b[i]. It checks the
// nesting, not the value: a value the fast path uses is compared byte for
// byte with the content, which encoding/json wrote.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, ok := skipString(b, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	default:
		j := i
		for j < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[j])) {
			j++
		}
		return j, j > i
	}
}

// rawString decodes a raw JSON string value.
func rawString(raw []byte) (string, bool) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}

// contentMatches reports whether content is, byte for byte, the content
// a document's members imply, as content() encodes it, with the subject
// key of the document's subject: then each member the content holds is
// what the content says. It builds nothing: each piece is compared with
// the content where it must stand.
func contentMatches(m *[nMembers][]byte, subjectKey string, current bool, content []byte) bool {
	for _, k := range [...]int{mID, mVersion, mDepartment, mItem, mSubjectName, mDocument, mFields, mWindow, mLateness} {
		if m[k] == nil {
			return false
		}
	}
	status := m[mStatus]
	if !current && (status == nil || string(status) == `""`) { // RecordVersions serves an old version without one as active
		status = []byte(`"active"`)
	}
	if status == nil {
		return false
	}
	p := prefix{rest: content, ok: true}
	p.lit(`{"id":`)
	p.raw(m[mID])
	p.lit(`,"version":`)
	p.raw(m[mVersion])
	p.lit(`,"department":`)
	p.raw(m[mDepartment])
	p.lit(`,"payload":{"item":`)
	p.raw(m[mItem])
	p.lit(`,"subject_key":`)
	p.quoted(subjectKey)
	p.lit(`,"subject_name":`)
	p.raw(m[mSubjectName])
	p.lit(`,"document":`)
	p.raw(m[mDocument])
	p.lit(`,"fields":`)
	p.raw(m[mFields])
	p.opt("severity", m[mSeverity])
	p.opt("categories", m[mCategories])
	p.opt("sector", m[mSector])
	p.opt("leniency", m[mLeniency])
	p.lit(`},"publication":`)
	p.raw(m[mWindow])
	p.lit(`,"disclosure":`)
	p.raw(m[mLateness])
	p.lit(`,"status":`)
	p.raw(status)
	p.opt("withdrawal", m[mWithdrawal])
	p.lit(`}`)
	return p.ok && len(p.rest) == 0
}

// prefix consumes expected pieces from the front of rest; ok turns false
// at the first piece that is not there.
type prefix struct {
	rest []byte
	ok   bool
}

func (p *prefix) lit(s string) {
	if p.ok = p.ok && len(p.rest) >= len(s) && string(p.rest[:len(s)]) == s; p.ok {
		p.rest = p.rest[len(s):]
	}
}

func (p *prefix) raw(b []byte) {
	if p.ok = p.ok && bytes.HasPrefix(p.rest, b); p.ok {
		p.rest = p.rest[len(b):]
	}
}

// opt is an omitempty member: absent when v is.
func (p *prefix) opt(name string, v []byte) {
	if v != nil {
		p.lit(`,"`)
		p.lit(name)
		p.lit(`":`)
		p.raw(v)
	}
}

// quoted is s as encoding/json writes a string: as it is, quoted, when
// every byte is printable ASCII the encoder leaves alone.
func (p *prefix) quoted(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, err := json.Marshal(s)
			p.ok = p.ok && err == nil
			p.raw(b)
			return
		}
	}
	p.lit(`"`)
	p.lit(s)
	p.lit(`"`)
}

// pubColumns are the published, pub_start and pub_max_end columns a
// window is stored as (sqlstore pubCols): the dates only when published,
// pub_max_end NULL ("") for a window without a maximum end.
func pubColumns(w xinyong.Window) (published bool, start, maxEnd string) {
	if !w.Published {
		return false, "", ""
	}
	if !w.MaxEnd.IsZero() {
		maxEnd = w.MaxEnd.String()
	}
	return true, w.Start.String(), maxEnd
}

// servedRow is one record version of a chunk being checked.
type servedRow struct {
	row    xinyong.RecordRow
	commit [32]byte // ledger.Commit(row.Salt, row.Content), when it has both
	// served: the content matches the commitment of the leaf the row
	// claims, so what the row serves is checked against it (checked, msgs).
	served, checked bool
	raw             [nMembers][]byte // the document's members (fast path)
	rawOK           bool
	subjectID       string        // the document's subject
	doc             *servedRecord // the decoded document (slow path)
	derr            error         // the document does not decode
	msgs            []string      // what the row serves that its content does not say
}

// decode decodes the document (the slow path).
func (r *servedRow) decode() {
	if r.doc == nil && r.derr == nil {
		r.doc = new(servedRecord)
		if r.derr = json.Unmarshal(r.row.Data, r.doc); r.derr != nil {
			r.doc = nil
		}
	}
}

// prepare computes the row's commitment and, when it is the commitment of
// the leaf the row claims (entries), finds the document's members and
// subject for check.
func (r *servedRow) prepare(entries map[int64]xinyong.LedgerEntry) {
	row := &r.row
	if row.Content == nil || row.Salt == nil {
		return
	}
	r.commit = ledger.Commit(row.Salt, row.Content)
	e, ok := entries[row.LedgerIdx]
	if !ok || e.ObjectType != "record" || e.ObjectID != row.ID || e.Version != row.Version || !bytes.Equal(r.commit[:], e.Commitment) {
		return // reported by verifyChunk; what the row serves is not compared
	}
	r.served = true
	if fastPath && rawMembers(row.Data, &r.raw) {
		if r.subjectID, r.rawOK = rawString(r.raw[mSubjectID]); r.rawOK {
			return
		}
	}
	if r.decode(); r.doc != nil {
		r.subjectID = r.doc.SubjectID
	}
}

// checkServedRows computes, for each record version of a chunk, its
// commitment and, if that is its leaf's, what its row serves that its
// content does not say (msgs). This is the chunk's one pass over its
// record rows after the one scan that read them: the work is spread over
// the processors (pure computation over rows already read), and the
// subjects the rows name are read in one lookup, through cache.
func checkServedRows(tx xinyong.Tx, versions *recordRows, entries map[int64]xinyong.LedgerEntry, cache *subjectCache) error {
	rows := versions.list
	parallel(len(rows), func(i int) {
		if versions.live(i) {
			rows[i].prepare(entries)
		}
	})
	seen := map[string]bool{}
	var ids []string
	for i := range rows {
		if !rows[i].served {
			continue
		}
		for _, id := range []string{rows[i].subjectID, rows[i].row.SubjectID} {
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	subjects, err := cache.load(tx, ids)
	if err != nil {
		return err
	}
	parallel(len(rows), func(i int) {
		if r := &rows[i]; r.served {
			r.msgs, r.checked = r.check(subjects), true
		}
	})
	return nil
}

// servedSubject is what verification compares of a subject: the key the
// content commits to, the code and kind the document serves.
type servedSubject struct {
	Key, Code string
	Kind      xinyong.SubjectKind
}

// subjectCache keeps the subjects verification read across chunks (the
// records of a subject are spread over the log), up to maxCachedSubjects:
// then it starts over, so memory stays bounded.
type subjectCache struct {
	m map[string]servedSubject // by id
}

const maxCachedSubjects = 1 << 16

// load returns the cache holding at least the subjects among ids that
// exist, reading those it does not hold.
func (c *subjectCache) load(tx xinyong.Tx, ids []string) (map[string]servedSubject, error) {
	var missing []string
	for _, id := range ids {
		if _, ok := c.m[id]; !ok {
			missing = append(missing, id)
		}
	}
	if c.m == nil || len(c.m)+len(missing) > maxCachedSubjects {
		c.m, missing = make(map[string]servedSubject, len(ids)), ids
	}
	if len(missing) > 0 {
		ss, err := tx.SubjectsByIDs(missing)
		if err != nil {
			return nil, err
		}
		for _, s := range ss {
			c.m[s.ID] = servedSubject{Key: s.Key, Code: s.Code, Kind: s.Kind}
		}
	}
	return c.m, nil
}

// parallel runs fn(0) … fn(n-1) over the processors.
func parallel(n int, fn func(i int)) {
	w := min(runtime.GOMAXPROCS(0), (n+255)/256)
	if w <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for k := range w {
		wg.Go(func() {
			for i := k; i < n; i += w {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// check compares the row with its content: through the fast path when
// the content the document implies is the stored content byte for byte
// (then only the document's subject, the leaf it names and the columns
// remain to check), else by decoding both and naming each difference.
func (r *servedRow) check(subjects map[string]servedSubject) []string {
	row := r.row
	if r.rawOK {
		if subj, ok := subjects[r.subjectID]; ok && contentMatches(&r.raw, subj.Key, row.Current, row.Content) {
			if msgs, ok := r.fastChecks(subj, subjects); ok {
				return msgs
			}
		}
	}
	c, err := payloadOf(row.Content)
	if err != nil {
		return []string{"the committed content cannot be decoded"}
	}
	out := columnProblems(row, columnsOf(c), subjects)
	if r.decode(); r.derr != nil {
		return append(out, "the stored document cannot be decoded: "+r.derr.Error())
	}
	d := r.doc
	out = append(out, rowIdentity(row, c.ID, c.Version, d.LedgerIdx)...)
	out = append(out, subjectProblems(c.Payload.SubjectKey, d.SubjectID, d.SubjectCode, d.SubjectKind, subjects)...)
	return append(out, documentDiffs(d, c, row.Current)...)
}

// servedFields are what the fast path reads from a document's members
// beyond the content they match: the version and leaf the document names,
// its subject's code and kind, and what the columns must hold.
type servedFields struct {
	id, code  string
	kind      xinyong.SubjectKind
	version   int
	ledgerIdx int64
	col       columnView
}

// fastChecks checks, once the document's members are the content's, what
// the content does not hold: the leaf the document names, the subject's
// code and kind, and the columns. It reads the small members the columns
// need without encoding/json (quickFields) when they are as the encoder
// writes them, else decodes them (decodedFields); ok is false if one does
// not decode.
func (r *servedRow) fastChecks(subj servedSubject, subjects map[string]servedSubject) ([]string, bool) {
	m, row := &r.raw, r.row
	var f servedFields
	if !quickFields(m, &f) {
		var ok bool
		if f, ok = decodedFields(m); !ok {
			return nil, false
		}
	}
	f.col.status = xinyong.RecordActive // contentMatches took an old version without one as active
	if m[mStatus] != nil {
		if s, ok := rawString(m[mStatus]); !ok {
			return nil, false
		} else if s != "" {
			f.col.status = xinyong.RecordStatus(s)
		}
	}
	f.col.lenient, f.col.subjectKey = m[mLeniency] != nil, subj.Key
	out := rowIdentity(row, f.id, f.version, f.ledgerIdx)
	out = append(out, subjectProblems(subj.Key, r.subjectID, f.code, f.kind, subjects)...)
	return append(out, columnProblems(row, f.col, subjects)...), true
}

// The members of the nested objects quickFields reads.
var (
	documentMembers = []string{"number", "decision_date"}
	windowMembers   = []string{"published", "start", "max_end"}
	latenessMembers = []string{"late_working_days"}
)

// quickFields reads f from the members without encoding/json. It answers
// true only for values in the form encoding/json writes them (strings,
// integers without sign or leading zero, true and false, dates
// YYYY-MM-DD that exist), from which it reads what decodedFields would;
// for anything else it answers false and the caller decodes.
func quickFields(m *[nMembers][]byte, f *servedFields) bool {
	var doc, win [3][]byte
	var late [1][]byte
	var published bool
	var start, maxEnd string
	var version, ledgerIdx, lateDays int64
	ok := optString(m[mID], &f.id) && optInt(m[mVersion], &version) && optString(m[mSubjectCode], &f.code) &&
		optString(m[mSubjectKind], (*string)(&f.kind)) && optInt(m[mLedgerIdx], &ledgerIdx) &&
		optString(m[mDepartment], &f.col.department) && optString(m[mItem], &f.col.item) &&
		optString(m[mSeverity], (*string)(&f.col.severity)) &&
		optObject(m[mDocument], documentMembers, doc[:2]) && optString(doc[0], &f.col.docNumber) && optDate(doc[1], &f.col.decisionDate) &&
		optObject(m[mWindow], windowMembers, win[:3]) && optBool(win[0], &published) && optDate(win[1], &start) && optDate(win[2], &maxEnd) &&
		optObject(m[mLateness], latenessMembers, late[:]) && optInt(late[0], &lateDays)
	if !ok || int64(int(version)) != version || int64(int(lateDays)) != lateDays {
		return false
	}
	f.version, f.ledgerIdx, f.col.lateDays = int(version), ledgerIdx, int(lateDays)
	f.col.published = published
	if published { // as pubColumns: the dates only when published
		f.col.pubStart, f.col.pubMaxEnd = start, maxEnd
	}
	return true
}

// optString reads a raw JSON string (absent: "").
func optString(raw []byte, to *string) bool {
	if raw == nil {
		return true
	}
	if len(raw) < 2 || raw[0] != '"' {
		return false
	}
	s, ok := rawString(raw)
	*to = s
	return ok
}

// optObject finds the members names of a raw JSON object (absent: none).
func optObject(raw []byte, names []string, out [][]byte) bool {
	return raw == nil || objectMembers(raw, names, out)
}

// optInt reads a raw JSON integer as encoding/json writes it (absent: 0).
func optInt(raw []byte, to *int64) bool {
	if raw == nil {
		return true
	}
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || digits[0] == '0' && len(digits) > 1 {
		return false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int64(c-'0')
	}
	if len(raw) > len(digits) {
		n = -n
	}
	*to = n
	return true
}

// optBool reads a raw JSON true or false (absent: false).
func optBool(raw []byte, to *bool) bool {
	switch string(raw) {
	case "true":
		*to = true
	case "false", "":
		*to = false
	default:
		return false
	}
	return true
}

// optDate reads a raw xinyong.Date as the string Date.String() returns
// for it (absent or "": the zero date, ""): only a date YYYY-MM-DD that
// exists, the one form ParseDate reads back to the same string.
func optDate(raw []byte, to *string) bool {
	var s string
	if !optString(raw, &s) {
		return false
	}
	if s == "" {
		*to = ""
		return true
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	var n [8]int
	for i, j := range [8]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[j] < '0' || s[j] > '9' {
			return false
		}
		n[i] = int(s[j] - '0')
	}
	year, month, day := n[0]*1000+n[1]*100+n[2]*10+n[3], n[4]*10+n[5], n[6]*10+n[7]
	if month < 1 || month > 12 || day < 1 || day > time.Date(year, time.Month(month)+1, 0, 12, 0, 0, 0, time.UTC).Day() {
		return false
	}
	*to = s
	return true
}

// decodedFields reads f from the members with encoding/json (the fast
// path's fallback for members quickFields does not read).
func decodedFields(m *[nMembers][]byte) (f servedFields, ok bool) {
	var doc struct {
		Number       string       `json:"number"`
		DecisionDate xinyong.Date `json:"decision_date"`
	}
	var win struct {
		Published bool         `json:"published"`
		Start     xinyong.Date `json:"start"`
		MaxEnd    xinyong.Date `json:"max_end"`
	}
	var late struct {
		WorkingDays int `json:"late_working_days"`
	}
	for _, v := range []struct {
		raw []byte
		to  any
	}{{m[mID], &f.id}, {m[mVersion], &f.version}, {m[mSubjectCode], &f.code}, {m[mSubjectKind], &f.kind}, {m[mLedgerIdx], &f.ledgerIdx},
		{m[mDepartment], &f.col.department}, {m[mItem], &f.col.item}, {m[mSeverity], &f.col.severity}, {m[mDocument], &doc}, {m[mWindow], &win}, {m[mLateness], &late}} {
		if v.raw == nil {
			continue // absent: the zero value, as encoding/json leaves it
		}
		if err := fastDecode(v.raw, v.to); err != nil {
			return f, false
		}
	}
	f.col.docNumber, f.col.decisionDate = doc.Number, doc.DecisionDate.String()
	f.col.published, f.col.pubStart, f.col.pubMaxEnd = pubColumns(xinyong.Window{Published: win.Published, Start: win.Start, MaxEnd: win.MaxEnd})
	f.col.lateDays = late.WorkingDays
	return f, true
}

// fastDecode decodes a small raw member, strings without escapes directly.
func fastDecode(raw []byte, to any) error {
	switch p := to.(type) {
	case *string:
		if s, ok := rawString(raw); ok {
			*p = s
			return nil
		}
		return fmt.Errorf("not a string")
	case *int:
		n, err := strconv.Atoi(string(raw))
		*p = n
		return err
	case *int64:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		*p = n
		return err
	}
	return json.Unmarshal(raw, to)
}

// columnView is what the columns of a current version must hold, as the
// store derives them from the version (dates as the store writes them,
// "" for none; the publication columns as pubColumns).
type columnView struct {
	status                      xinyong.RecordStatus
	published                   bool
	pubStart, pubMaxEnd         string
	department, item, docNumber string
	decisionDate                string
	severity                    xinyong.Severity
	lateDays                    int
	lenient                     bool
	subjectKey                  string
}

func columnsOf(c committed) columnView {
	published, start, maxEnd := pubColumns(c.Window)
	return columnView{status: c.Status, published: published, pubStart: start, pubMaxEnd: maxEnd, department: c.Department, item: c.Payload.Item,
		docNumber: c.Payload.Document.Number, decisionDate: c.Payload.Document.DecisionDate.String(), severity: c.Payload.Severity,
		lateDays: c.Lateness.WorkingDays, lenient: c.Payload.Leniency != (xinyong.Leniency{}), subjectKey: c.Payload.SubjectKey}
}

// rowIdentity compares the version a row holds with the version its
// document and content name, and the leaf the document names with the
// row's.
func rowIdentity(row xinyong.RecordRow, id string, version int, ledgerIdx int64) []string {
	var out []string
	if id != row.ID || version != row.Version {
		out = append(out, fmt.Sprintf("the committed content is of %s v%d, the row of %s v%d", id, version, row.ID, row.Version))
	}
	if ledgerIdx != row.LedgerIdx {
		out = append(out, fmt.Sprintf("served ledger_index %d, committed at leaf %d (stored document)", ledgerIdx, row.LedgerIdx))
	}
	return out
}

// subjectProblems checks that the subject a document serves (its
// subject_id, code and kind) is the one whose key the content commits to.
func subjectProblems(key, subjectID, code string, kind xinyong.SubjectKind, subjects map[string]servedSubject) []string {
	subj, ok := subjects[subjectID]
	switch {
	case !ok:
		return []string{fmt.Sprintf("served subject_id %s names no stored subject (stored document)", subjectID)}
	case subj.Key != key:
		return []string{fmt.Sprintf("served subject_id %s is not the committed subject (stored document)", subjectID)}
	}
	var out []string
	if code != subj.Code {
		out = append(out, "served subject_code: not the committed subject's (stored document)")
	}
	if kind != subj.Kind {
		out = append(out, fmt.Sprintf("served subject_kind %s, committed subject's %s (stored document)", kind, subj.Kind))
	}
	return out
}

// columnProblems compares the columns of a current version with what they
// must hold.
func columnProblems(row xinyong.RecordRow, c columnView, subjects map[string]servedSubject) []string {
	if !row.Current {
		return nil
	}
	var out []string
	diff := func(what string, served, committed any) {
		out = append(out, fmt.Sprintf("served %s %v, committed %v (column)", what, served, committed))
	}
	if row.Status != "" && row.Status != string(c.status) { // scanRecord serves the document's status when the column is empty
		diff("status", row.Status, c.status)
	}
	if row.Published != c.published {
		diff("published", row.Published, c.published)
	}
	if row.PubStart != c.pubStart {
		diff("pub_start", orNull(row.PubStart), orNull(c.pubStart))
	}
	if row.PubMaxEnd != c.pubMaxEnd {
		diff("pub_max_end", orNull(row.PubMaxEnd), orNull(c.pubMaxEnd))
	}
	if row.DepartmentID != c.department {
		diff("department_id", row.DepartmentID, c.department)
	}
	if row.Item != c.item {
		diff("item", row.Item, c.item)
	}
	if row.DocNumber != c.docNumber {
		out = append(out, "served doc_number: not the committed decision number (column)")
	}
	if row.DecisionDate != c.decisionDate {
		diff("decision_date", row.DecisionDate, c.decisionDate)
	}
	if row.Severity != string(c.severity) {
		diff("severity", row.Severity, c.severity)
	}
	if row.LateDays != c.lateDays {
		diff("late_days", row.LateDays, c.lateDays)
	}
	if row.Lenient != c.lenient {
		diff("lenient", row.Lenient, c.lenient)
	}
	if subj, ok := subjects[row.SubjectID]; !ok {
		out = append(out, fmt.Sprintf("served subject_id %s names no stored subject (column)", row.SubjectID))
	} else if subj.Key != c.subjectKey {
		out = append(out, fmt.Sprintf("served subject_id %s is not the committed subject (column)", row.SubjectID))
	}
	return out
}

// documentDiffs names each committed field the stored document serves
// differently (the slow path: the fast one found a difference).
func documentDiffs(d *servedRecord, c committed, current bool) []string {
	var out []string
	const doc = "stored document"
	diff := func(what string, served, committed any, where string) {
		out = append(out, fmt.Sprintf("served %s %v, committed %v (%s)", what, served, committed, where))
	}
	differs := func(what, where string) {
		out = append(out, fmt.Sprintf("served %s: not what the content commits to (%s)", what, where))
	}
	if d.ID != c.ID {
		diff("id", d.ID, c.ID, doc)
	}
	if d.Version != c.Version {
		diff("version", d.Version, c.Version, doc)
	}
	status := d.Status
	if status == "" && !current { // RecordVersions serves an old version without one as active
		status = xinyong.RecordActive
	}
	if status != c.Status {
		diff("status", d.Status, c.Status, doc)
	}
	windowProblems(d.Window, c.Window, diff, doc)
	if d.Withdrawal == nil || c.Withdrawal == nil {
		if (d.Withdrawal == nil) != (c.Withdrawal == nil) {
			diff("withdrawal", presence(d.Withdrawal != nil), presence(c.Withdrawal != nil), doc)
		}
	} else {
		w, cw := *d.Withdrawal, *c.Withdrawal
		if !w.At.Equal(storedTime(cw.At)) {
			diff("withdrawal.at", w.At.UTC().Format(time.RFC3339Nano), storedTime(cw.At).Format(time.RFC3339Nano), doc)
		}
		if w.Reason != cw.Reason {
			differs("withdrawal.reason", doc)
		}
		if w.By != cw.By {
			diff("withdrawal.by", w.By, cw.By, doc)
		}
	}
	if d.Lateness != c.Lateness {
		diff("disclosure", fmt.Sprintf("%+v", d.Lateness), fmt.Sprintf("%+v", c.Lateness), doc)
	}
	if d.DepartmentID != c.Department {
		diff("department_id", d.DepartmentID, c.Department, doc)
	}
	p := c.Payload
	if d.Item != p.Item {
		diff("item", d.Item, p.Item, doc)
	}
	if d.SubjectName != p.SubjectName {
		differs("subject_name", doc)
	}
	documentProblems(d.Document, p.Document, differs, doc)
	if ks := changedKeys(d.Fields, p.Fields); len(ks) > 0 {
		differs("fields "+strings.Join(ks, ", "), doc)
	}
	if d.Severity != p.Severity {
		diff("severity", d.Severity, p.Severity, doc)
	}
	if !slices.Equal(d.Categories, p.Categories) {
		differs("categories", doc)
	}
	if d.Sector != p.Sector {
		differs("sector", doc)
	}
	if d.Leniency != p.Leniency {
		differs("leniency", doc)
	}
	return out
}

// windowProblems compares a served publication window with the committed one.
func windowProblems(w, c xinyong.Window, diff func(what string, served, committed any, where string), where string) {
	if w == c {
		return
	}
	if w.Published != c.Published {
		diff("publication.published", w.Published, c.Published, where)
	}
	for _, d := range []struct {
		what    string
		w, c    xinyong.Date
		differs bool
	}{{"publication.start", w.Start, c.Start, w.Start != c.Start}, {"publication.min_end", w.MinEnd, c.MinEnd, w.MinEnd != c.MinEnd}, {"publication.max_end", w.MaxEnd, c.MaxEnd, w.MaxEnd != c.MaxEnd}} {
		if d.differs {
			diff(d.what, dateOrNone(d.w), dateOrNone(d.c), where)
		}
	}
	if w.Severity != c.Severity {
		diff("publication.severity", w.Severity, c.Severity, where)
	}
	if w.Regime != c.Regime {
		diff("publication.regime", w.Regime, c.Regime, where)
	}
	if w.Reason != c.Reason {
		diff("publication.reason", fmt.Sprintf("%q", w.Reason), fmt.Sprintf("%q", c.Reason), where)
	}
}

// documentProblems names the parts of a served decision document that
// differ from the committed one (without their values: a document's name
// or number may identify a person).
func documentProblems(d, c xinyong.Document, differs func(what, where string), where string) {
	if d == c {
		return
	}
	var parts []string
	if d.Type != c.Type {
		parts = append(parts, "type")
	}
	if d.Name != c.Name {
		parts = append(parts, "name")
	}
	if d.Number != c.Number {
		parts = append(parts, "number")
	}
	if d.Authority != c.Authority {
		parts = append(parts, "authority")
	}
	if d.DecisionDate != c.DecisionDate {
		parts = append(parts, "decision_date")
	}
	if d.EffectiveDate != c.EffectiveDate {
		parts = append(parts, "effective_date")
	}
	differs("document "+strings.Join(parts, ", "), where)
}

// changedKeys returns the sorted keys whose values differ between a and b
// (present in one only, or different), without the values: fields hold
// personal information.
func changedKeys(a, b map[string]string) []string {
	if maps.Equal(a, b) {
		return nil
	}
	var ks []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			ks = append(ks, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// storedTime is a time as the stores keep it: UTC, to the microsecond
// (sqlstore.UTC); the content keeps the time it was sealed with.
func storedTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func orNull(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

func dateOrNone(d xinyong.Date) string {
	if d.IsZero() {
		return "none"
	}
	return d.String()
}

func presence(b bool) string {
	if b {
		return "present"
	}
	return "absent"
}
