package steps

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// user is an Okta user an alias ("ada") stands for: Okta's profile of it, and the app id the
// server gave it once provisioned.
type user struct {
	alias       string
	userName    string
	oldUserName string // before the last userName change
	givenName   string
	middleName  string
	familyName  string
	email       string
	title       string
	phone       string // work phone number
	oktaID      string // 00u…, sent as externalId
	password    string
	active      bool              // Okta's view: provisioned and not deactivated
	cleared     map[string]string // attribute → "empties" or "removes", for the next PUT
	id          string            // app id, "" until provisioned or linked
	firstID     string            // the first app id it had, for "kept its id"
	appUserName string            // the userName the app holds, when it differs from Okta's
}

// appName returns the userName the app holds for u: the one Okta pushed last, unless the
// vendor's app created it with another (e.g. upper-cased).
func (u *user) appName() string {
	if u.appUserName != "" {
		return u.appUserName
	}
	return u.userName
}

// displayName returns "Given Family".
func (u *user) displayName() string { return u.givenName + " " + u.familyName }

// group is an Okta group an alias ("engineering") stands for.
type group struct {
	alias       string
	displayName string
	id          string  // app id, "" until pushed or linked
	members     []*user // Okta's view of the membership it pushed
}

// knownName gives the usual aliases a recognisable given and family name.
func knownName(alias string) (given, family string, ok bool) {
	switch strings.ToLower(alias) {
	case "ada":
		return "Ada", "Lovelace", true
	case "grace":
		return "Grace", "Hopper", true
	case "alan":
		return "Alan", "Turing", true
	case "jane":
		return "Jane", "Doe", true
	case "nobody":
		return "No", "Body", true
	case "isv":
		return "Isabel", "Vendor", true
	}
	return "", "", false
}

const (
	lower    = "abcdefghijklmnopqrstuvwxyz"
	upper    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits   = "0123456789"
	base62   = digits + upper + lower
	pwSymbol = "^&!%#*"
)

// random returns n characters drawn from alphabet with the scenario's random source.
func (w *world) random(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[w.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// uuid returns a random version-4 UUID from the scenario's random source.
func (w *world) uuid() string {
	h := w.random("0123456789abcdef", 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// title returns s with its first letter upper-cased.
func title(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// slug returns the letters and digits of s, lower-cased.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// newUser returns Okta's user alias with these names and addr as userName and email, and an
// Okta id and a password drawn from the scenario's random source.
func (w *world) newUser(alias, given, family, addr string) *user {
	return &user{
		alias:      alias,
		userName:   addr,
		givenName:  given,
		familyName: family,
		email:      addr,
		oktaID:     "00u" + w.random(base62, 17),
		password:   w.random(lower+upper+digits+pwSymbol, 8),
		cleared:    map[string]string{},
	}
}

// newAddress returns a fresh namespaced address for alias: ada.<runid>.<random>@example.com.
func (w *world) newAddress(alias string) string {
	return slug(alias) + "." + w.runID() + "." + w.random(lower+digits, 6) + "@example.com"
}

// user returns the Okta user alias stands for, generating its profile on first use.
func (w *world) user(alias string) *user {
	if u, ok := w.users[alias]; ok {
		return u
	}
	given, family, ok := knownName(alias)
	if !ok {
		given, family = title(alias), "Tester"
	}
	u := w.newUser(alias, given, family, w.newAddress(alias))
	w.users[alias] = u
	return u
}

// group returns the Okta group alias stands for, generating its name on first use: names
// carry spaces so that look-ups exercise %20 (okta-wire §6.2).
func (w *world) group(alias string) *group {
	if g, ok := w.groups[alias]; ok {
		return g
	}
	g := &group{alias: alias, displayName: w.runID() + " " + title(alias) + " " + w.random(digits, 4)}
	w.groups[alias] = g
	return g
}

// aliases splits "ada, grace" into its aliases.
func aliases(list string) []string {
	var out []string
	for _, a := range strings.Split(list, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// placeholder matches {alias}, {alias.field}, {var} and {unknown-id}.
var placeholder = regexp.MustCompile(`\{([A-Za-z][A-Za-z0-9_-]*)(?:\.([A-Za-z]+))?\}`)

// lookup returns the value a placeholder stands for.
func (w *world) lookup(name, field string) (string, error) {
	if field == "" {
		if v, ok := w.vars[name]; ok {
			return v, nil
		}
		if name == "unknown-id" {
			return w.unknownID, nil
		}
	}
	if u, ok := w.users[name]; ok {
		return u.field(field)
	}
	if g, ok := w.groups[name]; ok {
		switch field {
		case "":
			if g.id == "" {
				return "", fmt.Errorf("group %q has no app id yet: push, link or create it first", name)
			}
			return g.id, nil
		case "displayName":
			return g.displayName, nil
		}
		return "", fmt.Errorf("unknown group field {%s.%s}: use {%s} or {%s.displayName}", name, field, name, name)
	}
	return "", fmt.Errorf("unknown placeholder {%s}: no user, group or remembered value of that name in this scenario", strings.TrimSuffix(name+"."+field, "."))
}

// field returns one of u's values for a placeholder: "" is the app id.
func (u *user) field(f string) (string, error) {
	switch f {
	case "":
		if u.id == "" {
			return "", fmt.Errorf("user %q has no app id yet: provision or create it first", u.alias)
		}
		return u.id, nil
	case "userName":
		return u.userName, nil
	case "userNameUpper":
		return strings.ToUpper(u.userName), nil
	case "oldUserName":
		return u.oldUserName, nil
	case "givenName":
		return u.givenName, nil
	case "familyName":
		return u.familyName, nil
	case "middleName":
		return u.middleName, nil
	case "displayName":
		return u.displayName(), nil
	case "email":
		return u.email, nil
	case "externalId":
		return u.oktaID, nil
	}
	return "", fmt.Errorf("unknown user field {%s.%s}: want userName, userNameUpper, oldUserName, givenName, familyName, middleName, displayName, email or externalId", u.alias, f)
}

// expand replaces the placeholders in s, each value passed through enc.
func (w *world) expand(s string, enc func(string) string) (string, error) {
	var firstErr error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		v, err := w.lookup(sub[1], sub[2])
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return m
		}
		return enc(v)
	})
	if firstErr != nil {
		return "", HarnessErrorf("scimcheck harness error in the feature text %q: %w", s, firstErr)
	}
	return out, nil
}

// asIs leaves a value as it is.
func asIs(s string) string { return s }

// inJSON escapes a value for use inside a JSON string.
func inJSON(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b[1 : len(b)-1])
}

// expandPath expands a request path: placeholder values are path-escaped before the "?" and
// query-escaped (spaces as %20) after it.
func (w *world) expandPath(p string) (string, error) {
	path, query, hasQuery := strings.Cut(p, "?")
	path, err := w.expand(path, url.PathEscape)
	if err != nil || !hasQuery {
		return path, err
	}
	query, err = w.expand(query, func(v string) string {
		return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
	})
	return path + "?" + query, err
}
