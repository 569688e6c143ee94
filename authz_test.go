package xinyong

import (
	"slices"
	"testing"
)

// The intended policy, written out independently of authz.go. The resource
// in TestAuthorizeMatrix belongs to the actor: its department, an item the
// department provides, and (for a subject account) the subject itself.
// Other departments, items and subjects are in TestAuthorizeScope.
//
//   - public: catalogue.read and ledger.read only (DOMAIN.md §3: the public
//     searches published information; §7: the ledger is verifiable);
//   - admin (credit office): everything except record.submit and
//     record.withdraw, which belong to officers of the owning department
//     (DOMAIN.md §2: identifying departments submit; 谁认定、谁修复);
//   - officer: its own department only; record.submit only for items the
//     department provides (DOMAIN.md §1-§2); subject.read to find the
//     subjects it records;
//   - reviewer: reads its own department and its records; subject.read;
//   - agency (relying agency): subject.read for the measures check
//     (DOMAIN.md §5), nothing else beyond the public; record.query and
//     measures.check only with an organisation on record (DOMAIN.md §7: the
//     register records who and which organisation);
//   - auditor: audit.read, ledger.verify, record.read, account.read,
//     department.read (DOMAIN.md §7: reviews query-use logs and the ledger);
//   - subject: subject.read and record.read of itself only (DOMAIN.md: "sees
//     its own file").
var intendedPolicy = map[Role][]Action{
	RoleAdmin: {
		ActCatalogueRead, ActCataloguePropose, ActCatalogueTransition, ActCatalogueLoad, ActReferenceManage,
		ActDepartmentRead, ActDepartmentManage, ActAccountRead, ActAccountManage, ActTokenManage,
		ActSubjectRead, ActSubjectOverride, ActRecordRead, ActAuditRead, ActLedgerRead, ActLedgerVerify,
		ActConsentRead, ActQueryLogRead, ActQueryLogPurge,
		ActListingRead,
		ActWebhookManage, ActEventRead,
		ActObjectionHandle, ActObjectionRead,
		ActRepairRead, ActPeerManage, ActComplianceRead,
		ActGradeRead, ActGradeEvaluate, ActGradingManage, ActGradeReviewDecide, ActGradeExport,
	},
	RoleOfficer: {
		ActCatalogueRead, ActLedgerRead, ActDepartmentRead, ActSubjectRead,
		ActRecordSubmit, ActRecordRead, ActRecordWithdraw, ActRecordQuery,
		ActListingManage, ActListingObject, ActListingRead,
		ActObjectionHandle, ActObjectionRead,
		ActRepairRead, ActRepairDecide, ActComplianceRead,
		ActGradeRead, ActGradeEvaluate, ActGradeReviewDecide, ActGradeExport,
	},
	RoleReviewer: {ActCatalogueRead, ActLedgerRead, ActDepartmentRead, ActSubjectRead, ActRecordRead, ActListingRead, ActObjectionHandle, ActObjectionRead, ActRepairRead, ActRepairDecide, ActComplianceRead, ActGradeRead, ActGradeReviewDecide, ActGradeExport},
	RoleAgency:   {ActCatalogueRead, ActLedgerRead, ActSubjectRead, ActRecordQuery, ActMeasureCheck, ActMeasureFeedback, ActEventRead},
	RoleAuditor: {
		ActCatalogueRead, ActLedgerRead, ActAuditRead, ActLedgerVerify, ActRecordRead, ActAccountRead, ActDepartmentRead,
		ActConsentRead, ActQueryLogRead, ActQueryLogReview,
		ActListingRead, ActEventRead, ActObjectionRead, ActRepairRead, ActComplianceRead, ActGradeRead,
	},
	RoleSubject: {ActCatalogueRead, ActLedgerRead, ActSubjectRead, ActRecordRead, ActConsentGrant, ActConsentRead, ActConsentRevoke, ActQueryLogOwn, ActListingObject, ActListingRead, ActObjectionRead, ActRepairApply, ActRepairRead, ActGradeRead, ActGradeReviewFile},
}

var publicPolicy = []Action{ActCatalogueRead, ActLedgerRead}

func testDept() *Department {
	return &Department{ID: "D1", Name: "市场监管局", Provides: []string{"ITEM-PENALTY", "ITEM-LICENSE"}}
}

func actorFor(r Role) Actor {
	a := Actor{Kind: "account", ID: "u-" + string(r), Name: string(r), Role: r}
	if r.NeedsDepartment() {
		a.DepartmentID = "D1"
	}
	if r == RoleSubject {
		a.SubjectID = "S1"
	}
	if r == RoleAgency {
		a.Organisation = "某市住房公积金中心"
	}
	return a
}

func TestIntendedPolicyCoversEveryRole(t *testing.T) {
	for _, r := range Roles {
		if _, ok := intendedPolicy[r]; !ok {
			t.Errorf("role %s has no row in the expected table", r)
		}
	}
	if len(Actions) != 46 {
		t.Errorf("Actions has %d entries; update the expected table", len(Actions))
	}
}

func TestAuthorizeMatrix(t *testing.T) {
	own := Resource{DepartmentID: "D1", Item: "ITEM-PENALTY", SubjectID: "S1"}
	for _, r := range Roles {
		for _, a := range Actions {
			want := slices.Contains(intendedPolicy[r], a)
			err := Authorize(actorFor(r), a, own, testDept())
			if (err == nil) != want {
				t.Errorf("%s × %s: allowed = %v, want %v (err %v)", r, a, err == nil, want, err)
				continue
			}
			if err != nil && ErrorCode(err) != EFORBIDDEN {
				t.Errorf("%s × %s: code %s, want %s for a signed-in actor", r, a, ErrorCode(err), EFORBIDDEN)
			}
		}
	}
	for _, a := range Actions {
		want := slices.Contains(publicPolicy, a)
		err := Authorize(Public, a, own, testDept())
		if (err == nil) != want {
			t.Errorf("public × %s: allowed = %v, want %v", a, err == nil, want)
			continue
		}
		if err != nil && ErrorCode(err) != EUNAUTHORIZED {
			t.Errorf("public × %s: code %s, want %s (signing in would help)", a, ErrorCode(err), EUNAUTHORIZED)
		}
	}
}

func TestAuthorizeScope(t *testing.T) {
	officer, reviewer, subject := actorFor(RoleOfficer), actorFor(RoleReviewer), actorFor(RoleSubject)
	noDeptOfficer := officer
	noDeptOfficer.DepartmentID = ""
	noSubject := subject
	noSubject.SubjectID = ""
	bogus := Actor{Kind: "account", ID: "u-x", Role: Role("superuser")}
	noRole := Actor{Kind: "token", ID: "t-1"}
	disabled := testDept()
	disabled.Disabled = true
	noOrgAgency := actorFor(RoleAgency)
	noOrgAgency.Organisation = ""
	noOrgAgencyToken := Actor{Kind: "token", ID: "t-2", Name: "old-agency-token", Role: RoleAgency}

	other := Resource{DepartmentID: "D2", Item: "ITEM-PENALTY", SubjectID: "S2"}
	tests := []struct {
		name   string
		actor  Actor
		action Action
		res    Resource
		dept   *Department
		allow  bool
		code   string
		rule   string
	}{
		{"officer submits for another department", officer, ActRecordSubmit, other, &Department{ID: "D2", Provides: []string{"ITEM-PENALTY"}}, false, EFORBIDDEN, "officer: own department only"},
		{"officer reads another department's records", officer, ActRecordRead, other, nil, false, EFORBIDDEN, "officer: own department only"},
		{"officer withdraws another department's records", officer, ActRecordWithdraw, other, nil, false, EFORBIDDEN, "谁认定: only the identifying department withdraws"},
		{"officer reads another department", officer, ActDepartmentRead, other, nil, false, EFORBIDDEN, "officer: own department only"},
		{"officer submits an item the department does not provide", officer, ActRecordSubmit, Resource{DepartmentID: "D1", Item: "ITEM-TAX"}, testDept(), false, EFORBIDDEN, "record.submit only for provided items (DOMAIN.md §1)"},
		{"officer submits a provided item", officer, ActRecordSubmit, Resource{DepartmentID: "D1", Item: "ITEM-LICENSE"}, testDept(), true, "", "DOMAIN.md §2"},
		{"officer submits for a disabled department", officer, ActRecordSubmit, Resource{DepartmentID: "D1", Item: "ITEM-PENALTY"}, disabled, false, EFORBIDDEN, "disabled department"},
		{"officer submits, department unknown", officer, ActRecordSubmit, Resource{DepartmentID: "D1", Item: "ITEM-PENALTY"}, nil, false, EFORBIDDEN, "unknown department"},
		{"officer without a department", noDeptOfficer, ActRecordRead, Resource{}, nil, false, EFORBIDDEN, "empty department IDs never match"},
		{"officer without a department submits", noDeptOfficer, ActRecordSubmit, Resource{Item: "ITEM-PENALTY"}, testDept(), false, EFORBIDDEN, "empty department IDs never match"},
		{"reviewer reads another department's records", reviewer, ActRecordRead, other, nil, false, EFORBIDDEN, "reviewer: own department only"},
		{"reviewer submits", reviewer, ActRecordSubmit, Resource{DepartmentID: "D1", Item: "ITEM-PENALTY"}, testDept(), false, EFORBIDDEN, "only officers submit"},
		{"admin submits", actorFor(RoleAdmin), ActRecordSubmit, Resource{DepartmentID: "D1", Item: "ITEM-PENALTY"}, testDept(), false, EFORBIDDEN, "records belong to identifying departments"},
		{"admin reads another department's records", actorFor(RoleAdmin), ActRecordRead, other, nil, true, "", "credit office"},
		{"auditor reads another department's records", actorFor(RoleAuditor), ActRecordRead, other, nil, true, "", "DOMAIN.md §7 review"},
		{"auditor reads a subject", actorFor(RoleAuditor), ActSubjectRead, other, nil, false, EFORBIDDEN, "auditor: audit.read, ledger.verify, record.read, account.read, department.read"},
		{"agency reads a subject", actorFor(RoleAgency), ActSubjectRead, other, nil, true, "", "measures check (DOMAIN.md §5)"},
		{"agency reads records", actorFor(RoleAgency), ActRecordRead, other, nil, false, EFORBIDDEN, "DOMAIN.md §3: sharing follows role and item"},
		{"subject reads another subject", subject, ActSubjectRead, other, nil, false, EFORBIDDEN, "subject: only itself"},
		{"subject reads another subject's records", subject, ActRecordRead, other, nil, false, EFORBIDDEN, "subject: only itself"},
		{"subject reads with no subject named", subject, ActSubjectRead, Resource{}, nil, false, EFORBIDDEN, "subject: only itself"},
		{"subject account without a subject ID reads subjects", noSubject, ActSubjectRead, Resource{}, nil, false, EFORBIDDEN, "empty subject IDs never match"},
		{"subject account without a subject ID reads records", noSubject, ActRecordRead, Resource{}, nil, false, EFORBIDDEN, "empty subject IDs never match"},
		{"unknown role reads a subject", bogus, ActSubjectRead, other, nil, false, EFORBIDDEN, "deny by default"},
		{"unknown role reads the catalogue", bogus, ActCatalogueRead, other, nil, true, "", "public action"},
		{"token without a role", noRole, ActSubjectRead, other, nil, false, EFORBIDDEN, "no role: denied; signed in, so forbidden"},
		{"public reads a subject", Public, ActSubjectRead, other, nil, false, EUNAUTHORIZED, "public: catalogue.read and ledger.read only"},
		{"subject grants consent for another subject", subject, ActConsentGrant, other, nil, false, EFORBIDDEN, "consent: a subject for itself only (DOMAIN.md §7)"},
		{"subject revokes another subject's consent", subject, ActConsentRevoke, other, nil, false, EFORBIDDEN, "consent: the granting subject only"},
		{"subject reads another subject's consents", subject, ActConsentRead, other, nil, false, EFORBIDDEN, "consent: own only"},
		{"subject sees who queried another subject", subject, ActQueryLogOwn, other, nil, false, EFORBIDDEN, "who queried me: the subject itself only"},
		{"subject account without a subject ID grants consent", noSubject, ActConsentGrant, Resource{}, nil, false, EFORBIDDEN, "empty subject IDs never match"},
		{"agency grants consent", actorFor(RoleAgency), ActConsentGrant, Resource{SubjectID: "S1"}, nil, false, EFORBIDDEN, "only the subject consents"},
		{"agency queries shared information of any subject", actorFor(RoleAgency), ActRecordQuery, other, nil, true, "", "sharing: Visible decides what it sees (DOMAIN.md §3)"},
		{"agency without an organisation queries shared information", noOrgAgency, ActRecordQuery, other, nil, false, EFORBIDDEN, "the register records who and which organisation (DOMAIN.md §7)"},
		{"agency token without an organisation queries shared information", noOrgAgencyToken, ActRecordQuery, other, nil, false, EFORBIDDEN, "the register records who and which organisation (DOMAIN.md §7)"},
		{"agency without an organisation runs a measures check", noOrgAgency, ActMeasureCheck, other, nil, false, EFORBIDDEN, "the register records who and which organisation (DOMAIN.md §7)"},
		{"agency token without an organisation runs a measures check", noOrgAgencyToken, ActMeasureCheck, other, nil, false, EFORBIDDEN, "the register records who and which organisation (DOMAIN.md §7)"},
		{"agency without an organisation reads a subject", noOrgAgency, ActSubjectRead, other, nil, true, "", "only the registered queries need the organisation"},
		{"officer queries shared information", officer, ActRecordQuery, other, nil, true, "", "officers query; the department is the organisation"},
		{"reviewer queries shared information", reviewer, ActRecordQuery, other, nil, false, EFORBIDDEN, "officers and agencies query"},
		{"auditor reads another subject's consents", actorFor(RoleAuditor), ActConsentRead, other, nil, true, "", "supervision (DOMAIN.md §7)"},
		{"admin reviews the query-use log", actorFor(RoleAdmin), ActQueryLogReview, other, nil, false, EFORBIDDEN, "review is the auditor's (separation of duties)"},
		{"auditor purges the query-use log", actorFor(RoleAuditor), ActQueryLogPurge, other, nil, false, EFORBIDDEN, "purge is the admin's"},
		{"public verifies the ledger", Public, ActLedgerVerify, Resource{}, nil, false, EUNAUTHORIZED, "public: catalogue.read and ledger.read only"},
		{"system job withdraws", System, ActRecordWithdraw, other, nil, true, "", "the platform itself (jobs, reference data)"},
		{"command line submits a provided item", Actor{Kind: "cli", ID: "cli:root", Role: RoleAdmin}, ActRecordSubmit, Resource{DepartmentID: "D1", Item: "ITEM-LICENSE"}, testDept(), true, "", "the operator holds the database; import --department"},
		{"command line submits an item the department does not provide", Actor{Kind: "cli", ID: "cli:root", Role: RoleAdmin}, ActRecordSubmit, Resource{DepartmentID: "D1", Item: "ITEM-TAX"}, testDept(), false, EFORBIDDEN, "record.submit only for provided items (DOMAIN.md §1)"},
		{"system submits for a disabled department", System, ActRecordSubmit, Resource{DepartmentID: "D1", Item: "ITEM-PENALTY"}, disabled, false, EFORBIDDEN, "disabled department"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Authorize(tt.actor, tt.action, tt.res, tt.dept)
			if (err == nil) != tt.allow {
				t.Fatalf("allowed = %v, want %v (%s); err %v", err == nil, tt.allow, tt.rule, err)
			}
			if !tt.allow && ErrorCode(err) != tt.code {
				t.Fatalf("code = %s, want %s (%s)", ErrorCode(err), tt.code, tt.rule)
			}
			if err != nil && ErrorMessage(err) == "" {
				t.Fatal("denial without a message")
			}
		})
	}
}
