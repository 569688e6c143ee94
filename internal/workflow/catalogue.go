package workflow

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"xinyong"
	"xinyong/internal/refdata"
)

// Meta keys.
const (
	metaRefdata      = "refdata.loaded"
	metaAdminCreated = "admin.created"
)

// Bootstrap loads the national reference data on first start and creates the
// admin account. It returns the admin's one-time password when it created
// the account, and "" on every later start.
func (s *Service) Bootstrap(ctx context.Context, set *refdata.Set) (adminPassword string, err error) {
	if err := s.LoadReference(ctx, set); err != nil {
		return "", err
	}
	return s.ensureAdmin(ctx)
}

// LoadReference loads the national reference data once (the first time the
// database is used).
func (s *Service) LoadReference(ctx context.Context, set *refdata.Set) error {
	err := s.update(ctx, xinyong.System, func(t *txn) error {
		if _, err := t.Meta(metaRefdata); err == nil {
			return nil
		} else if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return err
		}
		for _, c := range set.Categories {
			if err := t.PutCategory(c); err != nil {
				return err
			}
		}
		for _, it := range set.Items {
			if err := t.PutCatalogueItem(it); err != nil {
				return err
			}
		}
		for _, m := range set.Measures {
			if err := t.PutMeasure(m); err != nil {
				return err
			}
		}
		for _, lt := range set.ListTypes {
			if err := t.PutListType(lt); err != nil {
				return err
			}
		}
		for _, r := range set.Regimes {
			if err := t.PutRegime(r); err != nil {
				return err
			}
		}
		var eds []string
		for _, e := range set.Editions {
			eds = append(eds, fmt.Sprint(e))
		}
		detail := fmt.Sprintf("%d categories, %d items, %d measures, %d list types, %d regimes", len(set.Categories), len(set.Items), len(set.Measures), len(set.ListTypes), len(set.Regimes))
		if err := t.SetMeta(metaRefdata, Digest(set)); err != nil {
			return err
		}
		return t.audit("refdata.load", "refdata", "national", nil, set, detail)
	})
	if err == nil {
		err = s.LoadGradingDefaults(ctx) // the default grading model (issue 8), once
	}
	return err
}

func (s *Service) ensureAdmin(ctx context.Context) (string, error) {
	pw := RandomSecret(15)
	created := false
	err := s.update(ctx, xinyong.System, func(t *txn) error {
		if _, err := t.Meta(metaAdminCreated); err == nil {
			return nil
		}
		a := xinyong.Account{ID: NewID(), Username: "admin", Name: "平台管理员 (platform admin)", Role: xinyong.RoleAdmin, Organisation: "省信用办", PasswordHash: HashPassword(pw), CreatedAt: t.Now()}
		if err := t.CreateAccount(a); err != nil {
			return err
		}
		if err := t.SetMeta(metaAdminCreated, a.ID); err != nil {
			return err
		}
		created = true
		return t.audit("account.create", "account", a.ID, nil, a, "initial admin account")
	})
	if err != nil || !created {
		return "", err
	}
	return pw, nil
}

// CatalogueItems lists the catalogue (public): the version of each item
// that is in force (or, for an item never approved, its proposal), with the
// proposed change of an item once approved, under consultation or in draft,
// in its Pending (xinyong.ChangeIsPending).
func (s *Service) CatalogueItems(ctx context.Context) ([]xinyong.Category, []xinyong.CatalogueItem, error) {
	var cats []xinyong.Category
	var items []xinyong.CatalogueItem
	err := s.view(ctx, func(tx xinyong.Tx) error {
		c, err := s.catalogue(tx)
		if err != nil {
			return err
		}
		// Copies: callers may sort or change them; the cache is shared.
		cats, items = slices.Clone(c.categories), slices.Clone(c.items)
		pending, err := tx.PendingCatalogueItems()
		if err != nil || len(pending) == 0 {
			return err
		}
		byCode := make(map[string]int, len(items))
		for i, it := range items {
			byCode[it.Code] = i
		}
		for _, p := range pending {
			if i, ok := byCode[p.Code]; ok {
				items[i].Pending = &p
			}
		}
		return nil
	})
	return cats, items, err
}

// CatalogueItem returns one item, with its pending change, and its version
// history, pending versions included (public).
func (s *Service) CatalogueItem(ctx context.Context, code string) (xinyong.CatalogueItem, []xinyong.CatalogueItem, error) {
	var it xinyong.CatalogueItem
	var hist []xinyong.CatalogueItem
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		if it, err = findItem(tx, code); err != nil {
			return err
		}
		if err := withPending(tx, &it); err != nil {
			return err
		}
		hist, err = tx.CatalogueItemHistory(it.Code)
		return err
	})
	return it, hist, err
}

// withPending sets it.Pending to the item's pending change, if any.
func withPending(tx xinyong.Tx, it *xinyong.CatalogueItem) error {
	p, err := tx.PendingCatalogueItem(it.Code)
	switch {
	case err == nil:
		it.Pending = &p
	case xinyong.ErrorCode(err) != xinyong.ENOTFOUND:
		return err
	}
	return nil
}

// nextItemVersion is the version number after every version of the item
// so far: the current one, its pending change, and changes withdrawn.
func nextItemVersion(tx xinyong.Tx, cur xinyong.CatalogueItem) (int, error) {
	hist, err := tx.CatalogueItemHistory(cur.Code)
	if err != nil {
		return 0, err
	}
	v := cur.Version
	for _, h := range hist {
		v = max(v, h.Version)
	}
	return v + 1, nil
}

func findItem(tx xinyong.Tx, ref string) (xinyong.CatalogueItem, error) {
	it, err := tx.CatalogueItem(ref)
	if err == nil || xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		return it, err
	}
	items, err := tx.CatalogueItems()
	if err != nil {
		return it, err
	}
	for _, it := range items {
		if ItemMatches(it, ref) {
			return it, nil
		}
	}
	return it, &xinyong.Error{Code: xinyong.ENOTFOUND, Message: fmt.Sprintf("catalogue item %q is not in the catalogue", ref)}
}

// ProposeItem adds a supplementary (provincial or city) item as a draft. A
// proposal for an item once approved is a pending change of it: the item in
// force is returned with the change in its Pending, and stays in force until
// the change is approved (xinyong.ChangeIsPending).
func (s *Service) ProposeItem(ctx context.Context, actor xinyong.Actor, it xinyong.CatalogueItem) (xinyong.CatalogueItem, error) {
	var out xinyong.CatalogueItem
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActCataloguePropose, xinyong.Resource{}, nil); err != nil {
			return err
		}
		cur, pending, err := s.putProposed(t, &it)
		if err != nil {
			return err
		}
		out = it
		if pending {
			out = cur
			out.Pending = &it
		}
		return nil
	})
	return out, err
}

// putProposed stores a proposal: a new item, or the next version of an
// item never approved, as the item; a change of an item once approved as
// its pending version, leaving the version in force alone. It returns the
// item's current version and whether the proposal is pending.
func (s *Service) putProposed(t *txn, it *xinyong.CatalogueItem) (xinyong.CatalogueItem, bool, error) {
	it.Pending = nil
	if it.Layer == "" {
		it.Layer = xinyong.LayerProvincial
	}
	if it.Provenance == "" {
		it.Provenance = xinyong.ProvenanceLocal
	}
	if it.Status == "" {
		it.Status = xinyong.ItemDraft
	}
	if it.Layer == xinyong.LayerNational {
		return *it, false, xinyong.Invalid("the item is not valid", xinyong.FieldError{Field: "layer", Rule: "catalogue.layer", Message: "national items come only from the official edition; propose a provincial or city item"})
	}
	if it.Status != xinyong.ItemDraft && it.Status != xinyong.ItemConsultation {
		return *it, false, xinyong.Invalid("the item is not valid", xinyong.FieldError{Field: "status", Rule: "catalogue.transition", Message: "a supplementary item enters as draft or consultation and is approved after public consultation"})
	}
	if err := xinyong.ValidateCatalogueItem(*it); err != nil {
		return *it, false, err
	}
	if _, err := t.Category(it.Category); err != nil {
		return *it, false, xinyong.Invalid("the item is not valid", xinyong.FieldError{Field: "category", Rule: "catalogue.category", Message: fmt.Sprintf("category %q does not exist", it.Category)})
	}
	prev, err := t.CatalogueItem(it.Code)
	exists := err == nil
	switch {
	case exists && prev.Layer == xinyong.LayerNational:
		return prev, false, xinyong.Errorf(xinyong.ECONFLICT, "item %s is a national item and cannot be replaced by a supplement", it.Code)
	case exists:
		if it.Version, err = nextItemVersion(t, prev); err != nil {
			return prev, false, err
		}
	case xinyong.ErrorCode(err) == xinyong.ENOTFOUND:
		it.Version = 1
	default:
		return prev, false, err
	}
	if exists && xinyong.ChangeIsPending(prev) {
		// The version in force (or retired, with its records) stays the
		// item's current version; the change replaces an earlier pending one.
		var before any
		if old, err := t.PendingCatalogueItem(it.Code); err == nil {
			before = old
		} else if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return prev, true, err
		}
		if err := t.PutPendingCatalogueItem(*it); err != nil {
			return prev, true, err
		}
		return prev, true, t.audit("catalogue.propose", "catalogue_item", it.Code, before, *it,
			fmt.Sprintf("v%d %s %s: pending change of v%d (%s), which stays in force until the change is approved", it.Version, it.Status, it.Name, prev.Version, prev.Status))
	}
	if err := t.PutCatalogueItem(*it); err != nil {
		return *it, false, err
	}
	return *it, false, t.audit("catalogue.propose", "catalogue_item", it.Code, nil, *it, fmt.Sprintf("v%d %s %s", it.Version, it.Status, it.Name))
}

// Category returns a category by code (the domain keeps them in the catalogue).
func categoryOf(tx xinyong.Tx, code string) (xinyong.Category, error) {
	cats, err := tx.Categories()
	if err != nil {
		return xinyong.Category{}, err
	}
	for _, c := range cats {
		if c.Code == code || c.Name == code {
			return c, nil
		}
	}
	return xinyong.Category{}, &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "category " + code + " not found"}
}

// Category is a helper on txn.
func (t *txn) Category(code string) (xinyong.Category, error) { return categoryOf(t.Tx, code) }

// TransitionItem moves an item along draft → consultation → approved →
// retired. When a change of an item once approved is pending, the step is
// the change's (xinyong.PendingTransition): to consultation, to approved —
// the change becomes the item's current version — or withdrawn, leaving the
// version in force alone; the item is returned with what is still pending.
func (s *Service) TransitionItem(ctx context.Context, actor xinyong.Actor, code string, to xinyong.ItemStatus, note string) (xinyong.CatalogueItem, error) {
	var it xinyong.CatalogueItem
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActCatalogueTransition, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var err error
		if it, err = findItem(t, code); err != nil {
			return err
		}
		if err := withPending(t, &it); err != nil {
			return err
		}
		if it.Pending != nil {
			it, err = s.transitionPending(t, it, to, note)
			return err
		}
		before := it
		if err := xinyong.ItemTransition(it, to); err != nil {
			return err
		}
		it.Status = to
		if it.Version, err = nextItemVersion(t, before); err != nil {
			return err
		}
		if to == xinyong.ItemApproved && it.EffectiveFrom.IsZero() {
			it.EffectiveFrom = xinyong.DateOf(t.Now())
		}
		if to == xinyong.ItemRetired {
			it.EffectiveTo = xinyong.DateOf(t.Now())
		}
		if err := t.PutCatalogueItem(it); err != nil {
			return err
		}
		return t.audit(xinyong.Action("catalogue."+string(to)), "catalogue_item", it.Code, before, it, strings.TrimSpace(note))
	})
	return it, err
}

// transitionPending takes the step to of cur's pending change.
func (s *Service) transitionPending(t *txn, cur xinyong.CatalogueItem, to xinyong.ItemStatus, note string) (xinyong.CatalogueItem, error) {
	pending := *cur.Pending
	cur.Pending = nil
	today := xinyong.DateOf(t.Now())
	if err := xinyong.PendingTransition(cur, pending, to, today); err != nil {
		return cur, err
	}
	detail := func(what string) string {
		if note = strings.TrimSpace(note); note != "" {
			return what + "; " + note
		}
		return what
	}
	switch to {
	case xinyong.ItemConsultation:
		before := pending
		pending.Status, pending.Version = to, pending.Version+1
		if err := t.PutPendingCatalogueItem(pending); err != nil {
			return cur, err
		}
		cur.Pending = &pending
		return cur, t.audit("catalogue.consultation", "catalogue_item", cur.Code, before, pending,
			detail(fmt.Sprintf("pending change v%d of v%d in force put to consultation", pending.Version, cur.Version)))
	case xinyong.ItemApproved:
		next := xinyong.ApproveChange(cur, pending, today)
		if err := t.DeletePendingCatalogueItem(cur.Code); err != nil {
			return cur, err
		}
		// t.PutCatalogueItem writes a new catalogue revision: intake, the
		// portal and sharing read the approved version from now on.
		if err := t.PutCatalogueItem(next); err != nil {
			return cur, err
		}
		return next, t.audit("catalogue.approved", "catalogue_item", cur.Code, cur, next,
			detail(fmt.Sprintf("change approved: v%d replaces v%d (%s)", next.Version, cur.Version, cur.Status)))
	case xinyong.ItemWithdrawn:
		w := xinyong.WithdrawChange(pending)
		if err := t.DeletePendingCatalogueItem(cur.Code); err != nil {
			return cur, err
		}
		if err := t.AppendCatalogueItemHistory(w); err != nil {
			return cur, err
		}
		return cur, t.audit("catalogue.withdrawn", "catalogue_item", cur.Code, pending, w,
			detail(fmt.Sprintf("pending change v%d withdrawn; v%d (%s) stays", pending.Version, cur.Version, cur.Status)))
	}
	return cur, xinyong.Errorf(xinyong.ECONFLICT, "a pending change cannot go to %s", to)
}

// LoadSupplement loads a provincial or city supplement file: categories,
// items (as drafts or under consultation) and measures. The whole file is
// refused if any row lacks a legal basis or breaks a rule.
func (s *Service) LoadSupplement(ctx context.Context, actor xinyong.Actor, r io.Reader) (refdata.Supplement, error) {
	sup, err := refdata.ParseSupplement(r)
	if err != nil {
		return sup, err
	}
	err = s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActCatalogueLoad, xinyong.Resource{}, nil); err != nil {
			return err
		}
		for _, c := range sup.Categories {
			if err := t.PutCategory(c); err != nil {
				return err
			}
		}
		for i := range sup.Items {
			if _, _, err := s.putProposed(t, &sup.Items[i]); err != nil {
				return fmt.Errorf("item %s: %w", sup.Items[i].Code, err)
			}
		}
		for _, m := range sup.Measures {
			if err := xinyong.ValidateMeasure(m); err != nil {
				return err
			}
			if err := t.PutMeasure(m); err != nil {
				return err
			}
			if err := t.audit("measure.load", "measure", m.Code, nil, m, m.Item); err != nil {
				return err
			}
		}
		return t.audit("catalogue.load", "supplement", string(sup.Layer)+":"+sup.Edition, nil, sup, fmt.Sprintf("%d items, %d measures; basis %s", len(sup.Items), len(sup.Measures), sup.LegalBasis))
	})
	return sup, err
}

// AddCodeOverride records an admin's audited acceptance of a code that fails
// its check (real codes with bad check characters exist).
func (s *Service) AddCodeOverride(ctx context.Context, actor xinyong.Actor, code, kind, reason string) (xinyong.CodeOverride, error) {
	var o xinyong.CodeOverride
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActSubjectOverride, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var v xinyong.Validation
		code = xinyong.NormalizeCode(code)
		if len(code) != 18 {
			v.Add("code", "override.length", "an override is for an 18-character code")
		}
		if _, err := xinyong.ParseIdentity(code); err == nil {
			v.Add("code", "override.needed", "code %s is valid and needs no override", code)
		}
		k := xinyong.SubjectKind(kind)
		if !k.Valid() || k == xinyong.KindPerson {
			v.Add("kind", "enum", "kind must be enterprise, organisation or individual_business (ID numbers of persons cannot be overridden)")
		}
		if strings.TrimSpace(reason) == "" {
			v.Add("reason", "required", "an override needs a written reason (e.g. the registration certificate seen)")
		}
		if err := v.Err("the override is not valid"); err != nil {
			return err
		}
		o = xinyong.CodeOverride{Code: code, Kind: k, Reason: strings.TrimSpace(reason), By: actor.Ref(), CreatedAt: t.Now()}
		if err := t.PutCodeOverride(o); err != nil {
			return err
		}
		return t.audit("subject.override", "code_override", code, nil, o, o.Reason)
	})
	return o, err
}
