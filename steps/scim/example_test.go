package scim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// listUsers is a tiny SCIM server: an empty ListResponse, no Date header.
func listUsers(w http.ResponseWriter, r *http.Request) {
	w.Header()["Date"] = nil
	w.Header().Set("Content-Type", "application/scim+json")
	fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
}

func ExampleClient_Do() {
	srv := httptest.NewServer(http.HandlerFunc(listUsers))
	defer srv.Close()

	c, err := scim.New(scim.Config{BaseURL: srv.URL + "/scim/v2/", Auth: scim.AuthBearer, Secret: "s3cr3t-t0ken"})
	if err != nil {
		panic(err)
	}
	// Okta's existence check before a create (okta-wire §2.2).
	ex, err := c.Do(context.Background(), scim.Request{
		Path: "/Users?" + scim.FilterQuery("userName", "test.user@okta.local", false),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(ex.RequestLine())
	fmt.Println(ex.Response.Status)
	fmt.Println(ex.Request.Header.Get("Authorization"))
	total := ex.JSON().Get("totalResults")
	fmt.Println(total.Raw, total.Type)
	// Output:
	// GET /scim/v2/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100 HTTP/1.1
	// 200 OK
	// Bearer [REDACTED]
	// 0 Number
}

func ExampleExchange_Curl() {
	srv := httptest.NewServer(http.HandlerFunc(listUsers))
	defer srv.Close()

	c, _ := scim.New(scim.Config{BaseURL: srv.URL + "/scim/v2", Secret: "s3cr3t-t0ken"})
	ex, _ := c.Do(context.Background(), scim.Request{Path: "/Users", RawQuery: "startIndex=1&count=2"})
	fmt.Print(strings.ReplaceAll(ex.Curl(), srv.URL, "https://app.example.com"))
	// Output:
	// curl -sS -i --compressed --max-time 60 -X GET 'https://app.example.com/scim/v2/Users?startIndex=1&count=2' \
	//   -H 'Accept: application/scim+json' \
	//   -H 'Accept-Charset: utf-8' \
	//   -H 'User-Agent: Okta SCIM Client 1.0.0' \
	//   -H "Authorization: Bearer $SCIMCHECK_TOKEN"
	// # HTTP/1.1 200 OK
	// # Content-Length: 130
	// # Content-Type: application/scim+json
	// #
	// # {"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}
}

// A 429 is retried as Okta does; the Sleep hook lets a test skip the real wait.
func ExampleConfig_retry429() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		listUsers(w, r)
	}))
	defer srv.Close()

	c, _ := scim.New(scim.Config{
		BaseURL: srv.URL,
		Sleep: func(ctx context.Context, d time.Duration) error {
			fmt.Println("waiting", d)
			return nil
		},
	})
	ex, _ := c.Do(context.Background(), scim.Request{Path: "/Users"})
	fmt.Println(ex.Response.StatusCode, "after", ex.Attempts, "attempts")
	// Output:
	// waiting 5s
	// waiting 5s
	// 200 after 3 attempts
}

// A target that does not answer in time is a *TransportError with a Kind.
func ExampleTransportError() {
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hold)

	c, _ := scim.New(scim.Config{BaseURL: srv.URL, Timeout: 50 * time.Millisecond})
	_, err := c.Do(context.Background(), scim.Request{Path: "/Users"})
	var te *scim.TransportError
	if errors.As(err, &te) {
		fmt.Println(te.Kind)
		fmt.Println(err)
	}
	// Output:
	// timeout
	// GET /Users HTTP/1.1: timeout: no response within 50ms: Okta closes the socket after 60 seconds
}
