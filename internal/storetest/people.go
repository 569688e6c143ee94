package storetest

import (
	"time"

	"xinyong"
)

func testDepartments(e *env) {
	t := e.t
	d1, d2 := department("d1", "11110000000000002B"), department("d2", "11110000000000001A")
	d2.Provides = []string{}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateDepartment(d1), "CreateDepartment")
		ok(t, tx.CreateDepartment(d2), "CreateDepartment")
	})
	for name, d := range map[string]xinyong.Department{
		"duplicate code": department("d3", d1.Code),
		"duplicate id":   department("d1", "11110000000000003C"),
	} {
		err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.CreateDepartment(d) })
		wantCode(t, err, xinyong.ECONFLICT, "CreateDepartment with a "+name)
	}
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Department("d1")
		ok(t, err, "Department")
		equal(t, "Department", got, d1)
		got, err = tx.DepartmentByCode(d2.Code)
		ok(t, err, "DepartmentByCode")
		equal(t, "DepartmentByCode", got, d2)
	})
	// Update changes name, what it provides and the disabled flag; never the
	// code or the creation time.
	u := d1
	u.Name, u.Provides, u.Disabled = "新名称", []string{"XK01"}, true
	u.Code, u.CreatedAt = "IGNORED", base.Add(time.Hour)
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateDepartment(u), "UpdateDepartment") })
	d1.Name, d1.Provides, d1.Disabled = u.Name, u.Provides, u.Disabled
	// A nil Provides reads back as empty.
	u2 := d2
	u2.Provides = nil
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateDepartment(u2), "UpdateDepartment nil provides") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Department("d1")
		ok(t, err, "Department after update")
		equal(t, "Department after update", got, d1)
		_, err = tx.DepartmentByCode("IGNORED")
		wantCode(t, err, xinyong.ENOTFOUND, "DepartmentByCode of an ignored new code")
		all, err := tx.Departments()
		ok(t, err, "Departments")
		equal(t, "Departments (by code)", all, []xinyong.Department{d2, d1})
	})
	// A department created with nil Provides reads back with an empty list.
	d3 := department("d3", "11110000000000003C")
	d3.Provides = nil
	e.update(func(tx xinyong.Tx) { ok(t, tx.CreateDepartment(d3), "CreateDepartment nil provides") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Department("d3")
		ok(t, err, "Department d3")
		if got.Provides == nil || len(got.Provides) != 0 {
			t.Errorf("Provides = %#v, want an empty list", got.Provides)
		}
	})
}

func testAccounts(e *env) {
	t := e.t
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateDepartment(department("d1", "C1")), "CreateDepartment")
		ok(t, tx.CreateDepartment(department("d2", "C2")), "CreateDepartment")
	})
	admin := account("a1", "zadmin", "")
	officer := account("a2", "officer", "d1")
	subj := account("a3", "msubject", "")
	subj.Role, subj.SubjectID, subj.Organisation = xinyong.RoleSubject, "s1", "某某有限公司"
	e.update(func(tx xinyong.Tx) {
		for _, a := range []xinyong.Account{admin, officer, subj} {
			ok(t, tx.CreateAccount(a), "CreateAccount "+a.Username)
		}
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.CreateAccount(account("a9", "officer", "")) })
	wantCode(t, err, xinyong.ECONFLICT, "CreateAccount with a duplicate username")
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.CreateAccount(account("a1", "other", "")) })
	wantCode(t, err, xinyong.ECONFLICT, "CreateAccount with a duplicate id")
	e.view(func(tx xinyong.Tx) {
		for _, a := range []xinyong.Account{admin, officer, subj} {
			got, err := tx.Account(a.ID)
			ok(t, err, "Account")
			equal(t, "Account "+a.ID, got, a)
			got, err = tx.AccountByUsername(a.Username)
			ok(t, err, "AccountByUsername")
			equal(t, "AccountByUsername "+a.Username, got, a)
		}
	})
	// Update: name, role, department, password, disabled; never the username.
	u := officer
	u.Name, u.Role, u.DepartmentID, u.PasswordHash, u.Organisation = "王五", xinyong.RoleReviewer, "d2", "$argon2id$new", "org"
	u.Username = "renamed"
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateAccount(u), "UpdateAccount") })
	officer.Name, officer.Role, officer.DepartmentID, officer.PasswordHash, officer.Organisation = u.Name, u.Role, u.DepartmentID, u.PasswordHash, u.Organisation
	// Disable; and clearing the department stores none.
	d := officer
	d.Disabled, d.DepartmentID = true, ""
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateAccount(d), "UpdateAccount disable") })
	officer.Disabled, officer.DepartmentID = true, ""
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Account("a2")
		ok(t, err, "Account after update")
		equal(t, "Account after update", got, officer)
		_, err = tx.AccountByUsername("renamed")
		wantCode(t, err, xinyong.ENOTFOUND, "AccountByUsername of an ignored new username")
		all, err := tx.Accounts()
		ok(t, err, "Accounts")
		equal(t, "Accounts (by username)", all, []xinyong.Account{subj, officer, admin})
	})
	// An account's department must exist.
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.CreateAccount(account("a8", "ghost", "nodept")) })
	if err == nil {
		t.Errorf("CreateAccount with a missing department succeeded")
	}
}

func testTokens(e *env) {
	t := e.t
	e.update(func(tx xinyong.Tx) { ok(t, tx.CreateDepartment(department("d1", "C1")), "CreateDepartment") })
	k1 := token("k1", "hash-1")
	k2 := token("k2", "hash-2")
	k2.Role, k2.DepartmentID, k2.Organisation, k2.CreatedAt = xinyong.RoleOfficer, "d1", "", base.Add(-time.Hour)
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateToken(k1), "CreateToken")
		ok(t, tx.CreateToken(k2), "CreateToken")
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.CreateToken(token("k3", "hash-1")) })
	wantCode(t, err, xinyong.ECONFLICT, "CreateToken with a duplicate hash")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.TokenByHash([]byte("hash-1"))
		ok(t, err, "TokenByHash")
		equal(t, "TokenByHash", got, k1)
		got, err = tx.TokenByHash([]byte("hash-2"))
		ok(t, err, "TokenByHash")
		equal(t, "TokenByHash", got, k2)
		all, err := tx.Tokens()
		ok(t, err, "Tokens")
		equal(t, "Tokens (by creation)", all, []xinyong.Token{k2, k1})
	})
	at := base.Add(48 * time.Hour)
	e.update(func(tx xinyong.Tx) { ok(t, tx.RevokeToken("k1", at), "RevokeToken") })
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.RevokeToken("k1", at.Add(time.Hour)) })
	wantCode(t, err, xinyong.ENOTFOUND, "RevokeToken twice")
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.RevokeToken("nope", at) })
	wantCode(t, err, xinyong.ENOTFOUND, "RevokeToken of a missing token")
	k1.RevokedAt = &at
	e.view(func(tx xinyong.Tx) {
		got, err := tx.TokenByHash([]byte("hash-1"))
		ok(t, err, "TokenByHash after revoke")
		equal(t, "revoked token (first revocation kept)", got, k1)
		got, err = tx.TokenByHash([]byte("hash-2"))
		ok(t, err, "TokenByHash other")
		if got.RevokedAt != nil {
			t.Errorf("revoking k1 revoked k2")
		}
	})
}

func testSessions(e *env) {
	t := e.t
	s1 := xinyong.Session{Hash: []byte{0, 1, 2, 0xff}, AccountID: "a1", CSRF: "csrf-1", CreatedAt: base, ExpiresAt: base.Add(8 * time.Hour)}
	s2 := xinyong.Session{Hash: []byte{0, 1, 2, 0xfe}, AccountID: "a1", CSRF: "csrf-2", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateAccount(account("a1", "u1", "")), "CreateAccount")
		ok(t, tx.CreateSession(s1), "CreateSession")
		ok(t, tx.CreateSession(s2), "CreateSession")
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.CreateSession(s1) })
	wantCode(t, err, xinyong.ECONFLICT, "CreateSession with a duplicate hash")
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error {
		return tx.CreateSession(xinyong.Session{Hash: []byte("x"), AccountID: "ghost", CreatedAt: base, ExpiresAt: base})
	})
	if err == nil {
		t.Errorf("CreateSession for a missing account succeeded")
	}
	e.view(func(tx xinyong.Tx) {
		got, err := tx.SessionByHash(s1.Hash)
		ok(t, err, "SessionByHash")
		equal(t, "SessionByHash", got, s1)
	})
	e.update(func(tx xinyong.Tx) { ok(t, tx.DeleteSession(s1.Hash), "DeleteSession") })
	e.view(func(tx xinyong.Tx) {
		_, err := tx.SessionByHash(s1.Hash)
		wantCode(t, err, xinyong.ENOTFOUND, "SessionByHash after delete")
		got, err := tx.SessionByHash(s2.Hash)
		ok(t, err, "other session kept")
		equal(t, "other session", got, s2)
	})
	// A password reset ends every session of the account, and only its.
	s3 := xinyong.Session{Hash: []byte{9, 9}, AccountID: "a2", CSRF: "csrf-3", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateAccount(account("a2", "u2", "")), "CreateAccount a2")
		ok(t, tx.CreateSession(s3), "CreateSession a2")
		ok(t, tx.CreateSession(s1), "CreateSession again")
		n, err := tx.DeleteAccountSessions("a1")
		ok(t, err, "DeleteAccountSessions")
		equal(t, "sessions ended", n, int64(2))
	})
	e.view(func(tx xinyong.Tx) {
		for _, h := range [][]byte{s1.Hash, s2.Hash} {
			_, err := tx.SessionByHash(h)
			wantCode(t, err, xinyong.ENOTFOUND, "a1's session after DeleteAccountSessions")
		}
		_, err := tx.SessionByHash(s3.Hash)
		ok(t, err, "a2's session kept")
	})
}

func testLoginFailures(e *env) {
	t := e.t
	e.update(func(tx xinyong.Tx) {
		for _, d := range []time.Duration{0, time.Minute, 10 * time.Minute} {
			ok(t, tx.AddLoginFailure("user:zhang", base.Add(d)), "AddLoginFailure")
		}
		ok(t, tx.AddLoginFailure("ip:127.0.0.1", base.Add(time.Minute)), "AddLoginFailure")
		// The same instant twice counts twice.
		ok(t, tx.AddLoginFailure("ip:127.0.0.1", base.Add(time.Minute)), "AddLoginFailure")
	})
	e.view(func(tx xinyong.Tx) {
		for _, tt := range []struct {
			key   string
			since time.Duration
			want  int
		}{
			{"user:zhang", -time.Hour, 3},
			{"user:zhang", 0, 3},
			{"user:zhang", time.Nanosecond * 1000, 2},
			{"user:zhang", time.Minute, 2},
			{"user:zhang", 10 * time.Minute, 1},
			{"user:zhang", 11 * time.Minute, 0},
			{"ip:127.0.0.1", 0, 2},
			{"user:li", -time.Hour, 0},
		} {
			n, err := tx.CountLoginFailures(tt.key, base.Add(tt.since))
			ok(t, err, "CountLoginFailures")
			if n != tt.want {
				t.Errorf("CountLoginFailures(%s, base%+v) = %d, want %d", tt.key, tt.since, n, tt.want)
			}
		}
	})
}

func testSubjects(e *env) {
	t := e.t
	s1 := subject("s1", "91110000MA0000000X")
	p := xinyong.Subject{ID: "s2", Key: "P:abcdef", Code: "1101**********1234", Kind: xinyong.KindPerson, Name: "张三", Birth: xinyong.NewDate(2010, 2, 28), CreatedAt: base}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutSubject(s1), "PutSubject")
		ok(t, tx.PutSubject(p), "PutSubject person")
	})
	e.view(func(tx xinyong.Tx) {
		for _, s := range []xinyong.Subject{s1, p} {
			got, err := tx.Subject(s.ID)
			ok(t, err, "Subject")
			equal(t, "Subject "+s.ID, got, s)
			got, err = tx.SubjectByKey(s.Key)
			ok(t, err, "SubjectByKey")
			equal(t, "SubjectByKey "+s.Key, got, s)
		}
	})
	// Put again by key: the name, code and override flag change; the id, kind
	// and creation time stay.
	u := s1
	u.ID, u.Name, u.Code, u.CodeOverride, u.CreatedAt = "s9", "新名称有限公司", "91110000MA0000000Y", true, base.Add(time.Hour)
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutSubject(u), "PutSubject upsert") })
	s1.Name, s1.Code, s1.CodeOverride = u.Name, u.Code, u.CodeOverride
	e.view(func(tx xinyong.Tx) {
		got, err := tx.SubjectByKey(s1.Key)
		ok(t, err, "SubjectByKey after upsert")
		equal(t, "SubjectByKey after upsert", got, s1)
		got, err = tx.Subject("s1")
		ok(t, err, "Subject after upsert")
		equal(t, "Subject after upsert", got, s1)
		_, err = tx.Subject("s9")
		wantCode(t, err, xinyong.ENOTFOUND, "Subject of the upsert's unused id")
	})
	// Another key with an existing id is a conflict.
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutSubject(subject("s1", "other-key")) })
	wantCode(t, err, xinyong.ECONFLICT, "PutSubject with a duplicate id")
}

func testCodeOverrides(e *env) {
	t := e.t
	o := xinyong.CodeOverride{Code: "91110000MA0000000Z", Kind: xinyong.KindEnterprise, Reason: "营业执照原件核实", By: "account:a1", CreatedAt: base}
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutCodeOverride(o), "PutCodeOverride") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.CodeOverride(o.Code)
		ok(t, err, "CodeOverride")
		equal(t, "CodeOverride", got, o)
		_, err = tx.CodeOverride("91110000MA0000000X")
		wantCode(t, err, xinyong.ENOTFOUND, "CodeOverride of another code")
	})
	o.Kind, o.Reason, o.By, o.CreatedAt = xinyong.KindOrganisation, "更正", "account:a2", base.Add(time.Hour)
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutCodeOverride(o), "PutCodeOverride replace") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.CodeOverride(o.Code)
		ok(t, err, "CodeOverride")
		equal(t, "CodeOverride after replace", got, o)
	})
}
