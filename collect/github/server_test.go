package github_test

import (
	"net/http/httptest"
	"testing"
)

func newServer(t *testing.T) string {
	srv := httptest.NewServer(fixture(t))
	t.Cleanup(srv.Close)
	return srv.URL
}
