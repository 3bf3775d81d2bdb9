package reference

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Quirk names a deliberate defect the reference server can be switched into, each one a bug
// that real SCIM servers ship. They exist to prove that every scimcheck scenario can fail.
type Quirk string

// The quirk catalogue. Each constant's QuirkInfo says what it breaks and which real-world report
// it mirrors.
const (
	QuirkUserNameCaseSensitive   Quirk = "username-case-sensitive"
	QuirkFilterIgnored           Quirk = "filter-ignored"
	QuirkFilter404               Quirk = "filter-not-found-404"
	QuirkCountsAsStrings         Quirk = "counts-as-strings"
	QuirkItemsPerPageEchoesCount Quirk = "items-per-page-echoes-count"
	QuirkPageCap50               Quirk = "page-cap-50"
	QuirkNo409OnDuplicate        Quirk = "no-409-on-duplicate"
	QuirkCreate200               Quirk = "create-returns-200"
	QuirkCreateEmptyBody         Quirk = "create-empty-body"
	QuirkInactiveUser404         Quirk = "deactivated-user-404"
	QuirkInactiveHiddenInFilter  Quirk = "deactivated-user-hidden-from-filter"
	QuirkPathlessPatchRejected   Quirk = "pathless-patch-rejected"
	QuirkOpCaseSensitive         Quirk = "op-case-sensitive"
	QuirkPatchActiveIgnored      Quirk = "patch-active-ignored"
	QuirkPutRejectsReadOnly      Quirk = "put-rejects-read-only"
	QuirkMemberAddDuplicates     Quirk = "member-add-not-idempotent"
	QuirkRemoveNonMemberError    Quirk = "remove-non-member-error"
	QuirkRenameRejectsID         Quirk = "rename-rejects-id"
	QuirkMembersReplaceIgnored   Quirk = "members-replace-ignored"
	QuirkNonJSONErrors           Quirk = "non-json-errors"
	QuirkJSONContentTypeOnly     Quirk = "json-content-type-only"
	Quirk401WithoutBody          Quirk = "unauthorized-without-body"
	QuirkNo401                   Quirk = "no-auth-check"
	QuirkStartIndexIgnored       Quirk = "start-index-ignored"
	QuirkUnstableOrder           Quirk = "unstable-order"
	QuirkUserNameChangeRejected  Quirk = "username-change-rejected"
	QuirkPutDropsNewAttributes   Quirk = "put-drops-new-attributes"
	QuirkPatch204                Quirk = "patch-returns-204"
	QuirkFilterOnEmail           Quirk = "filter-matches-email"
	QuirkPasswordReturned        Quirk = "password-returned"
	QuirkActiveAsString          Quirk = "active-as-string"
	QuirkGroupDelete200          Quirk = "group-delete-returns-200"
	QuirkRemoveAllMembers        Quirk = "remove-drops-all-members"
	QuirkRenameIgnored           Quirk = "group-rename-ignored"
	QuirkVersionUnchanged        Quirk = "etag-never-changes"
	QuirkStatus500               Quirk = "internal-error"
	QuirkPlusNotDecoded          Quirk = "plus-not-decoded"
	QuirkEmptyValueRejected      Quirk = "empty-value-rejected"
	QuirkPutMergesOmitted        Quirk = "put-merges-omitted"
	QuirkUnknownID500            Quirk = "unknown-id-500"
	QuirkCountIgnored            Quirk = "count-ignored"
	QuirkPagingParamsRequired    Quirk = "paging-params-required"
	QuirkJSONContentTypeRejected Quirk = "json-content-type-rejected"
	QuirkPutIgnoresActive        Quirk = "put-ignores-active"
	QuirkPutNotSaved             Quirk = "put-not-saved"
	QuirkGroupPutKeepsMembers    Quirk = "group-put-keeps-members"
	QuirkMemberPatchCap50        Quirk = "member-patch-cap-50"
	QuirkUnchangedNameConflict   Quirk = "unchanged-name-conflict"
	QuirkGroupDeleteDeactivates  Quirk = "group-delete-deactivates-members"

	// Deviations Okta's runtime accepts: each leaves every okta-grade scenario passing, and is
	// at most a finding of its own review or rfc check.
	QuirkNoLocation         Quirk = "no-location-header"
	QuirkRelativeLocation   Quirk = "relative-meta-location"
	QuirkErrorStatusNumber  Quirk = "error-status-as-number"
	QuirkJSONResponses      Quirk = "responses-labelled-json"
	QuirkNoWWWAuthenticate  Quirk = "no-www-authenticate"
	QuirkNoDiscovery        Quirk = "no-discovery-endpoints"
	QuirkETagUnsupported    Quirk = "etag-unsupported"
	QuirkGzip               Quirk = "gzip-responses"
	QuirkVendorExtension    Quirk = "vendor-extension"
	QuirkEmptyArrays        Quirk = "empty-arrays-for-unset"
	QuirkNumericIDs         Quirk = "numeric-ids"
	QuirkMembersValueOnly   Quirk = "members-value-only"
	QuirkOrderByID          Quirk = "order-by-id"
	QuirkPrettyJSON         Quirk = "pretty-printed-json"
	QuirkTwoPrimaries       Quirk = "multiple-primary-stored"
	QuirkDuplicateValues    Quirk = "duplicate-values-stored"
	QuirkNoopChangesVersion Quirk = "noop-patch-changes-version"
)

// QuirkInfo describes one quirk for `scimcheck quirks` and the mutation matrix.
type QuirkInfo struct {
	Name   Quirk
	Breaks string // what the server gets wrong, in the vendor's terms
	Report string // the real-world report it mirrors (okta-wire.md section or source)
	// Grade is how much the defect matters, declared from okta-wire.md's evidence before any
	// run: "okta" (Okta's runtime breaks), "review" (Okta's OIN review rejects it) or "rfc"
	// (only the RFC requires it). The mutation matrix fails when a review or rfc quirk fails a
	// scenario at okta grade: a check stricter than Okta. "none" is a deviation that
	// conforms to the RFC too (gzip, numeric ids, an extension schema): no scenario may fail.
	Grade string
	// Fails lists the capabilities (feature tags, e.g. "push-users") whose scenarios the quirk
	// may fail, declared from its evidence, not from a run: the mutation matrix fails when it
	// fails a scenario of any other capability. "*" allows every capability. Empty for grade
	// "none".
	Fails []string
}

// quirkGrades declares the quirks below okta grade, each from its evidence in okta-wire.md;
// every other quirk is at okta grade.
func quirkGrades() map[Quirk]string {
	return map[Quirk]string{
		QuirkItemsPerPageEchoesCount: "review", // §7, §9.4 [C3]: Okta QA rejected it; Okta pages by startIndex and totalResults
		QuirkCreate200:               "review", // §2.3 [C]: Okta takes 200 or 201; §8.2 step 11: the SPEC test wants 201
		QuirkPatch204:                "review", // §4 [C]: Okta takes 204; §8.3: the 2023 SPEC test reads the PATCH body
		QuirkJSONContentTypeRejected: "review", // §8.1 [C]: only the SPEC test labels bodies application/json
		QuirkPagingParamsRequired:    "review", // §8.2 [C]: only the SPEC test omits startIndex and count
		Quirk401WithoutBody:          "review", // §8.2 step 21 [C]: the SPEC test checks the 401 body
		QuirkNo401:                   "review", // §8.2 step 21 [C]: the SPEC test sends a wrong token; Okta sends the right one
		QuirkOpCaseSensitive:         "rfc",    // RFC 7644 §3.5.2: Okta sends "replace" in lower case
		QuirkVersionUnchanged:        "rfc",    // RFC 7644 §3.14: Okta sends no If-Match
		QuirkPasswordReturned:        "rfc",    // RFC 7643 §4.1.1: Okta never reads the password back
		QuirkFilter404:               "review", // §2.2 [C]: Okta accepts 404 for "not found"; §8.2 step 5: the SPEC test fails on it
		QuirkGroupDelete200:          "review", // §6.6 [C] documents 204; [I] Okta takes any 2xx as PATCH does (§6.4, §6.5); the 2023 SPEC test wants 204
		QuirkNoLocation:              "rfc",    // RFC 7644 §3.3: 201 carries Location; Okta stores the id from the body (§2.3)
		QuirkRelativeLocation:        "rfc",    // RFC 7643 §3.1: meta.location is the resource's URI; Okta never reads it
		QuirkErrorStatusNumber:       "rfc",    // RFC 7644 §3.12: status is a string; §9.2 [C]: Okta's own examples use a number
		QuirkJSONResponses:           "rfc",    // RFC 7644 §3.1: application/scim+json; §1.2 [C]: Okta parses any JSON label
		QuirkNoWWWAuthenticate:       "rfc",    // RFC 7235 §3.1: a 401 carries WWW-Authenticate; Okta reads the status and body (§1.4)
		QuirkNoDiscovery:             "rfc",    // RFC 7644 §4: discovery endpoints; §10 [C]: Okta does not call them
		QuirkETagUnsupported:         "none",   // RFC 7644 §3.14: ETags are optional, and the server says so; Okta sends no If-Match
		QuirkGzip:                    "none",   // §1.1 [C]: Okta sends Accept-Encoding: gzip,deflate
		QuirkVendorExtension:         "none",   // RFC 7643 §3.3: extension schemas; Okta keeps what it does not map (§3.1)
		QuirkEmptyArrays:             "none",   // RFC 7643 §2.5: an empty array is the same as unassigned
		QuirkNumericIDs:              "none",   // RFC 7643 §3.1: id is any string the server chooses; Okta stores it
		QuirkMembersValueOnly:        "review", // RFC 7643 §4.2: display is optional and Okta's runtime matches on value (§6.5); the 2023 SPEC test reads members[].display (§8.3)
		QuirkOrderByID:               "none",   // §7 [C]: Okta needs a stable order, not creation order
		QuirkPrettyJSON:              "none",   // RFC 8259: white space between tokens is JSON
		QuirkTwoPrimaries:            "rfc",    // RFC 7643 §2.4: primary true at most once; Okta sends one primary email
		QuirkDuplicateValues:         "rfc",    // RFC 7643 §2.4: duplicate (type, value) pairs SHOULD NOT be returned; Okta sends none
		QuirkNoopChangesVersion:      "rfc",    // RFC 7644 §3.5.2.1: an add that changes nothing is no modification; Okta sends no If-Match
	}
}

// quirkScopes declares, for every quirk, the capabilities whose scenarios it may fail (see
// QuirkInfo.Fails), from what it breaks and the evidence behind it. A flow that every scenario
// of a capability runs first (assignment, group push) spreads a defect in it to all of them.
func quirkScopes() map[Quirk][]string {
	users := []string{"push-users", "update-users", "deactivate-users", "reactivate-users", "reprovisioning"}
	with := func(base []string, more ...string) []string { return append(slices.Clone(base), more...) }
	assigned := with(users, "push-groups", "spec-test") // whatever provisions a user first
	return map[Quirk][]string{
		QuirkUserNameCaseSensitive:   with(users, "spec-test"),
		QuirkFilterIgnored:           with(users, "errors", "push-groups", "spec-test"),
		QuirkFilter404:               {"errors", "spec-test"},
		QuirkCountsAsStrings:         {"*"},
		QuirkItemsPerPageEchoesCount: {"connection", "import", "spec-test"},
		QuirkPageCap50:               {"import"},
		QuirkNo409OnDuplicate:        with(users, "errors", "spec-test"),
		QuirkCreate200:               {"push-users", "push-groups", "spec-test"},
		QuirkCreateEmptyBody:         {"*"},
		QuirkInactiveUser404:         {"deactivate-users", "reactivate-users", "reprovisioning", "spec-test"},
		QuirkInactiveHiddenInFilter:  {"reactivate-users", "reprovisioning"},
		QuirkPathlessPatchRejected:   assigned,
		QuirkOpCaseSensitive:         {"deactivate-users", "reactivate-users"},
		QuirkPatchActiveIgnored:      {"deactivate-users", "reactivate-users", "reprovisioning", "spec-test"},
		QuirkPutRejectsReadOnly:      assigned,
		QuirkMemberAddDuplicates:     {"push-groups"},
		QuirkRemoveNonMemberError:    {"push-groups"},
		QuirkRenameRejectsID:         {"push-groups"},
		QuirkMembersReplaceIgnored:   {"push-groups"},
		QuirkNonJSONErrors:           {"*"},
		QuirkJSONContentTypeOnly:     {"*"},
		Quirk401WithoutBody:          {"connection", "spec-test"},
		QuirkNo401:                   {"connection", "spec-test", "protocol"},
		QuirkStartIndexIgnored:       {"import"},
		QuirkUnstableOrder:           {"import"},
		QuirkUserNameChangeRejected:  {"update-users", "reprovisioning"},
		QuirkPutDropsNewAttributes:   {"update-users", "spec-test"},
		QuirkPatch204:                {"spec-test"},
		QuirkFilterOnEmail:           with(users, "spec-test"),
		QuirkPasswordReturned:        {"push-users", "update-users"},
		QuirkActiveAsString:          assigned,
		QuirkGroupDelete200:          {"spec-test", "push-groups"},
		QuirkRemoveAllMembers:        {"push-groups"},
		QuirkRenameIgnored:           {"push-groups", "spec-test"},
		QuirkVersionUnchanged:        {"update-users"},
		QuirkStatus500:               {"*"},
		QuirkPlusNotDecoded:          {"push-users"},
		QuirkEmptyValueRejected:      {"update-users", "spec-test"},
		QuirkPutMergesOmitted:        {"update-users", "push-groups", "spec-test"},
		QuirkUnknownID500:            {"errors", "push-groups", "spec-test"},
		QuirkCountIgnored:            {"connection", "import"},
		QuirkPagingParamsRequired:    {"spec-test"},
		QuirkJSONContentTypeRejected: {"push-users", "spec-test"},
		QuirkPutIgnoresActive:        {"deactivate-users", "reactivate-users", "reprovisioning"},
		QuirkPutNotSaved:             {"update-users", "deactivate-users", "reactivate-users", "reprovisioning", "spec-test"},
		QuirkGroupPutKeepsMembers:    {"push-groups", "spec-test"},
		QuirkMemberPatchCap50:        {"push-groups"},
		QuirkUnchangedNameConflict:   {"push-groups"},
		QuirkGroupDeleteDeactivates:  {"push-groups"},
		QuirkNoLocation:              {"push-users"},
		QuirkRelativeLocation:        {"push-users"},
		QuirkErrorStatusNumber:       {"errors"},
		QuirkJSONResponses:           {"protocol"},
		QuirkNoWWWAuthenticate:       {"protocol"},
		QuirkNoDiscovery:             {"protocol"},
		QuirkTwoPrimaries:            {"push-users"},
		QuirkDuplicateValues:         {"push-users"},
		QuirkNoopChangesVersion:      {"push-groups"},
		QuirkMembersValueOnly:        {"spec-test"},
	}
}

// QuirkCatalogue lists every quirk with what it breaks and where it was seen, sorted by name.
func QuirkCatalogue() []QuirkInfo {
	list := []QuirkInfo{
		{QuirkUserNameCaseSensitive, "userName eq lookups and uniqueness are case-sensitive", "okta-wire §2.2, §8.2 step 17; Okta support 'Existing SCIM user being created at assignment'", "", nil},
		{QuirkFilterIgnored, "the filter query parameter is ignored and every user is returned", "okta-wire §2.2; Okta then links the wrong user", "", nil},
		{QuirkFilter404, "a filter with no match answers 404 instead of an empty ListResponse", "okta-wire §8.2 step 5 (Okta's spec test fails on 404)", "", nil},
		{QuirkCountsAsStrings, "totalResults, startIndex and itemsPerPage are JSON strings", "okta-wire §2.2, §9.4 (Okta community: startIndex \"1\" made sync fail silently)", "", nil},
		{QuirkItemsPerPageEchoesCount, "itemsPerPage echoes the requested count instead of the number returned", "okta-wire §7 (ory/polis#4054, rejected by Okta QA)", "", nil},
		{QuirkPageCap50, "list pages are capped at 50 resources even when count=100 is asked", "okta-wire §7 (Okta steps startIndex by 100 and skips the rest)", "", nil},
		{QuirkNo409OnDuplicate, "a POST with an existing userName creates a second user instead of 409", "okta-wire §2.5, §8.2 step 15", "", nil},
		{QuirkCreate200, "POST /Users and /Groups answer 200 instead of 201", "okta-wire §2.3, §8.2 step 11", "", nil},
		{QuirkCreateEmptyBody, "POST answers 201 with an empty body", "okta-wire §2.3 (Okta: 'Create new user returned empty user')", "", nil},
		{QuirkInactiveUser404, "GET /Users/{id} answers 404 for a deactivated user", "okta-wire §4, §9.4 (Okta CRUD test fails)", "", nil},
		{QuirkInactiveHiddenInFilter, "filter look-ups leave out deactivated users", "okta-wire §5, §11 item 18 (devforum 27262: re-assignment POSTs a duplicate and gets 409)", "", nil},
		{QuirkPathlessPatchRejected, "a PATCH operation without a path is rejected", "okta-wire §4, §9.3 (keycloak-scim-server#95: 'Unsupported attribute: null')", "", nil},
		{QuirkOpCaseSensitive, "PATCH op names are matched case-sensitively (\"Replace\" is rejected)", "RFC 7644 §3.5.2 (op values are case-insensitive; Entra sends \"Replace\")", "", nil},
		{QuirkPatchActiveIgnored, "PATCH replace of active is accepted but not applied", "okta-wire §4 (deactivation silently does nothing)", "", nil},
		{QuirkPutRejectsReadOnly, "PUT rejects the echoed id, meta and groups with 400", "okta-wire §3.1 (Okta's read-modify-write PUT echoes read-only fields)", "", nil},
		{QuirkMemberAddDuplicates, "adding an existing member adds it a second time", "okta-wire §6.1 (Okta POSTs a group with members, then PATCH-adds the same members)", "", nil},
		{QuirkRemoveNonMemberError, "removing a user who is not a member answers 400", "okta-wire §11 item 29", "", nil},
		{QuirkRenameRejectsID, "a group rename whose value carries id is rejected with 400 mutability", "okta-wire §6.4 (Okta sends id inside the rename value)", "", nil},
		{QuirkMembersReplaceIgnored, "PATCH replace of members (Push Now) leaves membership unchanged", "okta-wire §6.5, Okta QA C9316", "", nil},
		{QuirkNonJSONErrors, "error responses carry a text/plain body", "okta-wire §1.2 (keycloak-scim-server#114: Okta reports 'Unrecognized token')", "", nil},
		{QuirkJSONContentTypeOnly, "request bodies labelled application/scim+json are rejected with 415", "okta-wire §1.1 (Okta sends application/scim+json; charset=utf-8)", "", nil},
		{Quirk401WithoutBody, "401 answers carry no SCIM error body", "okta-wire §1.4, §8.2 step 21", "", nil},
		{QuirkNo401, "requests without valid credentials are served", "okta-wire §1.4, §8.2 step 21", "", nil},
		{QuirkStartIndexIgnored, "startIndex is ignored: every page is the first page", "okta-wire §7 (import sees the first 100 users again and again)", "", nil},
		{QuirkUnstableOrder, "list order changes between requests", "okta-wire §7 ('ordering must be stable across pages')", "", nil},
		{QuirkUserNameChangeRejected, "PUT with a new userName for the same id is rejected", "okta-wire §3.2 (Okta pushes username changes as profile updates)", "", nil},
		{QuirkPutDropsNewAttributes, "PUT ignores attributes the user did not have before (e.g. phoneNumbers)", "okta-wire §8.3 'Update User' (phoneNumbers must be echoed)", "", nil},
		{QuirkPatch204, "PATCH answers 204 without a body", "okta-wire §4, §8.3 (Okta's 2023 spec test requires 200 with the resource)", "", nil},
		{QuirkFilterOnEmail, "userName eq filters match the primary email instead of userName", "okta-wire §9.4 (sourcegraph#49016: not found, POST, 409)", "", nil},
		{QuirkPasswordReturned, "responses include the user's password", "RFC 7643 §4.1.1 (password is returned 'never')", "", nil},
		{QuirkActiveAsString, "active is returned as the string \"true\" or \"false\"", "RFC 7643 §4.1.1 (active is a boolean); okta-wire §2.3", "", nil},
		{QuirkGroupDelete200, "DELETE /Groups/{id} answers 200 with a body instead of 204", "okta-wire §6.6, §8.3 'Delete Group' (expects 204)", "", nil},
		{QuirkRemoveAllMembers, "removing one member by filter empties the whole group", "okta-wire §6.5 (remove path members[value eq \"…\"])", "", nil},
		{QuirkRenameIgnored, "a group rename (PATCH, or an AIW app's PUT) is accepted but displayName stays the same", "okta-wire §6.4, §6.5", "", nil},
		{QuirkVersionUnchanged, "meta.version and the ETag stay the same after a write", "RFC 7644 §3.14 (versions change on every modification)", "", nil},
		{QuirkStatus500, "every authenticated request answers 500", "okta-wire §9.1 (a server that is down)", "", nil},
		{QuirkPlusNotDecoded, "a \"+\" in the query string is not decoded as a space, so Okta's older filter=userName+eq+\"…\" look-ups fail with 400", "okta-wire §2.2 (Okta's 2018 capture GET /v2/Users?filter=userName+eq+%22jane.doe%40example.com%22)", "", nil},
		{QuirkEmptyValueRejected, "PUT or PATCH with an attribute emptied to \"\" answers 400 instead of clearing it", "okta-wire §8.6 QA C9337 'push empty values: no errors encountered because of empty values', §11 item 14", "", nil},
		{QuirkPutMergesOmitted, "PUT keeps the attributes it was not sent (a merge, not a replace), so Okta's \"push empty values\" never clears anything", "okta-wire §3.1, §8.6 QA C9337; RFC 7644 §3.5.1 (PUT replaces the whole resource)", "", nil},
		{QuirkUnknownID500, "an id the server does not know answers 500 instead of 404", "okta-wire §8.2 steps 7 and 23 (ids such as 010101001010101011001010101011 that are not even UUIDs), §11 items 5 and 27", "", nil},
		{QuirkCountIgnored, "count is ignored: a list answer holds every resource, e.g. all users for the connection test's count=2", "okta-wire §2.1 (Test API Credentials sends count=2), §7 (import pages with count=100)", "", nil},
		{QuirkPagingParamsRequired, "a list request without startIndex or count answers 400, though both are optional", "okta-wire §8.2 steps 5, 9, 17 and 19 (the spec test sends GET /Groups and filters without them); RFC 7644 §3.4.2.4", "", nil},
		{QuirkJSONContentTypeRejected, "request bodies labelled application/json are rejected with 415", "okta-wire §1.1, §8.1 (Okta's spec test POSTs with Content-Type: application/json)", "", nil},
		{QuirkPutIgnoresActive, "PUT /Users/{id} ignores active, so AIW apps can neither deactivate nor reactivate", "okta-wire §0, §4, §5 (AIW apps deactivate with a PUT of the whole user; devforum 27262)", "", nil},
		{QuirkPutNotSaved, "PUT /Users/{id} answers 200 with the change but does not save it: the next GET shows the old user", "okta-wire §3.1, §8.5 (Okta's CRUD test reads the user back after each change)", "", nil},
		{QuirkGroupPutKeepsMembers, "PUT /Groups/{id} renames the group but keeps its old members", "okta-wire §6.5, §8.3 'Remove Group Members w/ PUT' (AIW apps push membership only with PUT)", "", nil},
		{QuirkMemberPatchCap50, "a group PATCH with more than 50 member changes answers 400 tooMany, below Okta's batch of 100", "okta-wire §6.5 (OIN batch size 100–1000, default 100; ory/polis#4080 saw 256)", "", nil},
		{QuirkUnchangedNameConflict, "a rename PATCH to the group's current name answers 409, and Okta sends one with every membership push", "okta-wire §6.4 ('the group name update operation is triggered each time there's a group membership update')", "", nil},
		{QuirkGroupDeleteDeactivates, "DELETE /Groups/{id} also deactivates the group's members", "okta-wire §6.6 (deleting a pushed group leaves its users alone; Okta QA C9318)", "", nil},
		{QuirkNoLocation, "201 Created answers carry no Location header", "RFC 7644 §3.3; okta-wire §2.3 (Okta takes the id from the body)", "", nil},
		{QuirkRelativeLocation, "meta.location is a relative path (/scim/v2/Users/…), not an absolute URI", "RFC 7643 §3.1; common in servers behind proxies", "", nil},
		{QuirkErrorStatusNumber, "error bodies carry status as a JSON number (404), not a string", "RFC 7644 §3.12; okta-wire §9.2 (Okta's own doc examples do the same)", "", nil},
		{QuirkJSONResponses, "answers are labelled Content-Type application/json, not application/scim+json", "RFC 7644 §3.1, §8.1; okta-wire §1.2 (Okta parses the body whatever the label)", "", nil},
		{QuirkNoWWWAuthenticate, "401 answers carry no WWW-Authenticate header", "RFC 7235 §3.1, RFC 6750 §3; okta-wire §1.4 (Okta reads status and detail)", "", nil},
		{QuirkNoDiscovery, "/ServiceProviderConfig, /ResourceTypes and /Schemas answer 404", "RFC 7644 §4; okta-wire §10 (Okta does not call them)", "", nil},
		{QuirkETagUnsupported, "no ETags: no ETag header, no meta.version, and /ServiceProviderConfig says etag.supported false", "RFC 7644 §3.14 (optional); okta-wire §1.1 (Okta sends no If-Match)", "", nil},
		{QuirkGzip, "answers are gzip-encoded whenever the client accepts gzip", "okta-wire §1.1 (Okta sends Accept-Encoding: gzip,deflate)", "", nil},
		{QuirkVendorExtension, "users carry a vendor extension schema (urn:example:…:acme:2.0:User) Okta does not map", "RFC 7643 §3.3; okta-wire §10", "", nil},
		{QuirkEmptyArrays, "unset multi-valued attributes are returned as [] (groups, roles, entitlements, …)", "RFC 7643 §2.5 (an empty array equals unassigned)", "", nil},
		{QuirkNumericIDs, "ids are decimal numbers as strings (\"104729\"), not UUIDs", "RFC 7643 §3.1 (the id is the server's choice)", "", nil},
		{QuirkMembersValueOnly, "group members are returned with value only: no display, $ref or type", "RFC 7643 §4.2 (sub-attributes optional); okta-wire §6.5", "", nil},
		{QuirkOrderByID, "lists are sorted by id (stable, but not creation order)", "okta-wire §7 (a stable order is all Okta needs)", "", nil},
		{QuirkPrettyJSON, "answers are indented JSON with a trailing newline", "RFC 8259 §2 (insignificant white space)", "", nil},
		{QuirkTwoPrimaries, "a user with two primary emails is stored and returned with both marked primary", "RFC 7643 §2.4 (primary true at most once); an independent RFC suite", "", nil},
		{QuirkDuplicateValues, "a repeated (type, value) pair in emails is stored and returned twice", "RFC 7643 §2.4 (duplicates SHOULD NOT be returned); an independent RFC suite", "", nil},
		{QuirkNoopChangesVersion, "a PATCH that changes nothing (re-adding a member) moves meta.version and lastModified", "RFC 7644 §3.5.2.1, §3.14; okta-wire §6.1 (Okta re-adds the members it just pushed)", "", nil},
	}
	grades, scopes := quirkGrades(), quirkScopes()
	for i := range list {
		if list[i].Grade = grades[list[i].Name]; list[i].Grade == "" {
			list[i].Grade = "okta"
		}
		list[i].Fails = scopes[list[i].Name]
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

// Quirks is a set of switched-on quirks. The zero value has none.
type Quirks map[Quirk]bool

// Has reports whether q is switched on.
func (qs Quirks) Has(q Quirk) bool { return qs[q] }

// Names returns the switched-on quirks, sorted.
func (qs Quirks) Names() []string {
	var out []string
	for q, on := range qs {
		if on {
			out = append(out, string(q))
		}
	}
	slices.Sort(out)
	return out
}

// ParseQuirks turns names into a set. An unknown name is an error that lists the known ones.
func ParseQuirks(names []string) (Quirks, error) {
	known := map[Quirk]bool{}
	for _, info := range QuirkCatalogue() {
		known[info.Name] = true
	}
	qs := Quirks{}
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if !known[Quirk(part)] {
				return nil, fmt.Errorf("unknown quirk %q: run `scimcheck quirks` for the list", part)
			}
			qs[Quirk(part)] = true
		}
	}
	return qs, nil
}
