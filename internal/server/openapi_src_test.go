package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"mime"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// srcIndex is this package's own source read with go/ast, to find out
// mechanically what each route's handler does: the query parameters it
// reads (r.URL.Query().Get, q.Get of a url.Values, r.FormValue, also through
// helpers such as queryInt(r, "index") or boardQuery(q)) and the
// Content-Types it sets (literal header values; writeJSON's included).
// It follows calls within the package, resolving method calls through the
// receiver, parameters and struct fields (w.s.boardQuery); calls it cannot
// resolve (other packages, locals of unknown type) are not followed.
type srcIndex struct {
	funcs  map[string]*ast.FuncDecl     // "Server.getRecords", "writeJSON"
	fields map[string]map[string]string // struct type → field → type name
	embeds map[string][]string          // struct type → embedded types
	consts map[string]string            // package-level string constants
	facts  map[string]*srcFacts         // per function, direct
	memo   map[string]*srcReach         // per function, with its callees
}

// srcFacts is what one function does itself.
type srcFacts struct {
	recvName, recvType string
	types              map[string]string   // parameter and typed-local names → type name
	strParams          map[string]int      // string parameters → their index
	values             map[string]bool     // names bound to url.Values
	ranged             map[string][]string // range variables (or their fields, "p.name") over literal strings
	unresolved         []string            // reads whose parameter name the index cannot tell, by position
	keys               map[string]bool     // query parameters read by name
	keyParams          map[int]bool        // string parameters used as query parameter names
	ctypes             map[string]bool     // literal Content-Types set
	dynamicCT          bool                // a Content-Type from a variable
	calls              []srcCall
}

type srcCall struct {
	callee string
	args   []ast.Expr
}

// srcReach is a function's facts with everything it calls.
type srcReach struct {
	keys       map[string]bool
	unresolved []string
	ctypes     map[string]bool
	dynamicCT  bool
}

func loadSrcIndex(t *testing.T) *srcIndex {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	x := &srcIndex{funcs: map[string]*ast.FuncDecl{}, fields: map[string]map[string]string{}, embeds: map[string][]string{},
		consts: map[string]string{}, facts: map[string]*srcFacts{}, memo: map[string]*srcReach{}}
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	for _, f := range parsed {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				x.funcs[declName(d)] = d
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					switch sp := sp.(type) {
					case *ast.TypeSpec:
						st, ok := sp.Type.(*ast.StructType)
						if !ok {
							continue
						}
						fm := map[string]string{}
						for _, fl := range st.Fields.List {
							tn := typeName(fl.Type)
							if len(fl.Names) == 0 {
								fm[strings.TrimPrefix(tn, "*")] = tn
								x.embeds[sp.Name.Name] = append(x.embeds[sp.Name.Name], tn)
							}
							for _, n := range fl.Names {
								fm[n.Name] = tn
							}
						}
						x.fields[sp.Name.Name] = fm
					case *ast.ValueSpec:
						if d.Tok != token.CONST {
							continue
						}
						for i, n := range sp.Names {
							if i < len(sp.Values) {
								if lit, ok := sp.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
									x.consts[n.Name], _ = strconv.Unquote(lit.Value)
								}
							}
						}
					}
				}
			}
		}
	}
	for name, d := range x.funcs {
		x.facts[name] = x.scan(fset, d)
	}
	return x
}

// declName is "Type.method" for a method, the name for a function.
func declName(d *ast.FuncDecl) string {
	if d.Recv != nil && len(d.Recv.List) == 1 {
		return strings.TrimPrefix(typeName(d.Recv.List[0].Type), "*") + "." + d.Name.Name
	}
	return d.Name.Name
}

// typeName names a type expression: T, *T, pkg.T, []T, func.
func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.StarExpr:
		return typeName(e.X)
	case *ast.SelectorExpr:
		if p, ok := e.X.(*ast.Ident); ok {
			return p.Name + "." + e.Sel.Name
		}
	case *ast.ArrayType:
		return "[]" + typeName(e.Elt)
	case *ast.IndexExpr: // generic instance
		return typeName(e.X)
	}
	return ""
}

func (x *srcIndex) scan(fset *token.FileSet, d *ast.FuncDecl) *srcFacts {
	f := &srcFacts{types: map[string]string{}, strParams: map[string]int{}, values: map[string]bool{}, keys: map[string]bool{},
		keyParams: map[int]bool{}, ctypes: map[string]bool{}, ranged: map[string][]string{}}
	if d.Recv != nil && len(d.Recv.List) == 1 && len(d.Recv.List[0].Names) == 1 {
		f.recvName, f.recvType = d.Recv.List[0].Names[0].Name, strings.TrimPrefix(typeName(d.Recv.List[0].Type), "*")
	}
	i := 0
	for _, fl := range d.Type.Params.List {
		tn := typeName(fl.Type)
		for _, n := range fl.Names {
			f.types[n.Name] = tn
			if tn == "string" {
				f.strParams[n.Name] = i
			}
			i++
		}
		if len(fl.Names) == 0 {
			i++
		}
	}
	if d.Body == nil {
		return f
	}
	// First pass: names bound to url.Values, parameters of closures and
	// locals declared with a type.
	ast.Inspect(d.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			for _, fl := range n.Type.Params.List {
				for _, nm := range fl.Names {
					f.types[nm.Name] = typeName(fl.Type)
				}
			}
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 && x.isValues(f, n.Rhs[0]) {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						f.values[id.Name] = true
					}
				}
			}
			if len(n.Lhs) == len(n.Rhs) {
				for i, r := range n.Rhs {
					id, ok := n.Lhs[i].(*ast.Ident)
					if !ok {
						continue
					}
					switch r := r.(type) {
					case *ast.CompositeLit:
						f.types[id.Name] = typeName(r.Type)
					case *ast.UnaryExpr:
						if cl, ok := r.X.(*ast.CompositeLit); ok && r.Op == token.AND {
							f.types[id.Name] = typeName(cl.Type)
						}
					}
				}
			}
		case *ast.RangeStmt:
			x.rangeLits(f, n)
		case *ast.ValueSpec:
			for i, nm := range n.Names {
				if n.Type != nil {
					f.types[nm.Name] = typeName(n.Type)
				}
				if i < len(n.Values) && x.isValues(f, n.Values[i]) {
					f.values[nm.Name] = true
				}
			}
		}
		return true
	})
	// Second pass: reads, Content-Types and calls.
	ast.Inspect(d.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			switch fn := n.Fun.(type) {
			case *ast.SelectorExpr:
				m := fn.Sel.Name
				switch {
				case (m == "Get" || m == "Has") && len(n.Args) == 1 && x.isValues(f, fn.X),
					m == "FormValue" && len(n.Args) == 1:
					if !x.key(f, n.Args[0]) {
						f.unresolved = append(f.unresolved, fset.Position(n.Pos()).String())
					}
				case (m == "Set" || m == "Add") && len(n.Args) == 2 && x.str(n.Args[0]) == "Content-Type":
					if v := x.str(n.Args[1]); v != "" {
						mt, _, err := mime.ParseMediaType(v)
						if err != nil {
							mt = v
						}
						f.ctypes[mt] = true
					} else {
						f.dynamicCT = true
					}
				}
				if callee := x.method(x.typeOf(f, fn.X), m); callee != "" {
					f.calls = append(f.calls, srcCall{callee: callee, args: n.Args})
				}
			case *ast.Ident:
				if _, ok := x.funcs[fn.Name]; ok {
					f.calls = append(f.calls, srcCall{callee: fn.Name, args: n.Args})
				}
			}
		case *ast.IndexExpr:
			if x.isValues(f, n.X) && !x.key(f, n.Index) {
				f.unresolved = append(f.unresolved, fset.Position(n.Pos()).String())
			}
		case *ast.SelectorExpr:
			// A method value (s.getX passed on) reaches the method.
			if callee := x.method(x.typeOf(f, n.X), n.Sel.Name); callee != "" {
				f.calls = append(f.calls, srcCall{callee: callee})
			}
		}
		return true
	})
	return f
}

// str is the value of a string literal or package constant ("" if none).
func (x *srcIndex) str(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, _ := strconv.Unquote(e.Value)
			return s
		}
	case *ast.Ident:
		return x.consts[e.Name]
	}
	return ""
}

// key records a query parameter read by name: a literal or constant, one
// of the function's string parameters (a helper such as queryInt(r, name)),
// or a range variable over literals (for _, p := range []struct{name
// string}{{"offset"}, {"limit"}} … q.Get(p.name)). It reports false when it
// cannot tell the name.
func (x *srcIndex) key(f *srcFacts, e ast.Expr) bool {
	if s := x.str(e); s != "" {
		f.keys[s] = true
		return true
	}
	switch e := e.(type) {
	case *ast.Ident:
		if i, ok := f.strParams[e.Name]; ok {
			f.keyParams[i] = true
			return true
		}
		if vs, ok := f.ranged[e.Name]; ok {
			for _, v := range vs {
				f.keys[v] = true
			}
			return true
		}
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok {
			if vs, ok := f.ranged[id.Name+"."+e.Sel.Name]; ok {
				for _, v := range vs {
					f.keys[v] = true
				}
				return true
			}
		}
	case *ast.CallExpr: // strings.TrimSpace(name) and the like
		if len(e.Args) == 1 {
			return x.key(f, e.Args[0])
		}
	}
	return false
}

// rangeLits notes the string values a range over a composite literal gives
// its value variable: the strings of a []string, or each string field of
// a slice of structs ("p.name").
func (x *srcIndex) rangeLits(f *srcFacts, n *ast.RangeStmt) {
	v, ok := n.Value.(*ast.Ident)
	if !ok {
		return
	}
	cl, ok := n.X.(*ast.CompositeLit)
	if !ok {
		return
	}
	at, ok := cl.Type.(*ast.ArrayType)
	if !ok {
		return
	}
	var fields []string
	if st, ok := at.Elt.(*ast.StructType); ok {
		for _, fl := range st.Fields.List {
			for _, nm := range fl.Names {
				fields = append(fields, nm.Name)
			}
		}
	}
	for _, el := range cl.Elts {
		if s := x.str(el); s != "" {
			f.ranged[v.Name] = append(f.ranged[v.Name], s)
			continue
		}
		ec, ok := el.(*ast.CompositeLit)
		if !ok {
			continue
		}
		for i, fe := range ec.Elts {
			name, val := "", fe
			if kv, ok := fe.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok {
					name = k.Name
				}
				val = kv.Value
			} else if i < len(fields) {
				name = fields[i]
			}
			if s := x.str(val); s != "" && name != "" {
				f.ranged[v.Name+"."+name] = append(f.ranged[v.Name+"."+name], s)
			}
		}
	}
}

// isValues reports whether e is a url.Values: r.URL.Query(), or a name
// bound to one (q := r.URL.Query(), a url.Values parameter).
func (x *srcIndex) isValues(f *srcFacts, e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Query" {
			if u, ok := sel.X.(*ast.SelectorExpr); ok && u.Sel.Name == "URL" {
				return true
			}
		}
	case *ast.Ident:
		return f.values[e.Name] || f.types[e.Name] == "url.Values"
	case *ast.ParenExpr:
		return x.isValues(f, e.X)
	}
	return false
}

// typeOf is the package type of a value expression, when it can tell.
func (x *srcIndex) typeOf(f *srcFacts, e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		if e.Name == f.recvName {
			return f.recvType
		}
		return strings.TrimPrefix(f.types[e.Name], "*")
	case *ast.SelectorExpr:
		return x.field(x.typeOf(f, e.X), e.Sel.Name)
	case *ast.ParenExpr:
		return x.typeOf(f, e.X)
	case *ast.StarExpr:
		return x.typeOf(f, e.X)
	}
	return ""
}

func (x *srcIndex) field(t, name string) string {
	if t == "" {
		return ""
	}
	if ft, ok := x.fields[t][name]; ok {
		return strings.TrimPrefix(ft, "*")
	}
	for _, em := range x.embeds[t] {
		if ft := x.field(strings.TrimPrefix(em, "*"), name); ft != "" {
			return ft
		}
	}
	return ""
}

// method is the declared method name of type t (or a type it embeds).
func (x *srcIndex) method(t, name string) string {
	if t == "" {
		return ""
	}
	if _, ok := x.funcs[t+"."+name]; ok {
		return t + "." + name
	}
	for _, em := range x.embeds[t] {
		if m := x.method(strings.TrimPrefix(em, "*"), name); m != "" {
			return m
		}
	}
	return ""
}

// reach is what fn and everything it calls read and set. Key parameters
// of a callee become keys where the caller passes a literal, and key
// parameters of the caller where it passes one of its own.
func (x *srcIndex) reach(fn string) *srcReach {
	if r, ok := x.memo[fn]; ok {
		return r
	}
	r := &srcReach{keys: map[string]bool{}, ctypes: map[string]bool{}}
	x.memo[fn] = r // a recursive call sees the part found so far
	f := x.facts[fn]
	if f == nil {
		return r
	}
	for k := range f.keys {
		r.keys[k] = true
	}
	r.unresolved = append(r.unresolved, f.unresolved...)
	for c := range f.ctypes {
		r.ctypes[c] = true
	}
	r.dynamicCT = f.dynamicCT
	for _, c := range f.calls {
		cr := x.reach(c.callee)
		for k := range cr.keys {
			r.keys[k] = true
		}
		for _, u := range cr.unresolved {
			if !slices.Contains(r.unresolved, u) {
				r.unresolved = append(r.unresolved, u)
			}
		}
		for ct := range cr.ctypes {
			r.ctypes[ct] = true
		}
		r.dynamicCT = r.dynamicCT || cr.dynamicCT
		for i := range x.keyParams(c.callee, map[string]bool{}) {
			if i < len(c.args) {
				if s := x.str(c.args[i]); s != "" {
					r.keys[s] = true
				}
			}
		}
	}
	return r
}

// keyParams are the string parameters of fn that name a query parameter
// it (or a function it passes them to) reads.
func (x *srcIndex) keyParams(fn string, seen map[string]bool) map[int]bool {
	out := map[int]bool{}
	f := x.facts[fn]
	if f == nil || seen[fn] {
		return out
	}
	seen[fn] = true
	for i := range f.keyParams {
		out[i] = true
	}
	for _, c := range f.calls {
		for i := range x.keyParams(c.callee, seen) {
			if i < len(c.args) {
				if id, ok := c.args[i].(*ast.Ident); ok {
					if j, ok := f.strParams[id.Name]; ok {
						out[j] = true
					}
				}
			}
		}
	}
	return out
}

var closureSuffix = regexp.MustCompile(`(\.func\d+)+$`)

// handlerDecl names the declaration a route's handler comes from: the
// method of a method value (s.getRecords), or the function whose body
// makes the closure (s.listingDocPDF("decision"), a closure in a route
// table). Inlining names closures after every function they pass through;
// the last one is the maker.
func handlerDecl(t *testing.T, h any) string {
	t.Helper()
	full := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	name := strings.TrimSuffix(full[strings.LastIndex(full, "/")+1:], "-fm")
	name = strings.TrimPrefix(name, "server.")
	name = closureSuffix.ReplaceAllString(name, "")
	parts := strings.Split(name, ".")
	last := parts[len(parts)-1]
	if len(parts) >= 2 && strings.HasPrefix(parts[len(parts)-2], "(") {
		return strings.Trim(parts[len(parts)-2], "(*)") + "." + last
	}
	return last
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
