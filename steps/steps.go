package steps

import (
	"regexp"

	"github.com/cucumber/godog"
)

// InitializeScenario registers every step of features/okta and the scenario hooks: Before
// gives the scenario a fresh world (or skips it, not run, when Suite.Stopped says the run
// stopped), the last hooks record its Result (after Suite.Hooks), After attaches the transcript of a
// failed scenario and cleans up what it created. Use it as godog's ScenarioInitializer.
//
// Admin-level steps ("Okta assigns the app to …") send Okta's exact request sequence and fail
// naming the request that broke it; protocol-level steps ("the client sends …", "the JSON at
// … is …") send or check one request. Quoted names are aliases of Okta users and groups.
func (s *Suite) InitializeScenario(sc *godog.ScenarioContext) {
	s.initResults()
	sc.Before(s.skipStopped)
	sc.Before(s.before)
	sc.After(s.after)
	if s.Hooks != nil {
		s.Hooks(sc)
	}
	sc.Before(s.beginResult)
	sc.StepContext().After(s.stepResult)
	sc.After(s.endResult)
	for _, d := range stepDefs {
		sc.Step(d.expr, d.fn)
	}
}

// stepDef is one step definition: its pattern and the function godog calls with its groups
// (see step).
type stepDef struct {
	expr *regexp.Regexp
	fn   any
}

// stepDefs is every step of features/okta, one per line, grouped by the capability whose file
// defines it (its requirement sentences and diagnoses are in the same file); no two patterns
// match one step (TestEveryStepMatchesOnePattern). The patterns are compiled once per process:
// godog calls InitializeScenario for every scenario, and compiling the patterns each time took
// 16% of a run's CPU. Each function is wrapped to diagnose its failures (see
// diagnose). The table is never modified after initialisation, and a *regexp.Regexp is safe
// for concurrent use.
var stepDefs = []stepDef{
	// Push users (okta-wire §2): push_users.go, its outcomes push_users_outcomes.go.
	step(`^Okta has (?:a user|users) "([^"]*)"$`, oktaHasUsers),
	step(`^Okta has a user "([^"]*)" whose userName is not an email address$`, oktaHasNonEmailUser),
	step(`^Okta has provisioned "([^"]*)"$`, oktaProvisions),
	step(`^the app already has (?:an active user|active users) "([^"]*)"$`, appHasActiveUsers),
	step(`^the app already has an active user "([^"]*)" whose userName is in upper case$`, appHasUpperCasedUser),
	step(`^Okta (?:assigns|has assigned) the app to "([^"]*)"(?: again)?$`, oktaAssigns),
	step(`^Okta retries the assignment of "([^"]*)"$`, oktaAssigns),
	step(`^Okta looks up "([^"]*)"$`, oktaLooksUp),
	step(`^Okta looks up "([^"]*)" with the userName in upper case$`, oktaLooksUpUpper),
	step(`^Okta looks up "([^"]*)" with spaces encoded as "\+"$`, oktaLooksUpPlus),
	step(`^Okta sends the same POST for "([^"]*)" again$`, oktaSendsSamePost),
	step(`^Okta finds nobody$`, oktaFindsNobody),
	step(`^Okta created "([^"]*)" with a POST$`, createdWithPost),
	step(`^Okta linked "([^"]*)" to the existing app user without a POST$`, linkedWithoutPost),
	step(`^Okta sent no POST for "([^"]*)"$`, sentNoPost),
	step(`^the app has exactly one user with the userName of "([^"]*)"$`, oneUserWithUserName),

	// Reprovisioning (okta-wire §2.4, §2.5): reprovisioning.go; it reuses Push users' steps.
	step(`^Okta looks up the old userName of "([^"]*)"$`, oktaLooksUpOld),

	// Update user attributes (okta-wire §3, §9.5): update_user_attributes.go.
	step(`^Okta (?:changes|has changed) the (first name|last name|middle name|title) of "([^"]*)" to "([^"]*)"$`, oktaChanges),
	step(`^Okta changes the (userName and primary email|userName|primary email) of "([^"]*)" to a new address$`, oktaChangesAddress),
	step(`^Okta adds the work phone number "([^"]*)" to "([^"]*)"$`, oktaAddsPhone),
	step(`^Okta (empties|removes) the (title|middle name) of "([^"]*)"$`, oktaClears),
	step(`^Okta syncs a new password for "([^"]*)"$`, oktaSyncsPassword),
	step(`^reading "([^"]*)" back shows "([^"]*)" as "([^"]*)"$`, readBackShows),
	step(`^reading "([^"]*)" back shows "([^"]*)" as (true|false)$`, readBackShowsBool),
	step(`^reading "([^"]*)" back shows no "([^"]*)"$`, readBackShowsNo),

	// Deactivate users (okta-wire §4): deactivate_users.go.
	step(`^Okta (?:deactivates|has deactivated|unassigns the app from|has unassigned the app from) "([^"]*)"$`, oktaDeactivates),
	step(`^Okta deactivated "([^"]*)" with a (PATCH|PUT)$`, deactivatedWith),
	step(`^Okta never sent DELETE /Users$`, neverSentDeleteUsers),

	// Reactivate users (okta-wire §5): reactivate_users.go.
	step(`^Okta reactivates "([^"]*)"$`, oktaReactivates),
	step(`^Okta reactivates "([^"]*)" and then pushes a stale profile with active false$`, oktaReactivatesStale),
	step(`^Okta activated "([^"]*)" with a (PATCH|PUT)$`, activatedWith),

	// Push groups (okta-wire §6): push_groups.go, its outcomes push_groups_outcomes.go.
	step(`^the app already has a group "([^"]*)"$`, appHasGroup),
	step(`^the app already has a crowd of (\d+) users known to Okta$`, appHasCrowd),
	step(`^Okta (?:pushes|has pushed) group "([^"]*)"(?: with members "([^"]*)")?$`, oktaPushesGroup),
	step(`^Okta pushes group "([^"]*)" with the crowd as members$`, oktaPushesGroupCrowd),
	step(`^Okta looks up group "([^"]*)" by name$`, oktaLooksUpGroup),
	step(`^Okta links group "([^"]*)" by name$`, oktaLinksGroup),
	step(`^Okta renames group "([^"]*)"$`, oktaRenamesGroup),
	step(`^Okta pushes the name of group "([^"]*)" unchanged$`, oktaPushesSameName),
	step(`^Okta adds "([^"]*)" to and removes "([^"]*)" from group "([^"]*)"$`, oktaChangesMembers),
	step(`^Okta pushes group "([^"]*)" now with (?:members "([^"]*)"|no members)$`, oktaPushesNow),
	step(`^Okta unlinks group "([^"]*)" and deletes it in the app$`, oktaDeletesGroup),
	step(`^Okta's DELETE succeeded$`, oktaDeleteSucceeded),
	step(`^Okta created group "([^"]*)" with a POST$`, createdGroupWithPost),
	step(`^Okta added "([^"]*)" to group "([^"]*)" again right after the POST$`, addedAgain),
	step(`^the membership went out in PATCHes of at most the batch size$`, batchedPatches),
	step(`^the app group "([^"]*)" has Okta's name$`, groupHasOktaName),
	step(`^the app group "([^"]*)" has no members$`, groupHasNoMembers),
	step(`^the app group "([^"]*)" has exactly the members "([^"]*)"$`, groupHasExactly),
	step(`^the app group "([^"]*)" has exactly the crowd as members$`, groupHasCrowd),
	step(`^the app group "([^"]*)" no longer exists$`, groupGone),

	// Import (okta-wire §7): import.go.
	step(`^the app already has (\d+) users of this scenario$`, appHasOwnUsers),
	step(`^the app already has (\d+) groups of this scenario$`, appHasOwnGroups),
	step(`^Okta imports (users|groups)(?: again)?$`, oktaImports),
	step(`^the client asks for the page of (users|groups) after the last one$`, pageAfterLast),
	step(`^every page was a ListResponse whose itemsPerPage counts its resources$`, pagesAreListResponses),
	step(`^every page but the last held 100 resources$`, pagesAreFull),
	step(`^the import saw each of this scenario's (users|groups) exactly once$`, sawOwnOnce),
	step(`^both imports saw this scenario's (users|groups) in the same order$`, sameOrder),

	// Okta SCIM 2.0 Spec Test (okta-wire §8): okta_spec.go.
	step(`^the spec test's random user "([^"]*)"$`, specUser),
	step(`^the spec test's random group "([^"]*)"$`, specGroup),
	step(`^the spec test has created "([^"]*)"$`, specCreated),
	step(`^the client uses the headers of Okta's spec test$`, usesSpecHeaders),

	// Protocol level, one request: requests.go.
	step(`^the app advertises "(\w+)" in its ServiceProviderConfig$`, appAdvertises),
	step(`^the client's next request carries the Authorization header "([^"]*)"$`, nextAuth),
	step(`^the client's next request carries no Authorization header$`, nextNoAuth),
	step(`^the client sends (GET|DELETE) "([^"]*)"$`, clientSends),
	step(`^the client sends (POST|PUT|PATCH) "([^"]*)" with:$`, clientSendsBody),
	step(`^the client sends GET "([^"]*)" filtered by (\w+) eq "([^"]*)"$`, clientSendsFiltered),
	step(`^the client remembers the JSON at "([^"]*)" as "([^"]*)"$`, remember),
	step(`^the client remembers the JSON at "([^"]*)" as the id of "([^"]*)"$`, rememberID),

	// Protocol level, checks of the latest response: responses.go.
	step(`^the response status is (\d+(?: or \d+)*)$`, responseStatus),
	step(`^the response is a SCIM error with status (\d+)$`, responseIsError),
	step(`^the response is a ListResponse$`, responseIsList),
	step(`^the response is a ListResponse whose itemsPerPage counts its resources$`, responseIsFullList),
	step(`^the response arrived within (\d+) ms$`, responseWithin),
	step(`^the JSON at "([^"]*)" is "([^"]*)"$`, jsonIs),
	step(`^the JSON at "([^"]*)" is not "([^"]*)"$`, jsonIsNot),
	step(`^the JSON at "([^"]*)" is "(\d+)" as a string or a number$`, jsonStringOrNumber),
	step(`^the JSON at "([^"]*)" is the number (-?\d+)$`, jsonIsNumber),
	step(`^the JSON at "([^"]*)" is (true|false)$`, jsonIsBool),
	step(`^the JSON at "([^"]*)" is a number$`, jsonIsANumber),
	step(`^the JSON at "([^"]*)" is at most (\d+)$`, jsonAtMost),
	step(`^the JSON at "([^"]*)" is not empty$`, jsonNotEmpty),
	step(`^the JSON at "([^"]*)" is empty$`, jsonEmpty),
	step(`^the JSON at "([^"]*)" is an empty array$`, jsonEmptyArray),
	step(`^the JSON at "([^"]*)" is an array$`, jsonIsArray),
	step(`^the JSON at "([^"]*)" contains "([^"]*)"$`, jsonContains),
	step(`^the JSON at "([^"]*)" is absent$`, jsonAbsent),

	// SCIM protocol, what only the RFC requires: protocol.go.
	step(`^the response header "Location" is the absolute URL in the JSON at "meta.location"$`, locationIsMetaLocation),
	step(`^the response is labelled application/scim\+json$`, labelledSCIM),
	step(`^the response carries a WWW-Authenticate header$`, carriesChallenge),
	step(`^the JSON at "status" is the status code as a string$`, errorStatusIsString),
	step(`^the discovery endpoints answer$`, discoveryAnswers),
	step(`^the app refused the user with 400 or kept one primary email$`, refusedOrOnePrimary),
	step(`^the app refused the user with 400 or kept the repeated email once$`, refusedOrNoRepeats),
	step(`^the client notes the version of group "([^"]*)"$`, notesGroupVersion),
	step(`^the version of group "([^"]*)" is unchanged$`, groupVersionUnchanged),
}

// StepPatterns returns the pattern of every step definition, in the order of the table, for
// tools that list the vocabulary or check feature files before a run. The patterns are
// shared: they are safe for concurrent use and must not be modified.
func StepPatterns() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(stepDefs))
	for i, d := range stepDefs {
		out[i] = d.expr
	}
	return out
}
