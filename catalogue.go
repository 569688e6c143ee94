package xinyong

import (
	"fmt"
	"strings"
	"time"
)

// Provenance says where a row of reference data comes from. Every row of the
// catalogue, the measures list and the list types carries one, and the
// console shows it: nothing invented is ever presented as official.
type Provenance string

const (
	ProvenanceConfirmed   Provenance = "confirmed"   // read in an official or reliable source
	ProvenanceUnconfirmed Provenance = "unconfirmed" // reconstructed; check before relying on it
	ProvenanceLocal       Provenance = "local"       // defined by this province
)

// Valid reports whether p is known.
func (p Provenance) Valid() bool {
	return p == ProvenanceConfirmed || p == ProvenanceUnconfirmed || p == ProvenanceLocal
}

// Layer of the catalogue or the measures list.
type Layer string

const (
	LayerNational   Layer = "national"   // 全国基础目录 / 基础清单
	LayerProvincial Layer = "provincial" // 省补充目录 / 补充清单
	LayerCity       Layer = "city"       // 市补充目录
)

// Valid reports whether l is known.
func (l Layer) Valid() bool { return l == LayerNational || l == LayerProvincial || l == LayerCity }

// SharingScope of a catalogue item (共享属性).
type SharingScope string

const (
	ShareUnconditional SharingScope = "unconditional" // 无条件共享
	ShareConditional   SharingScope = "conditional"   // 有条件共享
	ShareNone          SharingScope = "none"          // 不予共享
)

// Valid reports whether s is known.
func (s SharingScope) Valid() bool {
	return s == ShareUnconditional || s == ShareConditional || s == ShareNone
}

// DisclosureScope of a catalogue item (公开属性).
type DisclosureScope string

const (
	DisclosePublic      DisclosureScope = "public"        // 社会公开
	DiscloseOnRequest   DisclosureScope = "on_request"    // 依申请公开
	DiscloseAuthorised  DisclosureScope = "authorised"    // 授权查询
	DiscloseNotDisclose DisclosureScope = "not_disclosed" // 不予公开
)

// Valid reports whether d is known.
func (d DisclosureScope) Valid() bool {
	return d == DisclosePublic || d == DiscloseOnRequest || d == DiscloseAuthorised || d == DiscloseNotDisclose
}

// ItemStatus is the life cycle of a catalogue item.
type ItemStatus string

const (
	ItemDraft        ItemStatus = "draft"
	ItemConsultation ItemStatus = "consultation" // 征求意见
	ItemApproved     ItemStatus = "approved"
	ItemRetired      ItemStatus = "retired"
	// ItemWithdrawn ends a proposed change of an item once approved that is
	// withdrawn or rejected before approval. It appears only in the item's
	// history: the version in force is untouched (ChangeIsPending).
	ItemWithdrawn ItemStatus = "withdrawn"
)

// Category is one of the catalogue's categories (2024 edition: 13).
type Category struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	NameEN     string     `json:"name_en,omitempty"`
	Edition    string     `json:"edition"`
	Provenance Provenance `json:"provenance"`
	Source     string     `json:"source,omitempty"`
}

// FieldType is the type of a catalogue item field.
type FieldType string

const (
	FieldText   FieldType = "text"
	FieldDate   FieldType = "date"
	FieldAmount FieldType = "amount" // a decimal; the unit is in the field spec
	FieldCode   FieldType = "code"   // a USCC or ID number
	FieldEnum   FieldType = "enum"
)

// FieldSpec is one field a catalogue item may carry.
type FieldSpec struct {
	Code     string    `json:"code"`  // e.g. CF_WSH
	Label    string    `json:"label"` // e.g. 行政处罚决定书文号
	Type     FieldType `json:"type"`
	Unit     string    `json:"unit,omitempty"` // e.g. 万元
	Required bool      `json:"required,omitempty"`
	// Personal marks personal information (an ID number, a person's name):
	// never published unmasked, and only with a basis or consent.
	Personal bool     `json:"personal,omitempty"`
	Values   []string `json:"values,omitempty"` // for enum fields
	MaxLen   int      `json:"max_len,omitempty"`
}

// CatalogueItem is one item of the public credit information catalogue.
// Only what an approved item allows may be recorded.
type CatalogueItem struct {
	Code            string          `json:"code"`
	Name            string          `json:"name"`
	NameEN          string          `json:"name_en,omitempty"`
	Category        string          `json:"category"` // Category.Code
	Layer           Layer           `json:"layer"`
	Kind            string          `json:"kind,omitempty"` // "penalty", "license" for 双公示 items
	Negative        bool            `json:"negative"`       // dishonesty information: needs a severity
	Providers       []string        `json:"providers"`      // providing departments (names)
	SubjectKinds    []SubjectKind   `json:"subject_kinds,omitempty"`
	Fields          []FieldSpec     `json:"fields"`
	SharingScope    SharingScope    `json:"sharing_scope"`
	DisclosureScope DisclosureScope `json:"disclosure_scope"`
	LegalBasis      string          `json:"legal_basis"`
	Edition         string          `json:"edition"`
	Version         int             `json:"version"`
	Status          ItemStatus      `json:"status"`
	EffectiveFrom   Date            `json:"effective_from"`
	EffectiveTo     Date            `json:"effective_to,omitzero"`
	Provenance      Provenance      `json:"provenance"`
	Source          string          `json:"source,omitempty"`
	UpdatedAt       time.Time       `json:"updated_at,omitzero"`
	// Pending is the proposed change of this item, in draft or under
	// consultation, while this version stays in force (ChangeIsPending).
	// Listings set it so that the change can be consulted on; it is never
	// stored with the item and is ignored in a proposal.
	Pending *CatalogueItem `json:"pending,omitempty"`
}

// Field returns the spec of the field with the given code or label.
func (it CatalogueItem) Field(codeOrLabel string) (FieldSpec, bool) {
	for _, f := range it.Fields {
		if f.Code == codeOrLabel || f.Label == codeOrLabel {
			return f, true
		}
	}
	return FieldSpec{}, false
}

// InForce reports whether the item may be used for records on date d.
func (it CatalogueItem) InForce(d Date) bool {
	if it.Status != ItemApproved {
		return false
	}
	if !it.EffectiveFrom.IsZero() && d.Before(it.EffectiveFrom) {
		return false
	}
	if !it.EffectiveTo.IsZero() && !d.Before(it.EffectiveTo) {
		return false
	}
	return true
}

// ValidateCatalogueItem checks an item before it is stored: every item needs
// a code, a name, a category, a legal basis, valid scopes, a provenance, and
// fields with codes. Supplementary items must be local.
func ValidateCatalogueItem(it CatalogueItem) error {
	var v Validation
	if strings.TrimSpace(it.Code) == "" {
		v.Add("code", "required", "an item needs a code")
	} else if len(it.Code) > 64 || strings.ContainsAny(it.Code, " /\\?#%") {
		v.Add("code", "catalogue.code_format", "an item code is at most 64 characters without spaces, slashes, ? # or %%")
	}
	if strings.TrimSpace(it.Name) == "" {
		v.Add("name", "required", "an item needs a name")
	}
	if strings.TrimSpace(it.Category) == "" {
		v.Add("category", "required", "an item belongs to a category")
	}
	if strings.TrimSpace(it.LegalBasis) == "" {
		v.Add("legal_basis", "catalogue.legal_basis", "an item without a legal basis cannot be in the catalogue (目录制管理: 合法、必要)")
	}
	if !it.Layer.Valid() {
		v.Add("layer", "enum", "layer must be national, provincial or city")
	}
	if !it.SharingScope.Valid() {
		v.Add("sharing_scope", "enum", "sharing_scope must be unconditional, conditional or none")
	}
	if !it.DisclosureScope.Valid() {
		v.Add("disclosure_scope", "enum", "disclosure_scope must be public, on_request, authorised or not_disclosed")
	}
	if !it.Provenance.Valid() {
		v.Add("provenance", "enum", "provenance must be confirmed, unconfirmed or local")
	}
	if it.Layer != LayerNational && it.Layer.Valid() && it.Provenance != ProvenanceLocal {
		v.Add("provenance", "catalogue.local", "a %s item is defined locally: its provenance is local", it.Layer)
	}
	seen := map[string]bool{}
	for i, f := range it.Fields {
		if f.Code == "" {
			v.Add("fields", "required", "field %d has no code", i+1)
		} else if seen[f.Code] {
			v.Add("fields", "unique", "field %s appears twice", f.Code)
		}
		seen[f.Code] = true
	}
	return v.Err("the catalogue item is not valid")
}

// ItemTransition checks a catalogue item's life-cycle step: draft →
// consultation → approved → retired. Supplementary (non-national) items
// need public consultation before approval; national items are loaded as
// approved from the official edition.
func ItemTransition(it CatalogueItem, to ItemStatus) error {
	from := it.Status
	ok := false
	switch to {
	case ItemConsultation:
		ok = from == ItemDraft
	case ItemApproved:
		ok = from == ItemConsultation || (from == ItemDraft && it.Layer == LayerNational)
	case ItemRetired:
		ok = from == ItemApproved || from == ItemDraft || from == ItemConsultation
	}
	if !ok {
		msg := "a catalogue item cannot go from " + string(from) + " to " + string(to)
		if to == ItemApproved && from == ItemDraft {
			msg = "a supplementary item must be put to public consultation before it is approved"
		}
		if to == ItemWithdrawn {
			msg = "item " + it.Code + " has no pending change to withdraw (a new item in draft or consultation is abandoned by retiring it)"
		}
		return &Error{Code: ECONFLICT, Message: msg, Fields: []FieldError{{Field: "status", Rule: "catalogue.transition", Message: msg}}}
	}
	return nil
}

// ChangeIsPending reports whether a proposal for an item whose current
// version is cur waits as a pending change of it. Once an item has been
// approved, its current version alone governs intake, sharing, disclosure
// and publication of the records that rest on it (in force, or retired with
// records still shown under it): a proposed change — other scopes, other
// fields — is only a proposal until it has been through public consultation
// and approved (DOMAIN.md §1). An item never approved (a draft, an item
// under consultation) has no records: a new proposal replaces it.
func ChangeIsPending(cur CatalogueItem) bool {
	return cur.Status == ItemApproved || cur.Status == ItemRetired
}

// PendingTransition checks a step of pending, the proposed change of the
// item whose current version is cur, on date today: draft → consultation →
// approved, or withdrawn (rejected) from draft or consultation. The item
// itself is not retired while a change of it is pending: which of the two
// is meant must be said, by withdrawing or approving the change first. A
// change approved replaces the item in force at once, so it may not take
// the item out of force: an effective date still to come waits for that
// date.
func PendingTransition(cur, pending CatalogueItem, to ItemStatus, today Date) error {
	conflict := func(msg string) error {
		return &Error{Code: ECONFLICT, Message: msg, Fields: []FieldError{{Field: "status", Rule: "catalogue.transition", Message: msg}}}
	}
	pend := fmt.Sprintf("item %s has a pending change (version %d, %s)", cur.Code, pending.Version, pending.Status)
	switch to {
	case ItemConsultation, ItemApproved:
		if err := ItemTransition(pending, to); err != nil {
			return conflict(pend + ": " + ErrorMessage(err))
		}
		if to == ItemApproved && cur.Status == ItemApproved && pending.EffectiveFrom.After(today) {
			return conflict(fmt.Sprintf("%s taking effect on %s: approving it now would take the item in force out of force until then; approve it on or after that date", pend, pending.EffectiveFrom))
		}
		return nil
	case ItemWithdrawn:
		if pending.Status != ItemDraft && pending.Status != ItemConsultation {
			return conflict(pend + ": only a change in draft or under consultation is withdrawn")
		}
		return nil
	case ItemRetired:
		return conflict(pend + ": withdraw the change (status withdrawn) or approve it before the item itself is retired")
	}
	return conflict(pend + ": it cannot go to " + string(to))
}

// ApproveChange returns the version that replaces cur when its pending
// change is approved on today: the change, approved, under the next
// version number. Without an effective date of its own it continues the
// item in force from the same date (a retired item is in force again from
// today).
func ApproveChange(cur, pending CatalogueItem, today Date) CatalogueItem {
	next := pending
	next.Pending = nil
	next.Status = ItemApproved
	next.Version = pending.Version + 1
	if next.EffectiveFrom.IsZero() {
		next.EffectiveFrom = today
		if cur.Status == ItemApproved && !cur.EffectiveFrom.IsZero() {
			next.EffectiveFrom = cur.EffectiveFrom
		}
	}
	return next
}

// WithdrawChange returns the history entry that ends a pending change
// withdrawn (or rejected) before approval.
func WithdrawChange(pending CatalogueItem) CatalogueItem {
	w := pending
	w.Pending = nil
	w.Status = ItemWithdrawn
	w.Version = pending.Version + 1
	return w
}
