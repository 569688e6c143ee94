package server

import (
	"maps"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestSharedMinorNeedsStatutoryBasis: a relying agency queries a minor's
// shared information. Any text as basis (here "x", for marketing) shares
// nothing and names the minor masked; a statutory basis citing the law and
// its article shares the penalty with the minor's name and personal fields
// masked exactly as the admin's supervision view shows them, never in
// clear (DOMAIN.md §2 lenient treatment of minors, §3 sharing; PIPL Art.
// 31; Minors Protection Law 2020 Art. 103). Both queries are registered.
func TestSharedMinorNeedsStatutoryBasis(t *testing.T) {
	f := newPortal(t)
	e := f.e
	agency := e.token(t, "agency", "", "")
	admin := e.token(t, "admin", "", "")
	var minor xinyong.Subject
	if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) {
		minor, err = tx.SubjectByKey(e.svc.SubjectKey(f.minorID))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	noLeak := func(what string, body []byte) {
		t.Helper()
		for _, s := range []string{f.minorName, f.minorID} {
			if strings.Contains(string(body), s) {
				t.Errorf("%s holds %s: %s", what, s, body)
			}
		}
	}

	r := e.do(t, req{Path: recordsPath(minor.ID, "purpose", "营销", "basis", "x"), Token: agency})
	var loose sharedAnswer
	r.json(t, &loose)
	if len(loose.Records) != 0 {
		t.Errorf("a minor's record shared on the basis %q: %s", "x", r)
	}
	if loose.Subject.Name != xinyong.MaskName(f.minorName) {
		t.Errorf("the minor named %q to an agency", loose.Subject.Name)
	}
	noLeak("the answer to a query on any text as basis", r.Body)

	const law = "《中华人民共和国未成年人保护法》第一百零三条"
	r = e.do(t, req{Path: recordsPath(minor.ID, "purpose", "行政许可审查", "basis", law), Token: agency})
	var shared sharedAnswer
	r.json(t, &shared)
	if len(shared.Records) != 1 || shared.QueryID == "" {
		t.Fatalf("a minor's record on a statutory basis: %s", r)
	}
	noLeak("the answer on a statutory basis", r.Body)
	var sup workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + minor.ID, Token: admin}).json(t, &sup)
	if len(sup.Records) != 1 {
		t.Fatalf("the admin's supervision view: %+v", sup)
	}
	got, want := shared.Records[0], sup.Records[0]
	if got.SubjectName != want.SubjectName || !maps.Equal(got.Fields, want.Fields) {
		t.Errorf("shared as\n %q %v\nsupervision shows\n %q %v", got.SubjectName, got.Fields, want.SubjectName, want.Fields)
	}
	if shared.Subject.Name != xinyong.MaskName(f.minorName) {
		t.Errorf("the minor named %q on a statutory basis", shared.Subject.Name)
	}
}
