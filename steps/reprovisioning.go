package steps

import "context"

// Reprovisioning (features/okta/reprovisioning.feature, okta-wire §2.4, §2.5): users that existed before provisioning, changed userNames, retried tasks. Most of its steps are Push users'; these are its own.

// The requirements of these checks: the "because" line of their failure messages.
const (
	becauseLookupMatch = `the look-up must return exactly the user with that userName, or nothing: ` +
		`Okta links the first resource it gets back (okta-wire §2.2, §2.4)`
)

// oktaLooksUpOld: the look-up of the userName the user had before its last change.
func oktaLooksUpOld(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	u := w.user(alias)
	w.because = `a userName change frees the old userName: Okta's look-up by the new one finds the same id, by the old one nobody (okta-wire §3.2)`
	if u.oldUserName == "" {
		return HarnessErrorf("scimcheck harness error in the feature: %q never changed its userName", alias)
	}
	_, err := w.send(ctx, lookupRequest(u.oldUserName, false))
	return err
}
