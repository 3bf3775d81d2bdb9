// Package expect checks SCIM exchanges and explains what is wrong: each assertion returns nil,
// a *Failure (the target broke a rule) or a plain error (the harness misused the assertion,
// e.g. a nil exchange or an unsupported want type). The two are never confused: test with
// errors.As(err, new(*Failure)).
//
// A Failure's text is the product (scimcheck's STYLE.md, "Failure messages"): it starts with
// the request line, names the JSON path checked, says "expected X, got Y" with JSON types, tells
// "missing" from "wrong" and "not JSON", and ends with the requirement the caller passed as
// because. Paths are gjson paths ("Resources.0.id", "emails.#(primary==true).value").
//
// Everything a Failure holds is redacted with the exchange's secrets. The package does not
// import godog; step definitions call it.
package expect
