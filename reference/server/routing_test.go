package server

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouting(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada@example.com")
	tests := []struct {
		method, path string
		want         int
		allow        string // Allow header on 405
	}{
		{"GET", "/Users", 200, ""},
		{"GET", "/Users/", 200, ""},
		{"GET", "//Users", 200, ""},
		{"GET", "//Users//", 200, ""},
		{"GET", "/Users/" + id, 200, ""},
		{"GET", "/Users/" + id + "/", 200, ""},
		{"GET", "//Users//" + id, 200, ""},
		{"GET", "/users", 200, ""},
		{"GET", "/Groups", 200, ""},
		{"GET", "/Groups/", 200, ""},
		{"GET", "/ServiceProviderConfig/", 200, ""},
		{"GET", "//Schemas", 200, ""},
		{"GET", "", 404, ""},
		{"GET", "/", 404, ""},
		{"GET", "/Nope", 404, ""},
		{"GET", "/Users/" + id + "/extra", 404, ""},
		{"GET", "/ServiceProviderConfig/x", 404, ""},
		{"GET", "/ResourceTypes/User/x", 404, ""},
		{"GET", "/Schemas/a/b", 404, ""},
		{"PUT", "/Users", 405, "GET, POST"},
		{"DELETE", "/Groups", 405, "GET, POST"},
		{"POST", "/Users/" + id, 405, "GET, PUT, PATCH, DELETE"},
		{"HEAD", "/Users/" + id, 405, "GET, PUT, PATCH, DELETE"},
		{"POST", "/ServiceProviderConfig", 405, "GET"},
		{"PUT", "/ResourceTypes", 405, "GET"},
		{"DELETE", "/Schemas", 405, "GET"},
		{"POST", "/Bulk", 501, ""},
		{"GET", "/Me", 501, ""},
		{"POST", "/.search", 501, ""},
		{"POST", "/Users/.search", 501, ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := c.do(tc.method, tc.path, "")
			if tc.want == 200 {
				assert.Equal(t, 200, r.Status, r.Body)
				return
			}
			assertSCIMError(t, r, tc.want, "")
			assert.Equal(t, tc.allow, r.Header.Get("Allow"))
		})
	}
}

func TestOutsideTheBasePath(t *testing.T) {
	c := newClient(t)
	for _, p := range []string{"/", "/scim", "/scim/v2Users", "/scim/v1/Users", "/Users"} {
		r := c.send(httptest.NewRequest("GET", "http://scim.test"+p, nil))
		assertSCIMError(t, r, 404, "")
		assert.Contains(t, r.JSON("detail").String(), BasePath)
	}
}

func TestDoubledSlashBeforeTheBase(t *testing.T) {
	c := newClient(t)
	r := c.send(req("GET", "", ""))
	require.Equal(t, 404, r.Status)
	r2 := httptest.NewRequest("GET", "http://scim.test//scim//v2//Users", nil)
	r2.Header.Set("Authorization", "Bearer "+testToken)
	assert.Equal(t, 200, c.send(r2).Status)
}
