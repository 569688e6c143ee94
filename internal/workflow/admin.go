package workflow

import (
	"context"
	"slices"
	"strings"

	"xinyong"
)

// Use cases of the admin console (issue 8) that the API did not need yet.
// Each is one transaction with its audit event (itself a ledger leaf), like
// the rest of the workflow.

// Audit actions of this file.
const (
	ActAccountReset xinyong.Action = "account.password.reset"
)

// ResetPassword gives an account a new one-time password (admin) and
// returns it, to be shown once; only its hash is stored. The account's
// owner replaces it after signing in.
func (s *Service) ResetPassword(ctx context.Context, actor xinyong.Actor, username string) (string, error) {
	if err := xinyong.Authorize(actor, xinyong.ActAccountManage, xinyong.Resource{}, nil); err != nil {
		return "", err
	}
	pw := RandomSecret(15)
	if err := s.replacePassword(ctx, actor, username, HashPassword(pw), ActAccountReset, "one-time password issued by "+actor.Ref()); err != nil {
		return "", err
	}
	return pw, nil
}

// DeadLetter is a dead letter with the subscription it belongs to.
type DeadLetter struct {
	xinyong.Delivery
	URL string `json:"url"`
}

// AllDeadLetters lists the dead letters of every subscription (admin),
// oldest first within each subscription, at most limit per subscription.
func (s *Service) AllDeadLetters(ctx context.Context, actor xinyong.Actor, limit int) ([]DeadLetter, error) {
	if err := xinyong.Authorize(actor, xinyong.ActWebhookManage, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 200
	}
	var out []DeadLetter
	err := s.view(ctx, func(tx xinyong.Tx) error {
		subs, err := tx.Subscriptions()
		if err != nil {
			return err
		}
		for _, sub := range subs {
			ds, err := tx.DeliveriesBy(sub.ID, xinyong.DeliveryDead, limit)
			if err != nil {
				return err
			}
			for _, d := range ds {
				out = append(out, DeadLetter{Delivery: d, URL: sub.URL})
			}
		}
		return nil
	})
	return out, err
}

// Overrides lists the admin's corrections of the holiday calendar, by date.
func (s *Service) Overrides(ctx context.Context, actor xinyong.Actor) ([]xinyong.Override, error) {
	if err := xinyong.Authorize(actor, xinyong.ActReferenceManage, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	var out []xinyong.Override
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.Overrides()
		return err
	})
	slices.SortFunc(out, func(a, b xinyong.Override) int { return a.Date.Days() - b.Date.Days() })
	return out, err
}

// CreateListType adds a new list type from the console (admin): refused
// without a legal basis or outside the four fields (xinyong.ValidateListType),
// and refused when the code exists (a console never silently replaces an
// official list type). A list type defined here is local.
func (s *Service) CreateListType(ctx context.Context, actor xinyong.Actor, lt xinyong.ListType) (xinyong.ListType, error) {
	if err := xinyong.Authorize(actor, xinyong.ActReferenceManage, xinyong.Resource{}, nil); err != nil {
		return lt, err
	}
	lt.Code, lt.Name = strings.TrimSpace(lt.Code), strings.TrimSpace(lt.Name)
	lt.Provenance = xinyong.ProvenanceLocal
	if err := xinyong.ValidateListType(lt); err != nil {
		return lt, err
	}
	err := s.update(ctx, actor, func(t *txn) error {
		if _, err := listTypeOf(t, lt.Code); err == nil {
			return &xinyong.Error{Code: xinyong.ECONFLICT, Message: "list type " + lt.Code + " exists already", Fields: []xinyong.FieldError{{Field: "code", Rule: "unique", Message: "list type " + lt.Code + " exists already; choose another code"}}}
		}
		if lt.EffectiveFrom.IsZero() {
			lt.EffectiveFrom = xinyong.DateOf(t.Now())
		}
		if err := t.PutListType(lt); err != nil {
			return err
		}
		return t.audit(ActListTypePut, "list_type", lt.Code, nil, lt, "created: "+lt.Name+"; basis "+clip(lt.LegalBasis, 300))
	})
	return lt, err
}

// ListingCandidates are the records an officer may propose a listing on:
// its department's active negative records about the subject (code or
// subject reference), newest first.
func (s *Service) ListingCandidates(ctx context.Context, actor xinyong.Actor, subject string) (xinyong.Subject, []xinyong.Record, error) {
	var subj xinyong.Subject
	var out []xinyong.Record
	if err := xinyong.Authorize(actor, xinyong.ActListingManage, xinyong.Resource{DepartmentID: actor.DepartmentID}, nil); err != nil {
		return subj, nil, err
	}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		if subj, err = s.lookupSubject(tx, strings.TrimSpace(subject)); err != nil {
			return err
		}
		rs, err := tx.ListRecords(xinyong.RecordFilter{DepartmentID: actor.DepartmentID, SubjectID: subj.ID, Status: xinyong.RecordActive, Limit: 500})
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.Severity != xinyong.SeverityNone {
				out = append(out, r)
			}
		}
		slices.Reverse(out)
		return nil
	})
	return subj, out, err
}
