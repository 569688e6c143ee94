package xinyong

// GradingStore is the part of Tx that keeps grading models, grades, batch
// runs and grade reviews (issue 8), and reads what grading needs in bulk.
// Implementations live in internal/sqlstore/grading.go.
type GradingStore interface {
	// InsertGradingModel stores a model version; an (id, version) stored
	// before is ECONFLICT.
	InsertGradingModel(m GradingModel) error
	// GradingModel returns a model's version (0: the latest); ENOTFOUND if none.
	GradingModel(id string, version int) (GradingModel, error)
	// GradingModels returns the latest version of every model, by id.
	GradingModels() ([]GradingModel, error)
	// GradingModelVersions returns every version of a model, oldest first.
	GradingModelVersions(id string) ([]GradingModel, error)

	// PutGrades stores grades, replacing the subject's grade under the same
	// model (multi-row statements).
	PutGrades(gs []Grade) error
	// Grade returns the subject's grade under the model (ENOTFOUND if none).
	Grade(subjectID, modelID string) (Grade, error)
	// GradesOf returns the subject's grades under every model.
	GradesOf(subjectID string) ([]Grade, error)
	// ExportGrades streams the model's grades of the department's subjects
	// (those with a record from it; "" for every subject), by grade then
	// subject code. fn must not use the Tx.
	ExportGrades(modelID, departmentID string, fn func(Grade, Subject) error) error
	// GradeCounts counts the model's grades by grade.
	GradeCounts(modelID string) (map[string]int, error)

	// Bulk reading for grading. SubjectIDsAfter returns up to limit subject
	// ids after the id, in id order; DepartmentSubjectIDs the ids of the
	// subjects with a record from the department, in id order.
	SubjectIDsAfter(after string, limit int) ([]string, error)
	CountSubjects() (int, error)
	DepartmentSubjectIDs(departmentID string) ([]string, error)
	// GradingRecordsBetween streams the records of the items whose subject
	// id is in (after, last], in subject order; GradingRecordsOf those of
	// the given subjects. Lenient reports that the stored record carries
	// leniency flags (read them with GradingRecordDetails). fn must not use
	// the Tx.
	GradingRecordsBetween(after, last string, items []string, fn func(subjectID string, r GradingRecord, lenient bool) error) error
	GradingRecordsOf(subjectIDs []string, items []string, fn func(subjectID string, r GradingRecord, lenient bool) error) error
	// GradingRecordDetails returns the leniency flags and fields of records.
	GradingRecordDetails(ids []string) (map[string]GradingRecord, error)
	// ListedListings returns every listing in state listed, by subject.
	ListedListings(subjectIDs []string) (map[string][]GradingListing, error)
	// RepairOutcomes returns the repair outcome of every repaired record
	// among ids (nil ids: every repaired record).
	RepairOutcomes(ids []string) (map[string]RepairOutcome, error)
	// GradeCountedAfter returns, for up to limit of the model's grades of
	// the department's subjects ("" every subject) after the subject id, in
	// subject id order, the records and listings each counted; RecordStops
	// how each record among ids that stopped counting did; GradedListings
	// the listings among ids, by id, in whatever state (a grade's outdated
	// flags: whether a listing stopped counting is CountedListingStop's).
	GradeCountedAfter(modelID, departmentID, after string, limit int) ([]GradeCounted, error)
	RecordStops(ids []string) (map[string]RecordStop, error)
	GradedListings(ids []string) (map[string]Listing, error)

	// Runs.
	InsertGradingRun(r GradingRun) error
	// UpdateGradingRun stores the run; ENOTFOUND if there is none.
	UpdateGradingRun(r GradingRun) error
	GradingRun(id string) (GradingRun, error)
	// GradingRuns returns the latest runs first.
	GradingRuns(limit int) ([]GradingRun, error)

	// Reviews: InsertGradeReview stores a new review; UpdateGradeReview
	// the next version if the stored one is still at fromVersion in state
	// from (else ECONFLICT; ENOTFOUND if none).
	InsertGradeReview(r GradeReview) error
	UpdateGradeReview(r GradeReview, from GradeReviewState, fromVersion int) error
	GradeReview(id string) (GradeReview, error)
	GradeReviews(f GradeReviewFilter) ([]GradeReview, error)
}

// RecordStop says how a record stopped counting: Repaired (an approved
// repair naming it; On its decision date) or else withdrawn (On the
// withdrawal's date). On is zero when the repair or record does not say.
type RecordStop struct {
	Repaired bool
	On       Date
}

// GradeCounted is a stored grade's subject, model version and the records
// and listings its explanation counted (its indicators' records and
// listings, in order).
type GradeCounted struct {
	SubjectID    string
	ModelVersion int
	Records      []string
	Listings     []string
}
