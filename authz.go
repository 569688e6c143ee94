package xinyong

import "strings"

// Action is something an actor may be allowed to do. The set is closed; one
// function, Authorize, decides every access.
type Action string

const (
	ActCatalogueRead       Action = "catalogue.read"
	ActCataloguePropose    Action = "catalogue.propose"
	ActCatalogueTransition Action = "catalogue.transition"
	ActCatalogueLoad       Action = "catalogue.load"
	ActReferenceManage     Action = "reference.manage" // measures, list types, regimes, calendar
	ActDepartmentRead      Action = "department.read"
	ActDepartmentManage    Action = "department.manage"
	ActAccountRead         Action = "account.read"
	ActAccountManage       Action = "account.manage"
	ActTokenManage         Action = "token.manage"
	ActSubjectRead         Action = "subject.read"
	ActSubjectOverride     Action = "subject.override" // accept a code that fails its check
	ActRecordSubmit        Action = "record.submit"
	ActRecordRead          Action = "record.read"
	ActRecordWithdraw      Action = "record.withdraw"
	ActAuditRead           Action = "audit.read"
	ActLedgerRead          Action = "ledger.read"
	ActLedgerVerify        Action = "ledger.verify"
	// Sharing, consent and the query-use log (issue 5; DOMAIN.md §7).
	ActRecordQuery    Action = "record.query"    // query shared information with a purpose
	ActConsentGrant   Action = "consent.grant"   // a subject grants consent for itself
	ActConsentRead    Action = "consent.read"    // read consents
	ActConsentRevoke  Action = "consent.revoke"  // a subject revokes its consent
	ActQueryLogOwn    Action = "querylog.own"    // a subject sees who queried it
	ActQueryLogRead   Action = "querylog.read"   // review the query-use log
	ActQueryLogReview Action = "querylog.review" // mark entries reviewed
	ActQueryLogPurge  Action = "querylog.purge"  // purge entries past retention
	// The measures check and feedback (issue 6; DOMAIN.md §5).
	ActMeasureCheck    Action = "measures.check"    // ask which measures apply to a subject (relying agencies)
	ActMeasureFeedback Action = "measures.feedback" // report what was applied (the agency that checked)
	// Serious-dishonesty listings (issue 6).
	ActListingManage Action = "listing.manage" // propose, notify, verify, decide, list, remove: the identifying department
	ActListingObject Action = "listing.object" // object: the subject itself, or the officer recording its statement
	ActListingRead   Action = "listing.read"   // read a listing, its documents and history

	ActWebhookManage   Action = "webhook.manage"   // subscriptions of other systems, dead letters (issue 7)
	ActObjectionHandle Action = "objection.handle" // forward or answer an objection (异议)
	ActObjectionRead   Action = "objection.read"
	ActEventRead       Action = "event.read" // the pull feed of events
	// Credit grading (信用分级分类监管, DOMAIN.md §8; issue 8).
	ActGradeRead         Action = "grade.read"          // a subject's grade and its explanation
	ActGradeEvaluate     Action = "grade.evaluate"      // grade one subject now and store the grade (the platform, officers)
	ActGradingManage     Action = "grading.manage"      // grading models and batch runs (the credit office)
	ActGradeReviewFile   Action = "grade.review.file"   // ask for a human review of one's own grade
	ActGradeReviewDecide Action = "grade.review.decide" // decide reviews: the platform, or the model's department
	ActGradeExport       Action = "grade.export"        // a department's subjects by grade (supervision planning)
	// Credit repair (信用修复, issue 7; DOMAIN.md §6).
	ActRepairApply  Action = "repair.apply"  // a subject applies for its own information
	ActRepairRead   Action = "repair.read"   // read applications and their materials
	ActRepairDecide Action = "repair.decide" // accept and decide: the identifying department (谁认定、谁修复), the platform for its items
	ActPeerManage   Action = "peer.manage"   // register other platforms whose repair decisions are recognised
	// Accountability (追责问责, DOMAIN.md §9): the compliance board, reminders
	// and the clean-up review. Admins and auditors see every department;
	// officers and reviewers their own.
	ActComplianceRead Action = "compliance.read"
)

// Actions lists every action, for exhaustive tests.
var Actions = []Action{
	ActCatalogueRead, ActCataloguePropose, ActCatalogueTransition, ActCatalogueLoad, ActReferenceManage,
	ActDepartmentRead, ActDepartmentManage, ActAccountRead, ActAccountManage, ActTokenManage,
	ActSubjectRead, ActSubjectOverride, ActRecordSubmit, ActRecordRead, ActRecordWithdraw,
	ActAuditRead, ActLedgerRead, ActLedgerVerify,
	ActRecordQuery, ActConsentGrant, ActConsentRead, ActConsentRevoke, ActQueryLogOwn, ActQueryLogRead, ActQueryLogReview, ActQueryLogPurge,
	ActMeasureCheck, ActMeasureFeedback,
	ActListingManage, ActListingObject, ActListingRead,
	ActWebhookManage, ActEventRead, ActObjectionHandle, ActObjectionRead,
	ActGradeRead, ActGradeEvaluate, ActGradingManage, ActGradeReviewFile, ActGradeReviewDecide, ActGradeExport,
	ActRepairApply, ActRepairRead, ActRepairDecide, ActPeerManage,
	ActComplianceRead,
}

// Resource is what an action is done to, as far as authorisation cares.
type Resource struct {
	DepartmentID string // the department that owns the object
	Item         string // the catalogue item concerned
	SubjectID    string // the subject concerned
	Owner        string // Actor.Ref of who created the object (e.g. who filed an objection)
}

// Authorize decides whether actor may do action on res. It is the only place
// in the code that decides access; the returned error is EUNAUTHORIZED for
// the public where signing in would help, EFORBIDDEN otherwise.
//
// An officer acts only for its own department and, for records, only for
// catalogue items the department provides (dept is that department, loaded
// by the caller; nil when the action concerns no department).
func Authorize(actor Actor, action Action, res Resource, dept *Department) error {
	deny := func(why string) error {
		if actor.Kind == "public" {
			return &Error{Code: EUNAUTHORIZED, Message: "sign in or send an API token to " + why}
		}
		return &Error{Code: EFORBIDDEN, Message: "role " + string(actor.Role) + " may not " + why}
	}
	switch action {
	case ActCatalogueRead, ActLedgerRead:
		return nil // public
	}
	if actor.Kind == "public" || actor.Role == "" {
		return deny(describe(action))
	}
	if actor.Kind == "system" || actor.Kind == "cli" {
		// The platform itself and the operator at the command line (who
		// holds the database) act for any department; a submission still
		// needs a department that provides the item.
		if action == ActRecordSubmit {
			return departmentProvides(dept, res.Item)
		}
		return nil
	}
	ownDept := actor.DepartmentID != "" && actor.DepartmentID == res.DepartmentID
	if actor.Role == RoleAgency && strings.TrimSpace(actor.Organisation) == "" && (action == ActRecordQuery || action == ActMeasureCheck) {
		// The query-use register records who and which organisation
		// queried (DOMAIN.md §7); an agency token or account made before
		// the organisation was required would query anonymously.
		return &Error{Code: EFORBIDDEN, Message: "an agency with no organisation on record may not " + describe(action) + ": the query-use register records which organisation queried; ask the platform to issue a token or account that names the organisation"}
	}
	switch action {
	case ActCataloguePropose, ActCatalogueTransition, ActCatalogueLoad, ActReferenceManage,
		ActDepartmentManage, ActAccountManage, ActTokenManage, ActSubjectOverride:
		if actor.Role == RoleAdmin {
			return nil
		}
	case ActDepartmentRead:
		if actor.Role == RoleAdmin || actor.Role == RoleAuditor || ((actor.Role == RoleOfficer || actor.Role == RoleReviewer) && (res.DepartmentID == "" || ownDept)) {
			return nil
		}
	case ActAccountRead:
		if actor.Role == RoleAdmin || actor.Role == RoleAuditor {
			return nil
		}
	case ActSubjectRead:
		switch actor.Role {
		case RoleAdmin, RoleOfficer, RoleReviewer, RoleAgency:
			return nil
		case RoleSubject:
			if res.SubjectID != "" && actor.SubjectID == res.SubjectID {
				return nil
			}
		}
	case ActRecordSubmit:
		if actor.Role == RoleOfficer && ownDept {
			return departmentProvides(dept, res.Item)
		}
		if actor.Role == RoleOfficer {
			return deny("submit records for another department")
		}
	case ActRecordWithdraw:
		if actor.Role == RoleOfficer && ownDept {
			return nil
		}
		if actor.Role == RoleOfficer {
			return deny("withdraw another department's records")
		}
	case ActRecordRead:
		switch actor.Role {
		case RoleAdmin, RoleAuditor:
			return nil
		case RoleOfficer, RoleReviewer:
			if ownDept {
				return nil
			}
			return deny("read another department's records")
		case RoleSubject:
			if res.SubjectID != "" && actor.SubjectID == res.SubjectID {
				return nil
			}
		}
	case ActAuditRead, ActLedgerVerify:
		if actor.Role == RoleAdmin || actor.Role == RoleAuditor {
			return nil
		}
	case ActRecordQuery:
		// Departments and relying agencies query shared information; what
		// they see is Visible's decision.
		if actor.Role == RoleOfficer || actor.Role == RoleAgency {
			return nil
		}
	case ActConsentGrant, ActConsentRevoke, ActQueryLogOwn:
		if actor.Role == RoleSubject && res.SubjectID != "" && actor.SubjectID == res.SubjectID {
			return nil
		}
	case ActConsentRead:
		if actor.Role == RoleAdmin || actor.Role == RoleAuditor || (actor.Role == RoleSubject && res.SubjectID != "" && actor.SubjectID == res.SubjectID) {
			return nil
		}
	case ActQueryLogRead:
		if actor.Role == RoleAdmin || actor.Role == RoleAuditor {
			return nil
		}
	case ActQueryLogReview:
		if actor.Role == RoleAuditor {
			return nil
		}
	case ActQueryLogPurge:
		if actor.Role == RoleAdmin {
			return nil
		}
	case ActMeasureCheck, ActMeasureFeedback:
		// Relying agencies (实施主体) check and report; nobody else.
		if actor.Role == RoleAgency {
			return nil
		}
	case ActListingManage:
		if actor.Role == RoleOfficer && ownDept {
			return nil
		}
	case ActListingObject:
		if (actor.Role == RoleOfficer && ownDept) || (actor.Role == RoleSubject && res.SubjectID != "" && actor.SubjectID == res.SubjectID) {
			return nil
		}
	case ActWebhookManage:
		if actor.Role == RoleAdmin {
			return nil
		}
	case ActObjectionHandle:
		// The platform, or the department whose record it is (DOMAIN.md §6).
		if actor.Role == RoleAdmin || ((actor.Role == RoleOfficer || actor.Role == RoleReviewer) && ownDept) {
			return nil
		}
	case ActObjectionRead:
		if actor.Role == RoleAdmin || actor.Role == RoleAuditor || ((actor.Role == RoleOfficer || actor.Role == RoleReviewer) && ownDept) ||
			(actor.Role == RoleSubject && res.SubjectID != "" && actor.SubjectID == res.SubjectID) ||
			(res.Owner != "" && actor.ID != "" && res.Owner == actor.Ref()) {
			return nil
		}
	case ActComplianceRead:
		if actor.Role == RoleAdmin || actor.Role == RoleAuditor || ((actor.Role == RoleOfficer || actor.Role == RoleReviewer) && ownDept) {
			return nil
		}
	case ActEventRead:
		if actor.Role == RoleAdmin || actor.Role == RoleAgency || actor.Role == RoleAuditor {
			return nil
		}
	case ActGradeRead:
		// Departments supervise by grade; the subject sees its own. Grades
		// are not published (an internal supervision reference).
		switch actor.Role {
		case RoleAdmin, RoleAuditor, RoleOfficer, RoleReviewer:
			return nil
		case RoleSubject:
			if res.SubjectID != "" && actor.SubjectID == res.SubjectID {
				return nil
			}
		}
	case ActGradeEvaluate:
		// A write: auditors and reviewers read grades but do not make them.
		if actor.Role == RoleAdmin || actor.Role == RoleOfficer {
			return nil
		}
	case ActGradingManage:
		if actor.Role == RoleAdmin {
			return nil
		}
	case ActGradeReviewFile:
		if actor.Role == RoleSubject && res.SubjectID != "" && actor.SubjectID == res.SubjectID {
			return nil
		}
	case ActGradeReviewDecide:
		// The platform for every model; a department's officers and
		// reviewers for the models it owns (res.DepartmentID).
		if actor.Role == RoleAdmin || ((actor.Role == RoleOfficer || actor.Role == RoleReviewer) && ownDept) {
			return nil
		}
	case ActGradeExport:
		if actor.Role == RoleAdmin || ((actor.Role == RoleOfficer || actor.Role == RoleReviewer) && ownDept) {
			return nil
		}
	case ActRepairApply:
		if actor.Role == RoleSubject && res.SubjectID != "" && actor.SubjectID == res.SubjectID {
			return nil
		}
	case ActRepairRead:
		if actor.Role == RoleAdmin || actor.Role == RoleAuditor || ((actor.Role == RoleOfficer || actor.Role == RoleReviewer) && ownDept) ||
			(actor.Role == RoleSubject && res.SubjectID != "" && actor.SubjectID == res.SubjectID) {
			return nil
		}
	case ActRepairDecide:
		// 谁认定、谁修复: the identifying department's officers and
		// reviewers; the platform (admin) for the items it handles
		// (res.DepartmentID "").
		if ((actor.Role == RoleOfficer || actor.Role == RoleReviewer) && ownDept) || (actor.Role == RoleAdmin && res.DepartmentID == "") {
			return nil
		}
	case ActPeerManage:
		if actor.Role == RoleAdmin {
			return nil
		}
	case ActListingRead:
		switch {
		case actor.Role == RoleAdmin || actor.Role == RoleAuditor,
			(actor.Role == RoleOfficer || actor.Role == RoleReviewer) && ownDept,
			actor.Role == RoleSubject && res.SubjectID != "" && actor.SubjectID == res.SubjectID:
			return nil
		}
	}
	return deny(describe(action))
}

// departmentProvides allows a submission only for an enabled department
// that provides the item (目录制管理: each department records only what the
// catalogue assigns it).
func departmentProvides(dept *Department, item string) error {
	if dept == nil || dept.Disabled {
		return &Error{Code: EFORBIDDEN, Message: "records come from an enabled department: this one is disabled or unknown"}
	}
	if item != "" && !dept.ProvidesItem(item) {
		return &Error{Code: EFORBIDDEN, Message: "department " + dept.Name + " does not provide catalogue item " + item}
	}
	return nil
}

func describe(a Action) string {
	switch a {
	case ActCataloguePropose:
		return "propose catalogue items"
	case ActCatalogueTransition:
		return "change a catalogue item's status"
	case ActCatalogueLoad:
		return "load a supplementary catalogue"
	case ActReferenceManage:
		return "change reference data"
	case ActDepartmentRead:
		return "read this department"
	case ActDepartmentManage:
		return "manage departments"
	case ActAccountRead:
		return "read accounts"
	case ActAccountManage:
		return "manage accounts"
	case ActTokenManage:
		return "manage API tokens"
	case ActSubjectRead:
		return "read this subject"
	case ActSubjectOverride:
		return "accept a code that fails its check"
	case ActRecordSubmit:
		return "submit records"
	case ActRecordRead:
		return "read these records"
	case ActRecordWithdraw:
		return "withdraw records"
	case ActAuditRead:
		return "read the audit log"
	case ActLedgerVerify:
		return "run ledger verification"
	case ActRecordQuery:
		return "query shared credit information"
	case ActConsentGrant:
		return "grant consent (only a subject, for itself)"
	case ActConsentRead:
		return "read these consents"
	case ActConsentRevoke:
		return "revoke this consent (only the subject that granted it)"
	case ActQueryLogOwn:
		return "see who queried this subject (only the subject itself)"
	case ActQueryLogRead:
		return "read the query-use log"
	case ActQueryLogReview:
		return "review the query-use log"
	case ActQueryLogPurge:
		return "purge the query-use log"
	case ActMeasureCheck:
		return "run a measures check (relying agencies only)"
	case ActMeasureFeedback:
		return "report the measures applied (relying agencies only)"
	case ActListingManage:
		return "conduct this listing procedure (only the identifying department's officers)"
	case ActListingObject:
		return "object to this listing (only the subject, or the identifying department's officer recording its statement)"
	case ActListingRead:
		return "read this listing"
	case ActWebhookManage:
		return "manage webhook subscriptions (admin only)"
	case ActComplianceRead:
		return "read the compliance board of this department"
	case ActEventRead:
		return "read the event feed (admin, relying agencies, auditors)"
	case ActGradeRead:
		return "read this subject's grade"
	case ActGradeEvaluate:
		return "grade a subject now (admin and officers)"
	case ActGradingManage:
		return "manage grading models and runs (admin only)"
	case ActGradeReviewFile:
		return "ask for a review of this grade (only the subject itself)"
	case ActGradeReviewDecide:
		return "decide this grade review (the platform, or the model's department)"
	case ActGradeExport:
		return "export this department's subjects by grade"
	case ActRepairApply:
		return "apply for credit repair (only the subject, for its own information)"
	case ActRepairRead:
		return "read this repair application"
	case ActRepairDecide:
		return "decide this repair application (谁认定、谁修复: the identifying department; the platform for its own items)"
	case ActPeerManage:
		return "register peer platforms (admin only)"
	}
	return string(a)
}
