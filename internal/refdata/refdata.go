// Package refdata loads the national reference data embedded in package
// data (catalogue, measures list, list types, publication regimes),
// validates every row with the domain's rules and the cross-references
// between files, and parses provincial supplement files.
//
// Every error names the file and the row (by index and code), so a wrong
// official table loaded by a province is easy to fix.
package refdata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"xinyong"
	"xinyong/data"
)

// File names in package data.
const (
	CatalogueFile = "catalogue-2024.json"
	MeasuresFile  = "measures-2021.json"
	ListTypesFile = "list-types.json"
	RegimesFile   = "regimes.json"
)

// Edition describes one loaded reference document: which official edition
// it is, its basis, and how sure we are of it.
type Edition struct {
	File          string             `json:"file"`
	Kind          string             `json:"kind"` // catalogue, measures
	Edition       string             `json:"edition"`
	Name          string             `json:"name,omitempty"`
	LegalBasis    string             `json:"legal_basis"`
	EffectiveFrom xinyong.Date       `json:"effective_from,omitzero"`
	Provenance    xinyong.Provenance `json:"provenance,omitempty"`
	Source        string             `json:"source,omitempty"`
}

// MeasureKindInfo names one of the three kinds of the measures list.
type MeasureKindInfo struct {
	Kind       xinyong.MeasureKind `json:"kind"`
	Name       string              `json:"name"`
	NameEN     string              `json:"name_en,omitempty"`
	Provenance xinyong.Provenance  `json:"provenance"`
	Source     string              `json:"source,omitempty"`
}

// Set is the whole national reference data.
type Set struct {
	Categories   []xinyong.Category
	Items        []xinyong.CatalogueItem
	Measures     []xinyong.Measure
	MeasureKinds []MeasureKindInfo
	ListTypes    []xinyong.ListType
	Regimes      xinyong.Regimes
	Editions     []Edition
}

// CatalogueFileData is the shape of catalogue-2024.json.
type CatalogueFileData struct {
	Edition       string                  `json:"edition"`
	Name          string                  `json:"name,omitempty"`
	LegalBasis    string                  `json:"legal_basis"`
	EffectiveFrom xinyong.Date            `json:"effective_from"`
	Provenance    xinyong.Provenance      `json:"provenance,omitempty"`
	Source        string                  `json:"source"`
	Categories    []xinyong.Category      `json:"categories"`
	Items         []xinyong.CatalogueItem `json:"items"`
}

// MeasuresFileData is the shape of measures-2021.json.
type MeasuresFileData struct {
	Edition       string             `json:"edition"`
	Name          string             `json:"name,omitempty"`
	LegalBasis    string             `json:"legal_basis"`
	EffectiveFrom xinyong.Date       `json:"effective_from"`
	Provenance    xinyong.Provenance `json:"provenance,omitempty"`
	Source        string             `json:"source"`
	Kinds         []MeasureKindInfo  `json:"kinds"`
	Measures      []xinyong.Measure  `json:"measures"`
}

// ListTypesFileData is the shape of list-types.json.
type ListTypesFileData struct {
	Source    string             `json:"source"`
	ListTypes []xinyong.ListType `json:"list_types"`
}

// RegimesFileData is the shape of regimes.json.
type RegimesFileData struct {
	Source  string           `json:"source"`
	Regimes []xinyong.Regime `json:"regimes"`
}

// Load parses and validates the embedded reference data.
func Load() (*Set, error) { return LoadFS(data.FS) }

// LoadFS parses and validates reference data from fsys (the four files at
// its root), so that a province can load the official tables from disk in
// the same shape.
func LoadFS(fsys fs.FS) (*Set, error) {
	var (
		cat  CatalogueFileData
		meas MeasuresFileData
		lts  ListTypesFileData
		regs RegimesFileData
	)
	for _, f := range []struct {
		name string
		dst  any
	}{{CatalogueFile, &cat}, {MeasuresFile, &meas}, {ListTypesFile, &lts}, {RegimesFile, &regs}} {
		b, err := fs.ReadFile(fsys, f.name)
		if err != nil {
			return nil, fmt.Errorf("refdata: %s: %w", f.name, err)
		}
		if err := decodeStrict(bytes.NewReader(b), f.dst); err != nil {
			return nil, xinyong.Errorf(xinyong.EINVALID, "%s: %v", f.name, err)
		}
	}
	s := &Set{
		Categories:   cat.Categories,
		Items:        cat.Items,
		Measures:     meas.Measures,
		MeasureKinds: meas.Kinds,
		ListTypes:    lts.ListTypes,
		Regimes:      regs.Regimes,
		Editions: []Edition{
			{File: CatalogueFile, Kind: "catalogue", Edition: cat.Edition, Name: cat.Name, LegalBasis: cat.LegalBasis, EffectiveFrom: cat.EffectiveFrom, Provenance: cat.Provenance, Source: cat.Source},
			{File: MeasuresFile, Kind: "measures", Edition: meas.Edition, Name: meas.Name, LegalBasis: meas.LegalBasis, EffectiveFrom: meas.EffectiveFrom, Provenance: meas.Provenance, Source: meas.Source},
		},
	}
	var errs []error
	errs = append(errs, checkEdition(CatalogueFile, s.Editions[0]), checkEdition(MeasuresFile, s.Editions[1]))
	errs = append(errs, s.checkCatalogue(), s.checkMeasures(), s.checkListTypes(), s.checkRegimes())
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

func decodeStrict(r io.Reader, dst any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON document")
	}
	return nil
}

func checkEdition(file string, e Edition) error {
	var v xinyong.Validation
	if strings.TrimSpace(e.Edition) == "" {
		v.Add("edition", "required", "the file names its edition")
	}
	if strings.TrimSpace(e.LegalBasis) == "" {
		v.Add("legal_basis", "required", "the file states its legal basis")
	}
	if e.Provenance != "" && !e.Provenance.Valid() {
		v.Add("provenance", "enum", "provenance must be confirmed, unconfirmed or local")
	}
	return v.Err(file + ": the edition header is not valid")
}

// rowErrors turns the domain validation error of one row into field errors
// naming the collection, row and code: "items[2].legal_basis: item XZCF: …".
func rowErrors(coll string, i int, what, code string, err error) []xinyong.FieldError {
	if err == nil {
		return nil
	}
	label := what
	if code != "" {
		label += " " + code
	}
	fes := xinyong.ErrorFields(err)
	if len(fes) == 0 {
		return []xinyong.FieldError{{Row: i + 1, Field: fmt.Sprintf("%s[%d]", coll, i), Rule: "invalid", Message: label + ": " + err.Error(), Value: code}}
	}
	out := make([]xinyong.FieldError, 0, len(fes))
	for _, fe := range fes {
		out = append(out, xinyong.FieldError{
			Row:     i + 1,
			Field:   fmt.Sprintf("%s[%d].%s", coll, i, fe.Field),
			Rule:    fe.Rule,
			Message: label + ": " + fe.Message,
			Value:   code,
		})
	}
	return out
}

func rowError(coll string, i int, what, code, field, rule, format string, args ...any) xinyong.FieldError {
	label := what
	if code != "" {
		label += " " + code
	}
	return xinyong.FieldError{Row: i + 1, Field: fmt.Sprintf("%s[%d].%s", coll, i, field), Rule: rule, Message: label + ": " + fmt.Sprintf(format, args...), Value: code}
}

func fileErr(file string, fes []xinyong.FieldError) error {
	if len(fes) == 0 {
		return nil
	}
	rows := map[string]bool{}
	for _, fe := range fes {
		rows[fe.Field[:strings.IndexByte(fe.Field+".", '.')]] = true
	}
	return xinyong.Invalid(fmt.Sprintf("%s: %d row(s) are not valid", file, len(rows)), fes...)
}

func (s *Set) checkCatalogue() error {
	var fes []xinyong.FieldError
	cats := map[string]bool{}
	for i, c := range s.Categories {
		switch {
		case strings.TrimSpace(c.Code) == "":
			fes = append(fes, rowError("categories", i, "category", c.Code, "code", "required", "a category needs a code"))
		case cats[c.Code]:
			fes = append(fes, rowError("categories", i, "category", c.Code, "code", "unique", "category code appears twice"))
		}
		cats[c.Code] = true
		if strings.TrimSpace(c.Name) == "" {
			fes = append(fes, rowError("categories", i, "category", c.Code, "name", "required", "a category needs a name"))
		}
		if !c.Provenance.Valid() {
			fes = append(fes, rowError("categories", i, "category", c.Code, "provenance", "enum", "provenance must be confirmed, unconfirmed or local"))
		}
	}
	codes := map[string]bool{}
	for i, it := range s.Items {
		fes = append(fes, rowErrors("items", i, "item", it.Code, xinyong.ValidateCatalogueItem(it))...)
		if codes[it.Code] {
			fes = append(fes, rowError("items", i, "item", it.Code, "code", "unique", "item code appears twice"))
		}
		codes[it.Code] = true
		if it.Category != "" && !cats[it.Category] {
			fes = append(fes, rowError("items", i, "item", it.Code, "category", "catalogue.category", "category %q is not in the catalogue", it.Category))
		}
		if it.Layer != xinyong.LayerNational {
			fes = append(fes, rowError("items", i, "item", it.Code, "layer", "catalogue.layer", "the national catalogue holds national items only, not %q", it.Layer))
		}
		fes = append(fes, checkItemExtras("items", i, it)...)
	}
	return fileErr(CatalogueFile, fes)
}

// checkItemExtras checks what ValidateCatalogueItem leaves out: field types,
// enum values, a known status, subject kinds, a version.
func checkItemExtras(coll string, i int, it xinyong.CatalogueItem) []xinyong.FieldError {
	var fes []xinyong.FieldError
	for _, f := range it.Fields {
		switch f.Type {
		case xinyong.FieldText, xinyong.FieldDate, xinyong.FieldAmount, xinyong.FieldCode:
		case xinyong.FieldEnum:
			if len(f.Values) == 0 {
				fes = append(fes, rowError(coll, i, "item", it.Code, "fields", "catalogue.enum", "enum field %s lists no values", f.Code))
			}
		default:
			fes = append(fes, rowError(coll, i, "item", it.Code, "fields", "enum", "field %s has unknown type %q", f.Code, f.Type))
		}
		if strings.TrimSpace(f.Label) == "" {
			fes = append(fes, rowError(coll, i, "item", it.Code, "fields", "required", "field %s has no label", f.Code))
		}
	}
	switch it.Status {
	case xinyong.ItemDraft, xinyong.ItemConsultation, xinyong.ItemApproved, xinyong.ItemRetired:
	default:
		fes = append(fes, rowError(coll, i, "item", it.Code, "status", "enum", "status must be draft, consultation, approved or retired"))
	}
	for _, k := range it.SubjectKinds {
		if !k.Valid() {
			fes = append(fes, rowError(coll, i, "item", it.Code, "subject_kinds", "enum", "subject kind %q is not known", k))
		}
	}
	if it.Version < 1 {
		fes = append(fes, rowError(coll, i, "item", it.Code, "version", "catalogue.version", "version starts at 1"))
	}
	return fes
}

func (s *Set) listTypeCodes() map[string]bool {
	m := make(map[string]bool, len(s.ListTypes))
	for _, lt := range s.ListTypes {
		m[lt.Code] = true
	}
	return m
}

func (s *Set) checkMeasures() error {
	var fes []xinyong.FieldError
	lts := s.listTypeCodes()
	codes := map[string]bool{}
	for i, m := range s.Measures {
		fes = append(fes, rowErrors("measures", i, "measure", m.Code, xinyong.ValidateMeasure(m))...)
		if codes[m.Code] {
			fes = append(fes, rowError("measures", i, "measure", m.Code, "code", "unique", "measure code appears twice"))
		}
		codes[m.Code] = true
		for _, lt := range m.ListTypes {
			if !lts[lt] {
				fes = append(fes, rowError("measures", i, "measure", m.Code, "list_types", "measure.list_type", "list type %q is not in %s", lt, ListTypesFile))
			}
		}
		if m.Layer != xinyong.LayerNational {
			fes = append(fes, rowError("measures", i, "measure", m.Code, "layer", "measure.layer", "the national list holds national measures only, not %q", m.Layer))
		}
	}
	seen := map[xinyong.MeasureKind]bool{}
	for i, k := range s.MeasureKinds {
		if !k.Kind.Valid() || seen[k.Kind] {
			fes = append(fes, rowError("kinds", i, "kind", fmt.Sprint(k.Kind), "kind", "enum", "kinds are 1, 2 and 3, once each"))
		}
		seen[k.Kind] = true
		if !k.Provenance.Valid() {
			fes = append(fes, rowError("kinds", i, "kind", fmt.Sprint(k.Kind), "provenance", "enum", "provenance must be confirmed, unconfirmed or local"))
		}
	}
	return fileErr(MeasuresFile, fes)
}

func (s *Set) checkListTypes() error {
	var fes []xinyong.FieldError
	codes := map[string]bool{}
	for i, lt := range s.ListTypes {
		fes = append(fes, rowErrors("list_types", i, "list type", lt.Code, xinyong.ValidateListType(lt))...)
		if codes[lt.Code] {
			fes = append(fes, rowError("list_types", i, "list type", lt.Code, "code", "unique", "list type code appears twice"))
		}
		codes[lt.Code] = true
		if lt.ObjectionWorkingDays <= 0 {
			fes = append(fes, rowError("list_types", i, "list type", lt.Code, "objection_working_days", "list.objection", "the objection window is at least one working day"))
		}
		if lt.MinorsMayBeListed {
			fes = append(fes, rowError("list_types", i, "list type", lt.Code, "minors_may_be_listed", "list.minors", "minors are never put on a serious-dishonesty list"))
		}
	}
	return fileErr(ListTypesFile, fes)
}

func (s *Set) checkRegimes() error {
	var fes []xinyong.FieldError
	for i, r := range s.Regimes {
		fes = append(fes, rowErrors("regimes", i, "regime", r.Code, xinyong.ValidateRegime(r))...)
		if !r.Provenance.Valid() {
			fes = append(fes, rowError("regimes", i, "regime", r.Code, "provenance", "enum", "provenance must be confirmed, unconfirmed or local"))
		}
		for c, sev := range r.CategorySeverity {
			if !slices.Contains(xinyong.PenaltyCategories, c) {
				fes = append(fes, rowError("regimes", i, "regime", r.Code, "category_severity", "regime.category", "%q is not a penalty category of 行政处罚法 第九条", c))
			}
			if sev.Rank() == 0 {
				fes = append(fes, rowError("regimes", i, "regime", r.Code, "category_severity", "enum", "severity %q of %s is not minor, general or serious", sev, c))
			}
		}
		for _, c := range r.NotPublishedIfOnly {
			if !slices.Contains(xinyong.PenaltyCategories, c) {
				fes = append(fes, rowError("regimes", i, "regime", r.Code, "not_published_if_only", "regime.category", "%q is not a penalty category of 行政处罚法 第九条", c))
			}
		}
		for sev := range r.Rules {
			if sev.Rank() == 0 {
				fes = append(fes, rowError("regimes", i, "regime", r.Code, "rules", "enum", "rule key %q is not minor, general or serious", sev))
			}
		}
	}
	if err := fileErr(RegimesFile, fes); err != nil {
		return err
	}
	slices.SortFunc(s.Regimes, func(a, b xinyong.Regime) int { return a.From.Days() - b.From.Days() })
	if err := s.Regimes.Check(); err != nil {
		return xinyong.Errorf(xinyong.EINVALID, "%s: %s", RegimesFile, xinyong.ErrorMessage(err))
	}
	return nil
}

// Category returns the category with the given code.
func (s *Set) Category(code string) (xinyong.Category, bool) {
	for _, c := range s.Categories {
		if c.Code == code {
			return c, true
		}
	}
	return xinyong.Category{}, false
}

// Item returns the catalogue item with the given code.
func (s *Set) Item(code string) (xinyong.CatalogueItem, bool) {
	for _, it := range s.Items {
		if it.Code == code {
			return it, true
		}
	}
	return xinyong.CatalogueItem{}, false
}

// Measure returns the measure with the given code.
func (s *Set) Measure(code string) (xinyong.Measure, bool) {
	for _, m := range s.Measures {
		if m.Code == code {
			return m, true
		}
	}
	return xinyong.Measure{}, false
}

// ListType returns the list type with the given code.
func (s *Set) ListType(code string) (xinyong.ListType, bool) {
	for _, lt := range s.ListTypes {
		if lt.Code == code {
			return lt, true
		}
	}
	return xinyong.ListType{}, false
}
