module github.com/leadscore/leadscore

go 1.24.0

require (
	github.com/expr-lang/expr v1.17.8
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	github.com/stretchr/testify v1.12.1
	go.etcd.io/bbolt v1.4.3
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/text v0.23.0
	gonum.org/v1/gonum v0.17.0
)

require golang.org/x/sys v0.29.0 // indirect
