package steps

import (
	"encoding/json"
	"fmt"
	"maps"
)

// SCIM schema URNs Okta's bodies carry (RFC 7643, RFC 7644).
const (
	schemaUser    = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup   = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// The bodies below are the ones in fixtures/okta (bodies_test.go keeps the two equal). They are
// structs, not maps, so that fields go on the wire in Okta's order.

type nameBody struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

type emailBody struct {
	Primary bool   `json:"primary"`
	Value   string `json:"value"`
	Type    string `json:"type"`
}

// createUserBody is Okta's POST /Users (okta-wire §2.3, fixtures/okta/create-user.json).
type createUserBody struct {
	Schemas     []string    `json:"schemas"`
	UserName    string      `json:"userName"`
	Name        nameBody    `json:"name"`
	Emails      []emailBody `json:"emails"`
	DisplayName string      `json:"displayName"`
	Locale      string      `json:"locale"`
	ExternalID  string      `json:"externalId"`
	Groups      []any       `json:"groups"`
	Password    string      `json:"password"`
	Active      bool        `json:"active"`
}

// createUserJSON returns the POST /Users body Okta sends for u.
func createUserJSON(u *user) []byte {
	return mustJSON(createUserBody{
		Schemas:     []string{schemaUser},
		UserName:    u.userName,
		Name:        nameBody{GivenName: u.givenName, FamilyName: u.familyName},
		Emails:      []emailBody{{Primary: true, Value: u.email, Type: "work"}},
		DisplayName: u.displayName(),
		Locale:      "en-US",
		ExternalID:  u.oktaID,
		Groups:      []any{},
		Password:    u.password,
		Active:      true,
	})
}

// vendorUserJSON returns the body a vendor's own app would create u with: no Okta id, no
// password, userName as given.
func vendorUserJSON(u *user, userName string) []byte {
	return mustJSON(map[string]any{
		"schemas":     []string{schemaUser},
		"userName":    userName,
		"name":        nameBody{GivenName: u.givenName, FamilyName: u.familyName},
		"emails":      []emailBody{{Primary: true, Value: u.email, Type: "work"}},
		"displayName": u.displayName(),
		"active":      true,
	})
}

// patchOp is one PATCH operation (RFC 7644 §3.5.2). A nil Value is left out; an empty list is
// sent as [].
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

type patchBody struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

// patchJSON returns a PatchOp body holding ops.
func patchJSON(ops ...patchOp) []byte {
	return mustJSON(patchBody{Schemas: []string{schemaPatchOp}, Operations: ops})
}

// activeOp is Okta's path-less (de)activation: {"op":"replace","value":{"active":…}}
// (okta-wire §4, §5; fixtures/okta/activate-user.json, deactivate-user.json).
func activeOp(active bool) patchOp {
	return patchOp{Op: "replace", Value: map[string]bool{"active": active}}
}

// passwordOp is the password sync PATCH value (okta-wire §9.5, shape inferred).
func passwordOp(password string) patchOp {
	return patchOp{Op: "replace", Value: map[string]string{"password": password}}
}

// memberRef is a group member as Okta sends it: the app id, and the userName as display.
type memberRef struct {
	Value   string `json:"value"`
	Display string `json:"display"`
}

// memberRefs returns the member list for users, never nil (so it is sent as []).
func memberRefs(users []*user) []memberRef {
	out := make([]memberRef, 0, len(users))
	for _, u := range users {
		out = append(out, memberRef{Value: u.id, Display: u.userName})
	}
	return out
}

// groupBody is Okta's POST /Groups, and with ID set its AIW PUT /Groups/{id} (okta-wire §6.1,
// §6.5; fixtures/okta/create-group.json, replace-group.json).
type groupBody struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id,omitempty"`
	DisplayName string      `json:"displayName"`
	Members     []memberRef `json:"members"`
}

// groupJSON returns a group body with the given id ("" for a POST), name and members.
func groupJSON(id, name string, members []*user) []byte {
	return mustJSON(groupBody{Schemas: []string{schemaGroup}, ID: id, DisplayName: name, Members: memberRefs(members)})
}

// renameValue is the value of Okta's rename: the id rides along (okta-wire §6.4).
type renameValue struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// renameOp is Okta's path-less group rename, id inside the value
// (fixtures/okta/rename-group.json).
func renameOp(id, name string) patchOp {
	return patchOp{Op: "replace", Value: renameValue{ID: id, DisplayName: name}}
}

// membershipOps returns one remove operation per removed member, then one add operation for
// the added ones (okta-wire §6.5, fixtures/okta/update-group-membership.json).
func membershipOps(remove, add []*user) []patchOp {
	var ops []patchOp
	for _, u := range remove {
		ops = append(ops, patchOp{Op: "remove", Path: fmt.Sprintf("members[value eq %q]", u.id)})
	}
	if len(add) > 0 {
		ops = append(ops, patchOp{Op: "add", Path: "members", Value: memberRefs(add)})
	}
	return ops
}

// pushNowOp replaces the whole member list ("Push Now", fixtures/okta/push-group-now.json).
func pushNowOp(members []*user) patchOp {
	return patchOp{Op: "replace", Path: "members", Value: memberRefs(members)}
}

// mustJSON marshals v, which is always one of the body types above.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("scimcheck harness bug: cannot encode a request body: %v", err))
	}
	return b
}

// oktaPUT returns the body of Okta's read-modify-write PUT /Users/{id} (okta-wire §3.1,
// fixtures/okta/update-user.json): got, the object the server returned, with Okta's profile of
// u written over it. What the server returned stays, read-only attributes included (id, meta,
// groups); Okta adds emails[].display, its externalId and the password, and sets active.
func oktaPUT(got map[string]any, u *user, active bool) map[string]any {
	b := maps.Clone(got)
	if b == nil {
		b = map[string]any{}
	}
	if _, ok := b["schemas"]; !ok {
		b["schemas"] = []any{schemaUser}
	}
	if _, ok := b["id"]; !ok && u.id != "" {
		b["id"] = u.id
	}
	b["userName"] = u.userName
	name, _ := b["name"].(map[string]any)
	name = maps.Clone(name)
	if name == nil {
		name = map[string]any{}
	}
	name["givenName"], name["familyName"] = u.givenName, u.familyName
	setOrClear(name, "middleName", u.middleName, u.cleared["middle name"])
	b["name"] = name
	b["emails"] = oktaEmails(b["emails"], u.email)
	b["displayName"] = u.displayName()
	setOrClear(b, "title", u.title, u.cleared["title"])
	if u.phone != "" {
		b["phoneNumbers"] = []any{map[string]any{"value": u.phone, "type": "work"}}
	}
	b["externalId"] = u.oktaID
	b["password"] = u.password
	if _, ok := b["groups"]; !ok {
		b["groups"] = []any{}
	}
	b["active"] = active
	return b
}

// setOrClear sets m[key] to v, or clears it the way Okta pushes an emptied attribute: "empties"
// sends "", "removes" leaves it out. An unset value the server holds is left as it is.
func setOrClear(m map[string]any, key, v, how string) {
	switch {
	case v != "":
		m[key] = v
	case how == "empties":
		m[key] = ""
	case how == "removes":
		delete(m, key)
	}
}

// oktaEmails returns the server's emails with the primary (or first) one set to Okta's value,
// display included as Okta echoes it.
func oktaEmails(got any, email string) []any {
	list, _ := got.([]any)
	out := make([]any, 0, len(list)+1)
	at := -1
	for _, el := range list {
		m, ok := el.(map[string]any)
		if !ok {
			continue
		}
		m = maps.Clone(m)
		if at < 0 && m["primary"] == true {
			at = len(out)
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		out = append(out, map[string]any{})
	}
	at = max(at, 0)
	primary := out[at].(map[string]any)
	primary["primary"], primary["value"], primary["type"], primary["display"] = true, email, "work", email
	return out
}
