// Package scim is scimcheck's SCIM 2.0 client: it sends the requests Okta's provisioning engine
// sends (headers, authentication, filter encoding, 429 retries, the 60-second limit) and
// returns whole exchanges for the harness to check and to show.
//
// Three outcomes are kept apart:
//
//   - any HTTP status, 3xx, 4xx and 5xx included, is data in the Exchange;
//   - a target that gives no usable response is a *TransportError with a Kind;
//   - a malformed Request or an ended context is a plain error (the harness, not the target).
//
// Secrets never appear in anything the package renders: Exchange.Curl, Exchange.Transcript,
// Exchange.RequestLine, error strings. Each goes through the client's Redactor, which also
// catches a secret a hostile server echoes back in its headers or body.
//
// The package does not import godog; step definitions call it.
package scim
