package refdata

import (
	"fmt"
	"io"
	"strings"

	"xinyong"
)

// Supplement is a provincial (or city) supplement file: the shape of
// catalogue-2024.json plus a layer, and optionally measures:
//
//	{"layer":"provincial","legal_basis":"《甘肃省社会信用条例》…","edition":"2025",
//	 "effective_from":"2025-01-01","source":"…","categories":[…],"items":[…],"measures":[…]}
//
// Every item and measure carries its own legal basis and provenance
// "local"; the national layer cannot be supplemented (it is replaced only by
// loading a new official edition).
type Supplement struct {
	Layer         xinyong.Layer           `json:"layer"`
	Edition       string                  `json:"edition,omitempty"`
	Name          string                  `json:"name,omitempty"`
	LegalBasis    string                  `json:"legal_basis"`
	EffectiveFrom xinyong.Date            `json:"effective_from,omitzero"`
	Provenance    xinyong.Provenance      `json:"provenance,omitempty"`
	Source        string                  `json:"source,omitempty"`
	Categories    []xinyong.Category      `json:"categories,omitempty"`
	Items         []xinyong.CatalogueItem `json:"items,omitempty"`
	Measures      []xinyong.Measure       `json:"measures,omitempty"`
}

const supplementFile = "supplement"

// ParseSupplement reads and checks a supplement file. Rows without a layer
// take the file's layer; rows without a status are drafts (a supplementary
// item needs public consultation before approval). It refuses a national
// layer, and any item or measure without a legal basis or whose provenance
// is not local; every error names the row's code and field.
func ParseSupplement(r io.Reader) (Supplement, error) {
	var sup Supplement
	if err := decodeStrict(r, &sup); err != nil {
		return Supplement{}, xinyong.Errorf(xinyong.EINVALID, "%s: %v", supplementFile, err)
	}
	var fes []xinyong.FieldError
	switch {
	case sup.Layer == xinyong.LayerNational:
		fes = append(fes, xinyong.FieldError{Field: "layer", Rule: "supplement.layer", Message: "a supplement is provincial or city: the national layer is loaded only from an official edition", Value: string(sup.Layer)})
	case !sup.Layer.Valid():
		fes = append(fes, xinyong.FieldError{Field: "layer", Rule: "enum", Message: "layer must be provincial or city", Value: string(sup.Layer)})
	}
	if strings.TrimSpace(sup.LegalBasis) == "" {
		fes = append(fes, xinyong.FieldError{Field: "legal_basis", Rule: "supplement.legal_basis", Message: "a supplement states its legal basis (a local regulation, 深圳经济特区社会信用条例 第三十三条 style)"})
	}
	if sup.Provenance != "" && sup.Provenance != xinyong.ProvenanceLocal {
		fes = append(fes, xinyong.FieldError{Field: "provenance", Rule: "supplement.local", Message: "a supplement is defined locally: its provenance is local", Value: string(sup.Provenance)})
	}
	for i := range sup.Categories {
		c := &sup.Categories[i]
		if strings.TrimSpace(c.Code) == "" || strings.TrimSpace(c.Name) == "" {
			fes = append(fes, rowError("categories", i, "category", c.Code, "code", "required", "a category needs a code and a name"))
		}
		if c.Provenance != xinyong.ProvenanceLocal {
			fes = append(fes, rowError("categories", i, "category", c.Code, "provenance", "supplement.local", "a supplementary category is defined locally: its provenance is local, not %q", c.Provenance))
		}
	}
	codes := map[string]bool{}
	for i := range sup.Items {
		it := &sup.Items[i]
		if it.Layer == "" {
			it.Layer = sup.Layer
		}
		if it.Status == "" {
			it.Status = xinyong.ItemDraft
		}
		if it.Version == 0 {
			it.Version = 1
		}
		fes = append(fes, supplementRow("items", i, "item", it.Code, it.Layer, it.LegalBasis, it.Provenance)...)
		for _, fe := range rowErrors("items", i, "item", it.Code, xinyong.ValidateCatalogueItem(*it)) {
			// the layer, legal basis and provenance rules are reported once, above
			if r := fe.Rule; r != "catalogue.legal_basis" && r != "catalogue.local" && !(strings.HasSuffix(fe.Field, ".layer") && r == "enum") && !(strings.HasSuffix(fe.Field, ".provenance") && r == "enum") {
				fes = append(fes, fe)
			}
		}
		fes = append(fes, checkItemExtras("items", i, *it)...)
		if codes[it.Code] {
			fes = append(fes, rowError("items", i, "item", it.Code, "code", "unique", "item code appears twice"))
		}
		codes[it.Code] = true
	}
	mcodes := map[string]bool{}
	for i := range sup.Measures {
		m := &sup.Measures[i]
		if m.Layer == "" {
			m.Layer = sup.Layer
		}
		fes = append(fes, supplementRow("measures", i, "measure", m.Code, m.Layer, m.LegalBasis, m.Provenance)...)
		for _, fe := range rowErrors("measures", i, "measure", m.Code, xinyong.ValidateMeasure(*m)) {
			if r := fe.Rule; r != "measure.legal_basis" && r != "measure.local" && !(strings.HasSuffix(fe.Field, ".layer") && r == "enum") && !(strings.HasSuffix(fe.Field, ".provenance") && r == "enum") {
				fes = append(fes, fe)
			}
		}
		if mcodes[m.Code] {
			fes = append(fes, rowError("measures", i, "measure", m.Code, "code", "unique", "measure code appears twice"))
		}
		mcodes[m.Code] = true
	}
	if len(fes) > 0 {
		return Supplement{}, xinyong.Invalid(fmt.Sprintf("%s: the %s supplement is not valid", supplementFile, sup.Layer), fes...)
	}
	return sup, nil
}

// supplementRow applies the three supplement rules to one row: a legal
// basis of its own, a non-national layer, local provenance.
func supplementRow(coll string, i int, what, code string, layer xinyong.Layer, basis string, prov xinyong.Provenance) []xinyong.FieldError {
	var fes []xinyong.FieldError
	if strings.TrimSpace(basis) == "" {
		fes = append(fes, rowError(coll, i, what, code, "legal_basis", "supplement.legal_basis", "a supplementary %s without a legal basis cannot be loaded", what))
	}
	switch {
	case layer == xinyong.LayerNational:
		fes = append(fes, rowError(coll, i, what, code, "layer", "supplement.layer", "a supplement cannot add national %ss", what))
	case !layer.Valid():
		fes = append(fes, rowError(coll, i, what, code, "layer", "enum", "layer must be provincial or city, not %q", layer))
	}
	if prov != xinyong.ProvenanceLocal {
		fes = append(fes, rowError(coll, i, what, code, "provenance", "supplement.local", "a supplementary %s is defined locally: its provenance must be local, not %q", what, prov))
	}
	return fes
}

// CheckSupplement checks a parsed supplement against the national set: each
// item's category exists (nationally or in the supplement), no item or
// measure repeats a national code (an item already in a higher layer is not
// repeated: 深圳经济特区社会信用条例 第三十三条、第七十二条), and every
// measure's list types exist.
func (s *Set) CheckSupplement(sup Supplement) error {
	var fes []xinyong.FieldError
	cats := map[string]bool{}
	for _, c := range s.Categories {
		cats[c.Code] = true
	}
	for i, c := range sup.Categories {
		if cats[c.Code] {
			fes = append(fes, rowError("categories", i, "category", c.Code, "code", "supplement.duplicate", "category %s is already in the national catalogue", c.Code))
		}
		cats[c.Code] = true
	}
	for i, it := range sup.Items {
		if !cats[it.Category] {
			fes = append(fes, rowError("items", i, "item", it.Code, "category", "catalogue.category", "category %q is neither national nor in the supplement", it.Category))
		}
		if _, ok := s.Item(it.Code); ok {
			fes = append(fes, rowError("items", i, "item", it.Code, "code", "supplement.duplicate", "item %s is already in the national catalogue: a supplement does not repeat it", it.Code))
		}
	}
	lts := s.listTypeCodes()
	for i, m := range sup.Measures {
		if _, ok := s.Measure(m.Code); ok {
			fes = append(fes, rowError("measures", i, "measure", m.Code, "code", "supplement.duplicate", "measure %s is already in the national list", m.Code))
		}
		for _, lt := range m.ListTypes {
			if !lts[lt] {
				fes = append(fes, rowError("measures", i, "measure", m.Code, "list_types", "measure.list_type", "list type %q is not known", lt))
			}
		}
	}
	if len(fes) > 0 {
		return xinyong.Invalid(fmt.Sprintf("%s: the %s supplement does not fit the national reference data", supplementFile, sup.Layer), fes...)
	}
	return nil
}
