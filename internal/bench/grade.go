package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// The grade scenario (issue 8): one batch run grading every subject of a
// store under the default model (or the one named), timed end to end:
// reading records in subject order from the covering index, evaluating,
// writing grades in multi-row statements, and the run's ledger leaf.

// GradeResult is the outcome of the grade scenario.
type GradeResult struct {
	RunID    string
	Model    string
	Subjects int
	Records  int64
	Seconds  float64
	Counts   map[string]int
}

// Summary is a one-line summary.
func (r GradeResult) Summary() string {
	keys := make([]string, 0, len(r.Counts))
	for k := range r.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	counts := ""
	for _, k := range keys {
		counts += fmt.Sprintf(" %s %d", k, r.Counts[k])
	}
	return fmt.Sprintf("grade: %d subjects, %d records under %s in %.1fs = %.0f subjects/s, %.0f records/s; grades%s",
		r.Subjects, r.Records, r.Model, r.Seconds, float64(r.Subjects)/max(r.Seconds, 1e-9), float64(r.Records)/max(r.Seconds, 1e-9), counts)
}

// Grade grades every subject of the store in one batch run.
func Grade(ctx context.Context, svc *workflow.Service, actor xinyong.Actor, model string) (GradeResult, error) {
	if err := svc.LoadGradingDefaults(ctx); err != nil {
		return GradeResult{}, err
	}
	start := time.Now()
	run, err := svc.StartGradingRun(ctx, actor, workflow.RunInput{Model: model})
	if err != nil {
		return GradeResult{}, err
	}
	run, err = svc.RunGrading(ctx, actor, run.ID, false, nil)
	if err != nil {
		return GradeResult{}, err
	}
	return GradeResult{RunID: run.ID, Model: run.ModelID + "@" + strconv.Itoa(run.ModelVersion), Subjects: run.Done, Records: run.Records,
		Seconds: time.Since(start).Seconds(), Counts: run.Counts}, nil
}

// FillRaw fills a store with subjects and penalty/licence records for the
// grading benchmark at sizes the real intake path would take hours to
// reach (1M subjects, 10M records): rows go straight to the store in
// large transactions, without rules, audit or ledger leaves, so it is not
// a platform — only grading's reads see a realistic shape (about 10
// records per subject, 60 % penalties over 7 years, 1 % withdrawn, 0.5 %
// with a leniency flag). Records are written subject by subject; the
// record table's order does not matter to grading, which reads the
// record_rules index. progress gets the records written so far.
func FillRaw(ctx context.Context, st xinyong.Store, subjects, records int, seed uint64, today xinyong.Date, progress func(int)) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const depts = 20
	var deptIDs []string
	at := time.Now().UTC().Truncate(time.Microsecond)
	if err := st.Update(ctx, func(tx xinyong.Tx) error {
		for i := range depts {
			d := xinyong.Department{ID: workflow.NewID(), Code: fmt.Sprintf("BENCHGRADE%08d", i), Name: fmt.Sprintf("基准部门 %d", i), Provides: []string{"XZCF", "XZXK"}, CreatedAt: at}
			if err := tx.CreateDepartment(d); err != nil {
				return err
			}
			deptIDs = append(deptIDs, d.ID)
		}
		return nil
	}); err != nil {
		return err
	}
	const batch = 20000 // records per transaction
	var subs []xinyong.Subject
	var recs []xinyong.Record
	written, seq := 0, 0
	flush := func() error {
		if len(subs) == 0 && len(recs) == 0 {
			return nil
		}
		err := st.Update(ctx, func(tx xinyong.Tx) error {
			if err := tx.InsertSubjects(subs); err != nil {
				return err
			}
			return tx.InsertRecords(recs)
		})
		written += len(recs)
		subs, recs = subs[:0], recs[:0]
		if progress != nil {
			progress(written)
		}
		return err
	}
	days := 7 * 365
	for s := range subjects {
		code := fmt.Sprintf("91BG%014d", s)
		subj := xinyong.Subject{ID: workflow.NewID(), Key: code, Code: code, Kind: xinyong.KindEnterprise, Name: "基准企业 " + strconv.Itoa(s), CreatedAt: at}
		subs = append(subs, subj)
		// Records per subject: the remaining records spread over the
		// remaining subjects, ±100 %.
		left, leftSubj := records-written-len(recs), subjects-s
		mean := float64(left) / float64(leftSubj)
		n := int(mean*2*rng.Float64() + 0.5)
		if s == subjects-1 {
			n = left
		}
		n = max(0, min(n, left))
		for range n {
			seq++
			dept := deptIDs[rng.IntN(depts)]
			decision := today.AddDays(-rng.IntN(days))
			r := xinyong.Record{ID: workflow.NewID(), SubjectID: subj.ID, SubjectCode: code, SubjectName: subj.Name, SubjectKind: subj.Kind, DepartmentID: dept,
				Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: "BG-" + strconv.Itoa(seq), Authority: "基准部门", DecisionDate: decision},
				Version:  1, Status: xinyong.RecordActive, SubmittedAt: at, UpdatedAt: at}
			if rng.IntN(10) < 6 {
				r.Item, r.Kind, r.Categories = "XZCF", "penalty", []string{"罚款"}
				switch x := rng.IntN(100); {
				case x < 20:
					r.Severity = xinyong.SeverityMinor
				case x < 90:
					r.Severity = xinyong.SeverityGeneral
				default:
					r.Severity = xinyong.SeveritySerious
				}
				r.Fields = map[string]string{"CF_WSH": r.Document.Number, "CF_CFLB": "罚款", "CF_NR_FK": strconv.Itoa(1 + rng.IntN(50)), "CF_SY": "未按规定公示年度报告"}
				if rng.IntN(200) == 0 {
					r.Leniency = xinyong.Leniency{ForceMajeure: true, Reason: "自然灾害"}
				}
			} else {
				r.Item, r.Kind = "XZXK", "license"
				r.Document.Type = xinyong.DocLicenseDecision
				r.Fields = map[string]string{"XK_WSH": r.Document.Number, "XK_XKZS": "食品经营许可证"}
			}
			if rng.IntN(100) == 0 {
				r.Status = xinyong.RecordWithdrawn
			}
			recs = append(recs, r)
		}
		if len(recs) >= batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
