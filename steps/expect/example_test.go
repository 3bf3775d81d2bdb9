package expect_test

import (
	"fmt"
	"net/http"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// exchange builds what scim.Client.Do returns, without a server.
func exchange(method, url string, status int, contentType, body string) *scim.Exchange {
	return &scim.Exchange{
		Request: scim.RecordedRequest{Method: method, URL: url},
		Response: scim.RecordedResponse{
			StatusCode: status,
			Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
			Header:     http.Header{"Content-Type": {contentType}},
			Body:       []byte(body),
		},
		Attempts: 1,
	}
}

func ExampleEqual() {
	ex := exchange("GET", "https://app.example.com/scim/v2/Users?"+scim.FilterQuery("userName", "ADA@EXAMPLE.COM", false),
		200, "application/scim+json",
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)

	err := expect.Equal(ex, "totalResults", 1,
		`Okta looks users up with userName eq "…" and RFC 7643 §4.1.1 makes userName case-insensitive (caseExact false); a case-sensitive lookup makes Okta POST a duplicate and get 409.`)
	fmt.Println(err)
	// Output:
	// GET /scim/v2/Users?filter=userName%20eq%20%22ADA%40EXAMPLE.COM%22&startIndex=1&count=100 HTTP/1.1
	//   totalResults: expected 1 (number), got 0 (number)
	//   because: Okta looks users up with userName eq "…" and RFC 7643 §4.1.1 makes userName case-insensitive (caseExact false); a case-sensitive lookup makes Okta POST a duplicate and get 409.
}

// A string where Okta needs an integer: the types are shown side by side.
func ExampleInteger() {
	ex := exchange("GET", "https://app.example.com/scim/v2/Users?startIndex=1&count=100", 200, "application/scim+json",
		`{"totalResults":1,"startIndex":"1","itemsPerPage":1,"Resources":[{"id":"u-1"}]}`)

	fmt.Println(expect.Integer(ex, "totalResults", "RFC 7644 §3.4.2: totalResults is an integer"))
	fmt.Println(expect.Integer(ex, "startIndex", "Okta: itemsPerPage, startIndex, totalResults need to be exchanged as integers, not as strings (okta-wire §2.2)."))
	// Output:
	// <nil>
	// GET /scim/v2/Users?startIndex=1&count=100 HTTP/1.1
	//   startIndex: expected an integer (a number with no fractional digits), got "1" (string)
	//   because: Okta: itemsPerPage, startIndex, totalResults need to be exchanged as integers, not as strings (okta-wire §2.2).
}

// A plain-text error body: Okta's JSON parser fails on it, and the message says so.
func ExampleErrorBody() {
	ex := exchange("POST", "https://app.example.com/scim/v2/Users", 409, "text/plain", "User already exists")

	fmt.Println(expect.ErrorBody(ex, 409, "Okta surfaces the SCIM error detail; a non-JSON body makes it report a parse error instead (okta-wire §1.2, §9.2)."))
	// Output:
	// POST /scim/v2/Users HTTP/1.1
	//   schemas: expected an array containing "urn:ietf:params:scim:api:messages:2.0:Error", but the body is not JSON: "User already exists"
	//   response: 409 Conflict, Content-Type: text/plain, 19 bytes
	//   because: Okta surfaces the SCIM error detail; a non-JSON body makes it report a parse error instead (okta-wire §1.2, §9.2).
}

func ExampleStatusIn() {
	ex := exchange("PATCH", "https://app.example.com/scim/v2/Users/u-1", 501, "application/scim+json",
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"PATCH is not supported","status":"501"}`)

	fmt.Println(expect.StatusIn(ex, []int{200, 204}, "Okta deactivates OIN users with PATCH and does not fall back to PUT (okta-wire §0)."))
	// Output:
	// PATCH /scim/v2/Users/u-1 HTTP/1.1
	//   HTTP status: expected 200 or 204, got 501 Not Implemented
	//   detail: "PATCH is not supported"
	//   because: Okta deactivates OIN users with PATCH and does not fall back to PUT (okta-wire §0).
}
