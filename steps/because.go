package steps

// The requirements the checks enforce, as the "because" line of their failure messages. Each
// cites okta-wire.md (the specification of Okta's wire behaviour) or the RFC.
const (
	becauseLookup = `Okta looks every assigned user up with GET /Users?filter=userName eq "…"&startIndex=1&count=100 ` +
		`and needs 200 with a ListResponse whose totalResults, startIndex and itemsPerPage are JSON integers: ` +
		`a startIndex "1" made Okta fail the sync silently (okta-wire §2.2, §9.4)`
	becauseLookupMatch = `the look-up must return exactly the user with that userName, or nothing: ` +
		`Okta links the first resource it gets back (okta-wire §2.2, §2.4)`
	becauseFindExisting = `Okta's look-up filters on userName alone, whatever the email, and must find every user the app holds under that userName, ` +
		`in any case and inactive ones too; ` +
		`a look-up that misses one makes Okta POST a duplicate into a 409 (okta-wire §2.2, §2.5, §5, §9.4)`
	becauseCaseless = `userName is caseExact false, so "eq" matches it in any case (RFC 7643 §4.1.1, RFC 7644 §3.4.2.2); ` +
		`Okta's spec test looks the user up upper-cased (okta-wire §8.2 step 17)`
	becauseNotFound = `a userName nobody has is not an error: Okta's spec test needs 200 with totalResults 0 (okta-wire §2.2, §8.2 steps 5 and 9)`
	becauseCreate   = `Okta creates a user it did not find with POST /Users and needs 201 with the user and its new id, ` +
		`which it stores and uses for every later call; an empty body fails the task with "Create new user returned empty user" (okta-wire §2.3, §8.2 step 11)`
	becauseEcho = `the created user must echo what Okta sent, userName and names in their exact case, active true (okta-wire §2.3, §8.2 steps 11 and 13)`
	becauseDup  = `a POST for a userName the app already holds must be refused with 409 in the SCIM Error schema, ` +
		`which stops the provisioning job (okta-wire §2.5, §8.2 step 15)`
	becauseLink = `a user who is already in the app is linked: Okta's look-up finds it, Okta stores its id and never POSTs (okta-wire §2.4, §8.6 C9335)`
	becauseRead = `Okta reads the user by id before every update, deactivation and reactivation, and needs 200 with the user (okta-wire §3.1, §4, §5)`
	becausePut  = `Okta pushes a profile change as GET, then PUT of the object it got back with read-only attributes echoed (id, meta, groups, emails[].display), ` +
		`and needs 200 with the updated user; the next GET must show the change (okta-wire §3.1, §3.2, RFC 7644 §3.5.1)`
	becauseActivate = `Okta activates with PATCH {"op":"replace","value":{"active":true}} in OIN apps (200 with the user, or 204) ` +
		`or with a PUT of the whole user with active true in AIW apps (200) (okta-wire §2.4, §5)`
	becauseDeactivate = `Okta deactivates with a path-less PATCH {"op":"replace","value":{"active":false}} in OIN apps (200 with the user, or 204) ` +
		`or with a PUT of the whole user with active false in AIW apps (200) (okta-wire §4)`
	becauseStillThere = `a deactivated user stays readable: GET /Users/{id} answers 200 with active false, not 404 (okta-wire §4, §8.5 steps 11 and 19)`
	becauseSameID     = `a reactivated or re-linked user keeps the id Okta stored; Okta's CRUD test keeps using it (okta-wire §5, §8.5 step 15)`
	becauseNoDelete   = `Okta never deletes users: unassignment and deactivation send PATCH or PUT with active false (okta-wire §4, §11 item 20)`
	becauseGroupPush  = `Group Push creates the group with POST /Groups and needs 201 with the group and its id (okta-wire §6.1)`
	becauseGroupRead  = `Okta reads a group by id to see that it still exists and needs 200 with the group (okta-wire §6.3)`
	becauseGroupFind  = `Okta finds an app group by name with GET /Groups?filter=displayName eq "…"&startIndex=1&count=100 and links the one match (okta-wire §6.2)`
	becauseMembers    = `after Okta's pushes the app group holds exactly the members Okta pushed, each once: adds of existing members and removes of non-members are no-ops (okta-wire §6.1, §6.5, §11 items 25, 29–32)`
	becauseMemberOp   = `Okta changes membership with PATCH /Groups/{id} (one remove per member, then one add; at most the batch size of changes each) ` +
		`or, in AIW apps, a PUT of the whole group, and needs 200 or 204 within 60 seconds; adding a member who is already in the group ` +
		`and removing one who is not are no-ops, since Okta PATCH-adds the members it has just POSTed (okta-wire §6.1, §6.5, §11 item 29)`
	becauseRename = `Okta renames with a path-less PATCH whose value carries the group's id and the name, sent with every membership push, ` +
		`and needs 200 or 204; the next GET shows the name (okta-wire §6.4)`
	becauseGroupDelete = `unlinking a pushed group with "delete the group in the app" sends DELETE /Groups/{id}, which must answer 204; users are never touched (okta-wire §6.6)`
	becauseImport      = `an import reads every page with GET /Users?startIndex=…&count=100 (and /Groups), stepping startIndex by 100 while it is <= totalResults; ` +
		`each page is a ListResponse with integer counts, and a server that ignores count or startIndex makes Okta skip or repeat resources (okta-wire §7)`
	becauseAuth      = `a request without valid credentials is refused with 401 and a SCIM error whose detail Okta shows the admin (okta-wire §1.4, §8.2 step 21)`
	becauseUnknownID = `an id the app does not know is answered 404 in the SCIM Error schema (detail set, status "404" or 404): ` +
		`Okta reads users and groups by id to see whether they still exist, and its spec test sends unknown ids (okta-wire §8.2 steps 7 and 23, §9.2)`
	becauseError = `Okta parses every answer as JSON, error answers included, and shows the admin their detail; ` +
		`errors use the SCIM Error schema with status as a string or a number (okta-wire §1.2, §9.2, RFC 7644 §3.12)`
)
