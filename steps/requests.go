package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Protocol-level steps: one request, precise checks on "the response" (the scenario's latest
// exchange). Paths, bodies and expected values may hold placeholders: {ada} is ada's app id,
// {ada.userName} its userName, {engineering.displayName} a group's name, {name} a remembered
// value, {unknown-id} an id no server issued.

// requirement returns the because of the scenario's next protocol-level check.
func (w *world) requirement() string {
	if w.because != "" {
		return w.because
	}
	for _, t := range w.tags {
		if b := capabilityBecause(t); b != "" {
			return b
		}
	}
	return "the scenario's step states what Okta needs (features/okta)"
}

// response returns the scenario's latest exchange.
func (w *world) response() (*scim.Exchange, error) {
	if w.last == nil {
		return nil, HarnessErrorf("scimcheck harness error in the feature: no request was sent before this check")
	}
	return w.last, nil
}

// clientSends: When the client sends GET "/Users/{ada}".
func clientSends(ctx context.Context, method, path string) error {
	w := worldFromContext(ctx)
	p, err := w.expandPath(path)
	if err != nil {
		return err
	}
	w.because = ""
	_, err = w.send(ctx, scim.Request{Method: method, Path: p, Header: w.protocolHeader(method, p)})
	return err
}

// clientSendsBody: When the client sends POST "/Users" with: a JSON doc string.
func clientSendsBody(ctx context.Context, method, path string, doc *godog.DocString) error {
	w := worldFromContext(ctx)
	p, err := w.expandPath(path)
	if err != nil {
		return err
	}
	body, err := w.expand(doc.Content, inJSON)
	if err != nil {
		return err
	}
	var compact bytes.Buffer
	if json.Compact(&compact, []byte(body)) == nil {
		body = compact.String()
	}
	w.because = ""
	_, err = w.send(ctx, scim.Request{Method: method, Path: p, Header: w.protocolHeader(method, p), Body: []byte(body)})
	return err
}

// clientSendsFiltered: When the client sends GET "/Users" filtered by userName eq "x": the
// spec test's filter request, without startIndex and count (okta-wire §8.2 steps 5, 9, 17).
func clientSendsFiltered(ctx context.Context, path, attr, value string) error {
	w := worldFromContext(ctx)
	v, err := w.expand(value, asIs)
	if err != nil {
		return err
	}
	query := strings.TrimSuffix(scim.FilterQuery(attr, v, false), "&startIndex=1&count=100")
	return clientSends(ctx, http.MethodGet, path+"?"+query)
}

// nextAuth: Given the client's next request carries the Authorization header "non-token".
func nextAuth(ctx context.Context, value string) error {
	worldFromContext(ctx).nextAuth = &authOverride{raw: value}
	return nil
}

// nextNoAuth: Given the client's next request carries no Authorization header.
func nextNoAuth(ctx context.Context) error {
	worldFromContext(ctx).nextAuth = &authOverride{omit: true}
	return nil
}

// remember: And the client remembers the JSON at "Resources.0.id" as "ISVUserid".
func remember(ctx context.Context, path, name string) error {
	w := worldFromContext(ctx)
	var v string
	err := onResponse(ctx, func(ex *scim.Exchange, because string) error {
		if err := expect.NotEmpty(ex, path, because); err != nil {
			return err
		}
		v = ex.JSON().Get(path).String()
		return nil
	})
	w.vars[name] = v
	return err
}

// rememberID: And the client remembers the JSON at "id" as the id of "runscope".
func rememberID(ctx context.Context, path, alias string) error {
	w := worldFromContext(ctx)
	var id string
	err := onResponse(ctx, func(ex *scim.Exchange, because string) error {
		if err := expect.NotEmpty(ex, path, because); err != nil {
			return err
		}
		id = ex.JSON().Get(path).String()
		return nil
	})
	if err != nil {
		return err
	}
	if g, ok := w.groups[alias]; ok {
		g.id = id
		return nil
	}
	u := w.user(alias)
	u.id, u.active = id, true
	if u.firstID == "" {
		u.firstID = id
	}
	return nil
}

// appAdvertises: Given the app advertises "etag" in its ServiceProviderConfig. A scenario about
// an optional feature runs only where discovery says the server has it (RFC 7643 §5:
// "<feature>.supported"); elsewhere it is skipped with the reason, and a skip never reads as a
// pass nor as a failure.
func appAdvertises(ctx context.Context, feature string) error {
	w := worldFromContext(ctx)
	ex, err := w.send(ctx, get("/ServiceProviderConfig"))
	if err != nil {
		return err
	}
	if ex.Response.StatusCode == http.StatusOK && ex.IsJSON() && ex.JSON().Get(feature+".supported").Type == gjson.True {
		return nil
	}
	return fmt.Errorf("%w: %s not advertised (GET /ServiceProviderConfig answered %s without %s.supported true)",
		godog.ErrSkip, feature, ex.ShownStatus(), feature)
}
