package rules_test

import (
	"flag"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateAPI = flag.Bool("update-api", false, "rewrite testdata/api.txt from the package's exported API")

// The package's exported API is what testdata/api.txt lists: the compiler
// and the model it produces. The evaluator behind scoring (its variables,
// VM and frame) stays unexported, so it never crowds the package's
// documentation; a change to the API shows up here, to be reviewed.
// Rewrite the list with: go test ./rules -run TestExportedAPI -update-api
func TestExportedAPI(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	require.NoError(t, err)
	files := []*ast.File{}
	for _, f := range pkgs["rules"].Files {
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/leadscore/leadscore/rules")
	require.NoError(t, err)
	var api []string
	add := func(prefix string, names ...string) {
		for _, n := range names {
			api = append(api, prefix+n)
		}
	}
	values := func(prefix string, vs []*doc.Value) {
		for _, v := range vs {
			add(prefix, v.Names...)
		}
	}
	values("const ", p.Consts)
	values("var ", p.Vars)
	for _, f := range p.Funcs {
		add("func ", f.Name)
	}
	for _, ty := range p.Types {
		add("type ", ty.Name)
		values("const ", ty.Consts)
		values("var ", ty.Vars)
		for _, f := range ty.Funcs {
			add("func ", f.Name)
		}
		for _, m := range ty.Methods {
			add("method ("+ty.Name+") ", m.Name+closed(m.Decl))
		}
		for _, spec := range ty.Decl.Specs {
			if st, ok := spec.(*ast.TypeSpec).Type.(*ast.StructType); ok {
				for _, fl := range st.Fields.List {
					for _, n := range fl.Names {
						if n.IsExported() {
							add("field ("+ty.Name+") ", n.Name)
						}
					}
				}
			}
		}
	}
	sort.Strings(api)
	got := strings.Join(api, "\n") + "\n"
	if *updateAPI {
		require.NoError(t, os.WriteFile("testdata/api.txt", []byte(got), 0o644))
	}
	want, err := os.ReadFile("testdata/api.txt")
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "the exported API changed; review it, then rewrite testdata/api.txt with -update-api")
	for _, internal := range []string{"type Env", "type Frame", "method (Model) NewEnv", "method (Model) NewEvaluator", "func Stopped", "field (Expr) Program"} {
		assert.NotContains(t, api, internal, "evaluator internals must stay unexported, or closed with a friend.Key")
	}
}

// closed marks a method whose first parameter is a friend.Key: exported
// for leadscore's own packages, closed to everyone else.
func closed(fn *ast.FuncDecl) string {
	if ps := fn.Type.Params.List; len(ps) > 0 {
		if sel, ok := ps[0].Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Key" {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "friend" {
				return " (closed: friend.Key)"
			}
		}
	}
	return ""
}
