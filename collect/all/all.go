// Package all lists every integration kind Attest ships, for the runner,
// the browser's "add integration" form and the CLI.
package all

import (
	"fmt"
	"sync"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/aws"
	"github.com/attest-dev/attest/collect/github"
	"github.com/attest-dev/attest/collect/gitlocal"
	"github.com/attest-dev/attest/collect/hrroster"
	"github.com/attest-dev/attest/collect/ldap"
	"github.com/attest-dev/attest/collect/linuxhost"
	"github.com/attest-dev/attest/collect/mysql"
	"github.com/attest-dev/attest/collect/okta"
	"github.com/attest-dev/attest/collect/postgres"
	"github.com/attest-dev/attest/collect/restapi"
)

var kinds = sync.OnceValue(func() []collect.Kind {
	ks := []collect.Kind{linuxhost.Kind, postgres.Kind, mysql.Kind, ldap.Kind, github.Kind, gitlocal.Kind,
		aws.Kind, okta.Kind, hrroster.Kind}
	defined, err := restapi.Builtin()
	if err != nil {
		// The definitions are embedded and loaded by this package's
		// tests, so this is a build defect, not a runtime condition.
		panic(fmt.Sprintf("built-in REST integrations: %v", err))
	}
	return append(ks, defined...)
})

// Kinds returns every kind, Go collectors first, then the built-in REST
// definitions. The slice is shared: do not modify it.
func Kinds() []collect.Kind {
	return kinds()
}

// Find returns the kind with the name.
func Find(name string) (collect.Kind, bool) {
	for _, k := range kinds() {
		if k.Name == name {
			return k, true
		}
	}
	return collect.Kind{}, false
}
