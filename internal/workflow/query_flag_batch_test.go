package workflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// The rate flag (DOMAIN.md §7: an account reading more than the limit of
// distinct subjects within an hour is flagged for review) must not depend
// on how entries are grouped into transactions: a grouped append counts an
// account's busy hour once (otherSubjectsRead's probe), and every entry
// must get the flag the store's count for it alone gives. Each case writes
// the same entries twice, under two accounts: one transaction per entry
// (the count for each entry, as before any grouping), and all in one
// transaction; the flags must agree, and match the rule worked by hand.
func TestRateFlagSameWhenGrouped(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: day("2026-11-02")}
	a, _ := openApp(t, clk)
	svc := a.Service
	svc.Sharing.QueryFlagLimit = 3 // more than 3 distinct subjects within an hour is flagged
	now := day("2026-11-02")
	type read struct {
		subject string
		at      time.Duration // from now
	}
	cases := []struct {
		name  string
		prior []read // committed before, one transaction each
		batch []read
		clock time.Duration // the clock during the batch, from now
		want  []bool        // flags of the batch's entries, by the rule
	}{
		{
			// Five other subjects in the last ten minutes: every entry has
			// at least three others and is flagged.
			name:  "busy account",
			prior: []read{{"x1", -10 * time.Minute}, {"x2", -10 * time.Minute}, {"x3", -10 * time.Minute}, {"x4", -10 * time.Minute}, {"x5", -10 * time.Minute}},
			batch: []read{{"y1", 0}, {"y2", 0}, {"y3", 0}, {"y1", 0}},
			want:  []bool{true, true, true, true},
		},
		{
			// Exactly three subjects before, and the batch reads them
			// again: three distinct in all, not more than three, so not
			// flagged; only a new subject makes four.
			name:  "at the limit",
			prior: []read{{"x1", -10 * time.Minute}, {"x2", -10 * time.Minute}, {"x3", -10 * time.Minute}},
			batch: []read{{"x1", 0}, {"x1", 0}, {"x2", 0}, {"y1", 0}},
			want:  []bool{false, false, false, true},
		},
		{
			// The earlier reads are inside the entries' hour but outside
			// the hour before the clock at the batch: only the entries'
			// own windows count them.
			name:  "earlier reads near the window's start",
			prior: []read{{"x1", -59 * time.Minute}, {"x2", -59 * time.Minute}, {"x3", -59 * time.Minute}, {"x4", -59 * time.Minute}},
			batch: []read{{"y1", 0}, {"y2", 0}, {"y3", 0}},
			clock: 2 * time.Minute,
			want:  []bool{true, true, true},
		},
		{
			// The earlier reads are just over an hour before the batch:
			// nobody counts them.
			name:  "earlier reads just outside the hour",
			prior: []read{{"x1", -61 * time.Minute}, {"x2", -61 * time.Minute}, {"x3", -61 * time.Minute}, {"x4", -61 * time.Minute}},
			batch: []read{{"y1", 0}, {"y2", 0}, {"y3", 0}},
			want:  []bool{false, false, false},
		},
		{
			// A busy hour, then an entry read two hours later in the same
			// transaction: its own hour holds none of the others.
			name:  "an entry read after the busy hour",
			prior: []read{{"x1", -10 * time.Minute}, {"x2", -10 * time.Minute}, {"x3", -10 * time.Minute}, {"x4", -10 * time.Minute}, {"x5", -10 * time.Minute}},
			batch: []read{{"y1", 0}, {"y2", 0}, {"y3", 2 * time.Hour}},
			want:  []bool{true, true, false},
		},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got [2][]bool
			for mode, together := range []bool{false, true} {
				actor := fmt.Sprintf("token:flag-%d-%v", i, together)
				entry := func(r read) xinyong.QueryUse {
					return xinyong.QueryUse{ID: workflow.NewID(), At: now.Add(r.at), Actor: actor, Purpose: "测试", Basis: "测试依据",
						SubjectID: fmt.Sprintf("%s-%d-%v", r.subject, i, together), Items: []string{}, Records: []string{}}
				}
				clk.Set(now)
				var prior []xinyong.QueryUse
				for _, r := range c.prior {
					prior = append(prior, entry(r))
				}
				if _, err := svc.AppendQueryUses(ctx, prior, false); err != nil {
					t.Fatal(err)
				}
				clk.Set(now.Add(c.clock))
				var batch []xinyong.QueryUse
				for _, r := range c.batch {
					batch = append(batch, entry(r))
				}
				stored, err := svc.AppendQueryUses(ctx, batch, together)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range stored {
					got[mode] = append(got[mode], e.Flagged)
				}
			}
			if fmt.Sprint(got[0]) != fmt.Sprint(c.want) {
				t.Errorf("one transaction per entry: flags %v, the rule gives %v", got[0], c.want)
			}
			if fmt.Sprint(got[1]) != fmt.Sprint(got[0]) {
				t.Errorf("grouped in one transaction: flags %v, one per transaction %v", got[1], got[0])
			}
		})
	}
}
