package workflow

import (
	"slices"
	"testing"

	"xinyong"
)

// beyondPublic: a supervision read is registered for what it shows beyond
// the public's view of the subject (DOMAIN.md §7): a record the public does
// not see, a record it sees otherwise, and every record when the subject is
// shown otherwise. The old rule (nonPublic) compared record ids only, so a
// record the public sees masked counted as public when shown in clear.
func TestBeyondPublic(t *testing.T) {
	pub := xinyong.RecordView{ID: "a", Item: "XZCF", SubjectName: "张*明", Fields: map[string]string{"CF_WFXW": "虚假宣传"}, Public: true}
	same := pub
	same.Public = false // the supervision view's flag, not its content
	clearName := same
	clearName.SubjectName = "张三明"
	moreFields := same
	moreFields.Fields = map[string]string{"CF_WFXW": "虚假宣传", "CF_FRDB": "李四"}
	hidden := xinyong.RecordView{ID: "b", Item: "XZXK"}
	for _, c := range []struct {
		name       string
		recs       []xinyong.RecordView
		cardBeyond bool
		want       []string
	}{
		{"the public's view: no query", []xinyong.RecordView{same}, false, nil},
		{"a record the public does not see", []xinyong.RecordView{same, hidden}, false, []string{"b"}},
		{"a person's name in clear", []xinyong.RecordView{clearName}, false, []string{"a"}},
		{"fields the public does not see", []xinyong.RecordView{moreFields}, false, []string{"a"}},
		{"the subject shown otherwise: every record", []xinyong.RecordView{same, hidden}, true, []string{"a", "b"}},
	} {
		ids, items := beyondPublic(c.recs, []xinyong.RecordView{pub}, c.cardBeyond)
		if !slices.Equal(ids, c.want) || len(items) != len(ids) {
			t.Errorf("%s: %v %v, want %v", c.name, ids, items, c.want)
		}
	}
}
