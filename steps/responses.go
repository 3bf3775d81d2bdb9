package steps

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Protocol-level checks of "the response", the scenario's latest exchange. Their requirement
// (the "because" of a failure) is the one the step that sent the request named, or the
// feature's (see capabilityBecause).

// responseStatus: Then the response status is 200 (or "is 200 or 204").
func responseStatus(ctx context.Context, codes string) error {
	w := worldFromContext(ctx)
	ex, err := w.response()
	if err != nil {
		return err
	}
	var want []int
	for _, c := range strings.Split(codes, " or ") {
		var n int
		fmt.Sscanf(c, "%d", &n)
		want = append(want, n)
	}
	return expect.StatusIn(ex, want, w.requirement())
}

// responseIsError: Then the response is a SCIM error with status 404.
func responseIsError(ctx context.Context, code int) error {
	w := worldFromContext(ctx)
	ex, err := w.response()
	if err != nil {
		return err
	}
	because := becauseError
	switch code {
	case http.StatusUnauthorized:
		because = becauseAuth
	case http.StatusNotFound:
		because = becauseUnknownID
	case http.StatusConflict:
		because = becauseDup
	}
	return expect.ErrorBody(ex, code, because)
}

// responseIsList: Then the response is a ListResponse: what Okta needs of one; a wrong
// itemsPerPage is a finding, not a failure (see responseIsFullList).
func responseIsList(ctx context.Context) error {
	w := worldFromContext(ctx)
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return w.tolerantList(ex, because) })
}

// responseIsFullList: Then the response is a ListResponse whose itemsPerPage counts its
// resources: the home of the itemsPerPage check (checkItemsPerPage).
func responseIsFullList(ctx context.Context) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return listPage(ex, because) })
}

// responseWithin: Then the response arrived within 600 ms.
func responseWithin(ctx context.Context, ms int) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error {
		return expect.Within(ex, time.Duration(ms)*time.Millisecond, "Okta's spec test wants this answer within 600 ms (okta-wire §8.2 step 19, §8.3)")
	})
}

// onResponse runs check on the latest exchange with the scenario's requirement.
func onResponse(ctx context.Context, check func(ex *scim.Exchange, because string) error) error {
	w := worldFromContext(ctx)
	ex, err := w.response()
	if err != nil {
		return err
	}
	return check(ex, w.requirement())
}

// jsonIs: Then the JSON at "userName" is "{ada.userName}".
func jsonIs(ctx context.Context, path, value string) error {
	w := worldFromContext(ctx)
	want, err := w.expand(value, asIs)
	if err != nil {
		return err
	}
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.Equal(ex, path, want, because) })
}

// jsonIsNot: Then the JSON at "meta.version" is not "{before}".
func jsonIsNot(ctx context.Context, path, value string) error {
	w := worldFromContext(ctx)
	not, err := w.expand(value, asIs)
	if err != nil {
		return err
	}
	return onResponse(ctx, func(ex *scim.Exchange, _ string) error {
		return expect.NotEqual(ex, path, not, "meta.version changes whenever the resource changes (RFC 7644 §3.14, RFC 7643 §3.1)")
	})
}

// jsonIsNumber: Then the JSON at "totalResults" is the number 0.
func jsonIsNumber(ctx context.Context, path string, n int) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.Equal(ex, path, n, because) })
}

// jsonIsBool: Then the JSON at "active" is true.
func jsonIsBool(ctx context.Context, path, value string) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error {
		return expect.Equal(ex, path, value == "true", because+"; active is a JSON boolean (RFC 7643 §4.1.1)")
	})
}

// jsonIsANumber: Then the JSON at "itemsPerPage" is a number.
func jsonIsANumber(ctx context.Context, path string) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.Number(ex, path, because) })
}

// jsonAtMost: Then the JSON at "itemsPerPage" is at most 2.
func jsonAtMost(ctx context.Context, path string, n int) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.AtMost(ex, path, int64(n), because) })
}

// jsonNotEmpty: Then the JSON at "id" is not empty.
func jsonNotEmpty(ctx context.Context, path string) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.NotEmpty(ex, path, because) })
}

// jsonEmpty: Then the JSON at "members" is empty (absent, null, "" or []).
func jsonEmpty(ctx context.Context, path string) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.Unassigned(ex, path, because) })
}

// jsonEmptyArray: Then the JSON at "Resources" is an empty array.
func jsonEmptyArray(ctx context.Context, path string) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.Len(ex, path, 0, because) })
}

// jsonIsArray: Then the JSON at "Resources" is an array.
func jsonIsArray(ctx context.Context, path string) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.IsArray(ex, path, because) })
}

// jsonContains: Then the JSON at "schemas" contains "urn:…".
func jsonContains(ctx context.Context, path, value string) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.Contains(ex, path, value, because) })
}

// jsonAbsent: Then the JSON at "password" is absent.
func jsonAbsent(ctx context.Context, path string) error {
	return onResponse(ctx, func(ex *scim.Exchange, _ string) error {
		return expect.Graded(expect.Absent(ex, path, `the password is writeOnly and returned "never" (RFC 7643 §4.1.1); Okta's placeholder password must not come back`),
			checkPasswordNeverReturned)
	})
}

// jsonStringOrNumber: Then the JSON at "status" is "401" as a string or a number.
func jsonStringOrNumber(ctx context.Context, path, code string) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error { return expect.StringOrNumber(ex, path, code, because) })
}
