package workflow

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"

	"xinyong"
)

// Inbound repairs (修复结果互认, issue 7): another platform, registered by
// the admin as a peer with its Ed25519 public key, sends a repair decision
// it made; the platform checks the signature over the exact body, finds the
// same record (department code, kind and decision number, or subject code
// and decision number) and applies the same outcome in one transaction,
// once per peer decision id — unless the local record's state or the law
// stands against it (xinyong.CheckInboundRecord).

// Audit action of peer registration.
const ActPeerAdd xinyong.Action = "peer.add"

// Inbound request headers.
const (
	HeaderPeer      = "Xinyong-Peer"      // the peer's registered name
	HeaderSignature = "Xinyong-Signature" // "ed25519=" + base64 of the signature over the exact body
)

// ParsePeerKey reads an Ed25519 public key: a PEM "PUBLIC KEY" (PKIX), or
// the 32 raw bytes in base64 or hex-free binary.
func ParsePeerKey(b []byte) (ed25519.PublicKey, error) {
	bad := xinyong.Invalid("bad key", xinyong.FieldError{Field: "key", Rule: "peer.key", Message: "an Ed25519 public key: PEM (PUBLIC KEY) or the 32 bytes in base64"})
	if blk, _ := pem.Decode(b); blk != nil {
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, bad
		}
		if ek, ok := k.(ed25519.PublicKey); ok {
			return ek, nil
		}
		return nil, bad
	}
	if len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, bad
	}
	return ed25519.PublicKey(raw), nil
}

// PeerInput registers a peer.
type PeerInput struct {
	Name string `json:"name"`
	Key  string `json:"key"` // PEM or base64 of the 32-byte Ed25519 public key
}

// AddPeer registers (or re-keys) a peer platform (admin, audited).
func (s *Service) AddPeer(ctx context.Context, actor xinyong.Actor, in PeerInput) (xinyong.Peer, error) {
	var p xinyong.Peer
	if err := xinyong.Authorize(actor, xinyong.ActPeerManage, xinyong.Resource{}, nil); err != nil {
		return p, err
	}
	name := strings.TrimSpace(in.Name)
	var v xinyong.Validation
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n,;") {
		v.Add("name", "peer.name", "a peer's name is 1-64 characters without spaces, commas or semicolons")
	}
	key, err := ParsePeerKey([]byte(in.Key))
	if err != nil {
		v.Fields = append(v.Fields, xinyong.ErrorFields(err)...)
	}
	if err := v.Err("the peer was refused"); err != nil {
		return p, err
	}
	err = s.update(ctx, actor, func(t *txn) error {
		p = xinyong.Peer{ID: NewID(), Name: name, PublicKey: key, CreatedBy: actor.Ref(), CreatedAt: t.Now()}
		if old, err := t.PeerByName(name); err == nil {
			p.ID, p.CreatedAt, p.CreatedBy = old.ID, old.CreatedAt, old.CreatedBy
		}
		if err := t.PutPeer(p); err != nil {
			return err
		}
		return t.audit(ActPeerAdd, "peer", p.ID, nil, p, name+" key "+base64.StdEncoding.EncodeToString(key))
	})
	return p, err
}

// Peers lists the registered peers (admin).
func (s *Service) Peers(ctx context.Context, actor xinyong.Actor) ([]xinyong.Peer, error) {
	if err := xinyong.Authorize(actor, xinyong.ActPeerManage, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	var out []xinyong.Peer
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.Peers()
		return err
	})
	return out, err
}

// SignInbound signs an inbound body as a peer would (tests and the peer
// side): the value of the Xinyong-Signature header.
func SignInbound(key ed25519.PrivateKey, body []byte) string {
	return "ed25519=" + base64.StdEncoding.EncodeToString(ed25519.Sign(key, body))
}

func unauthorizedPeer(msg string) error {
	return &xinyong.Error{Code: xinyong.EUNAUTHORIZED, Message: msg}
}

// InboundResult is the answer to an inbound repair.
type InboundResult struct {
	Repair  xinyong.Repair `json:"repair"`
	Created bool           `json:"created"` // false: this peer decision was applied before
}

// ReceiveInbound checks and applies a peer's repair decision. A missing,
// unknown, disabled or non-matching signature is EUNAUTHORIZED with nothing
// changed; a decision applied before answers the same repair again.
func (s *Service) ReceiveInbound(ctx context.Context, peerName, signature string, body []byte) (InboundResult, error) {
	var out InboundResult
	peerName = strings.TrimSpace(peerName)
	sigB64, ok := strings.CutPrefix(strings.TrimSpace(signature), "ed25519=")
	if peerName == "" || !ok {
		return out, unauthorizedPeer("send " + HeaderPeer + ": NAME and " + HeaderSignature + ": ed25519=BASE64 over the exact body")
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return out, unauthorizedPeer("the signature is not a base64 Ed25519 signature")
	}
	var peer xinyong.Peer
	if err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		peer, err = tx.PeerByName(peerName)
		return err
	}); err != nil {
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return out, unauthorizedPeer("no registered peer is called " + peerName)
		}
		return out, err
	}
	if peer.Disabled || len(peer.PublicKey) != ed25519.PublicKeySize || !ed25519.Verify(ed25519.PublicKey(peer.PublicKey), body, sig) {
		return out, unauthorizedPeer("the signature does not verify with peer " + peerName + "'s registered key: the body was forged or altered")
	}
	var in xinyong.InboundRepair
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return out, xinyong.Errorf(xinyong.EINVALID, "the body is not an inbound repair: %v", err)
	}
	actor := xinyong.Actor{Kind: "peer", ID: peer.Name, Name: peer.Name, Role: xinyong.RoleAdmin}
	err = s.update(ctx, actor, func(t *txn) error {
		today := xinyong.DateOf(t.Now())
		if err := xinyong.CheckInbound(in, today); err != nil {
			return err
		}
		if prev, err := t.RepairByOrigin(peer.Name, strings.TrimSpace(in.DecisionID)); err == nil {
			out = InboundResult{Repair: prev}
			return nil
		} else if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return err
		}
		r, err := s.matchInbound(t, in)
		if err != nil {
			return err
		}
		// The local record's state and the law still govern (a record under
		// a serious-list entry in force, withdrawn, already repaired or
		// unrepairable is not repaired by a peer's decision).
		tg, err := s.loadTarget(t, actor, r.ID, "")
		if err != nil {
			return err
		}
		if err := xinyong.InboundRefusalError(strings.TrimSpace(in.DecisionNumber), xinyong.CheckInboundRecord(tg.check)); err != nil {
			return err
		}
		cal, _, err := s.rules(t)
		if err != nil {
			return err
		}
		rules, _ := tg.check.Rules.For(today) // CheckInboundRecord refused a day no rule set governs
		now := t.Now()
		rep := xinyong.Repair{ID: NewID(), Code: newProgressCode(), Target: xinyong.TargetRecord, RecordID: r.ID, SubjectID: r.SubjectID, DepartmentID: r.DepartmentID,
			Route: xinyong.RoutePeer, Rules: rules.Code, State: xinyong.RepairApproved, Version: 1, AppliedOn: today, AcceptBy: today, DecideBy: today,
			Name: peer.Name, Contact: peer.Name, Correction: "decided by peer platform " + peer.Name, Obligations: true,
			// A peer's text is sent on in events like local staff text: a
			// citizen ID number in it is masked (DOMAIN.md §7).
			Origin:   &xinyong.RepairOrigin{Peer: peer.Name, DecisionID: strings.TrimSpace(in.DecisionID), Issuer: xinyong.MaskCitizenIDs(strings.TrimSpace(in.Issuer))},
			Decision: &xinyong.RepairDecision{Approved: true, Treatment: in.Treatment, Effects: xinyong.TreatmentEffects(in.Treatment), Reasons: xinyong.MaskCitizenIDs(strings.TrimSpace(in.Reasons)), Date: today, By: actor.Ref(), SyncBy: cal.AddWorkingDays(today, rules.SyncDays)},
			FiledBy:  actor.Ref(), CreatedAt: now, UpdatedAt: now, UpdatedBy: actor.Ref()}
		if err := s.finishDecision(t, xinyong.Repair{}, &rep); err != nil {
			return err
		}
		out = InboundResult{Repair: rep, Created: true}
		return nil
	})
	return out, err
}

// matchInbound finds the local record an inbound decision is about.
func (s *Service) matchInbound(t *txn, in xinyong.InboundRepair) (xinyong.Record, error) {
	num := strings.TrimSpace(in.DecisionNumber)
	none := xinyong.Errorf(xinyong.ENOTFOUND, "no local record matches decision %s", num)
	if code := xinyong.NormalizeCode(in.DepartmentCode); code != "" && strings.TrimSpace(in.Kind) != "" {
		d, err := t.DepartmentByCode(code)
		if err == nil {
			r, err := t.RecordByDocKey(d.ID, strings.TrimSpace(in.Kind), num)
			if err == nil {
				// The subject the peer names must be the record's: a decision
				// about one subject never repairs another's record.
				if named := strings.TrimSpace(in.SubjectCode); named != "" {
					subj, err := t.Subject(r.SubjectID)
					if err != nil {
						return r, err
					}
					if subj.Key != s.SubjectKey(named) {
						return xinyong.Record{}, xinyong.Errorf(xinyong.ECONFLICT, "decision %s of department %s is about another subject than the one the peer names", num, code)
					}
				}
				return r, nil
			}
			if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
				return r, err
			}
		} else if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return xinyong.Record{}, err
		}
	}
	if code := strings.TrimSpace(in.SubjectCode); code != "" {
		subj, err := t.SubjectByKey(s.SubjectKey(code))
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return xinyong.Record{}, none
		}
		if err != nil {
			return xinyong.Record{}, err
		}
		var found []xinyong.Record
		for after := ""; ; {
			page, err := t.ListRecords(xinyong.RecordFilter{SubjectID: subj.ID, AfterID: after, Limit: 1000})
			if err != nil {
				return xinyong.Record{}, err
			}
			for _, r := range page {
				if r.Document.Number == num {
					found = append(found, r)
				}
			}
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].ID
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
		default:
			return xinyong.Record{}, xinyong.Errorf(xinyong.ECONFLICT, "decision %s matches %d records of the subject: name the department code and kind", num, len(found))
		}
	}
	return xinyong.Record{}, none
}
