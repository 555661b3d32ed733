package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/attest-dev/attest"
)

// Changes from merged pull requests: the code-hosting integration's
// github.pull_request resources (see attest.ChangesFromResources for the
// attributes they carry) become change records, each pull request once.

// changeExtras adds what the pull request import form needs: the
// integrations whose latest collection holds pull requests.
func (s *Server) changeExtras(r *http.Request, data map[string]any) error {
	m, ok := s.svc.(MonitorServices)
	if !ok {
		return nil
	}
	ins, err := m.FindIntegrations(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	var withPRs []*attest.Integration
	for _, in := range ins {
		if k, ok := s.kind(in.Kind); in.Kind == "github" || (ok && slices.Contains(k.ResourceTypes, attest.ResourcePullRequestType)) {
			withPRs = append(withPRs, in)
		}
	}
	data["PullRequestSources"] = withPRs
	if _, ok := data["PR"]; !ok {
		data["PR"] = newForm(nil)
	}
	return nil
}

// changePullRequests imports the merged pull requests of an integration
// (or of all) as changes.
func (s *Server) changePullRequests(w http.ResponseWriter, r *http.Request) error {
	var in int64
	var err error
	if v := r.PostFormValue("integration"); v != "" {
		if in, err = strconv.ParseInt(v, 10, 64); err != nil {
			err = attest.FieldErrorf("integration", "choose one of the integrations")
		}
	}
	var added, merged int
	if err == nil {
		added, merged, err = s.svc.ImportPullRequests(r.Context(), orgID(r), in, r.PostFormValue("control_id"))
	}
	if err != nil {
		nf := newForm(r.PostForm)
		if !nf.refuse(err) {
			return err
		}
		return s.refuseRegisterWith(w, r, s.changeRegister(), "PR", nf)
	}
	return redirect(w, r, "/changes?sort=implemented_on&dir=desc", fmt.Sprintf("%d merged pull requests read, %d new changes recorded.", merged, added))
}
