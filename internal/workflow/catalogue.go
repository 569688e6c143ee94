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

// CatalogueItems lists the catalogue (public).
func (s *Service) CatalogueItems(ctx context.Context) ([]xinyong.Category, []xinyong.CatalogueItem, error) {
	var cats []xinyong.Category
	var items []xinyong.CatalogueItem
	err := s.view(ctx, func(tx xinyong.Tx) error {
		c, err := s.catalogue(tx)
		// Copies: callers may sort or change them; the cache is shared.
		cats, items = slices.Clone(c.categories), slices.Clone(c.items)
		return err
	})
	return cats, items, err
}

// CatalogueItem returns one item and its version history (public).
func (s *Service) CatalogueItem(ctx context.Context, code string) (xinyong.CatalogueItem, []xinyong.CatalogueItem, error) {
	var it xinyong.CatalogueItem
	var hist []xinyong.CatalogueItem
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		if it, err = findItem(tx, code); err != nil {
			return err
		}
		hist, err = tx.CatalogueItemHistory(it.Code)
		return err
	})
	return it, hist, err
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

// ProposeItem adds a supplementary (provincial or city) item as a draft.
func (s *Service) ProposeItem(ctx context.Context, actor xinyong.Actor, it xinyong.CatalogueItem) (xinyong.CatalogueItem, error) {
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActCataloguePropose, xinyong.Resource{}, nil); err != nil {
			return err
		}
		return s.putProposed(t, &it)
	})
	return it, err
}

func (s *Service) putProposed(t *txn, it *xinyong.CatalogueItem) error {
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
		return xinyong.Invalid("the item is not valid", xinyong.FieldError{Field: "layer", Rule: "catalogue.layer", Message: "national items come only from the official edition; propose a provincial or city item"})
	}
	if it.Status != xinyong.ItemDraft && it.Status != xinyong.ItemConsultation {
		return xinyong.Invalid("the item is not valid", xinyong.FieldError{Field: "status", Rule: "catalogue.transition", Message: "a supplementary item enters as draft or consultation and is approved after public consultation"})
	}
	if err := xinyong.ValidateCatalogueItem(*it); err != nil {
		return err
	}
	if _, err := t.Category(it.Category); err != nil {
		return xinyong.Invalid("the item is not valid", xinyong.FieldError{Field: "category", Rule: "catalogue.category", Message: fmt.Sprintf("category %q does not exist", it.Category)})
	}
	prev, err := t.CatalogueItem(it.Code)
	switch {
	case err == nil && prev.Layer == xinyong.LayerNational:
		return xinyong.Errorf(xinyong.ECONFLICT, "item %s is a national item and cannot be replaced by a supplement", it.Code)
	case err == nil:
		it.Version = prev.Version + 1
	case xinyong.ErrorCode(err) == xinyong.ENOTFOUND:
		it.Version = 1
	default:
		return err
	}
	if err := t.PutCatalogueItem(*it); err != nil {
		return err
	}
	return t.audit("catalogue.propose", "catalogue_item", it.Code, nil, *it, fmt.Sprintf("v%d %s %s", it.Version, it.Status, it.Name))
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

// TransitionItem moves an item along draft → consultation → approved → retired.
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
		before := it
		if err := xinyong.ItemTransition(it, to); err != nil {
			return err
		}
		it.Status = to
		it.Version++
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
			if err := s.putProposed(t, &sup.Items[i]); err != nil {
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
