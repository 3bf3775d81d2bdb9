package steps

import "github.com/cucumber/godog"

// InitializeScenario registers every step of features/okta and the scenario hooks: Before
// gives the scenario a fresh world, After records its Result, attaches the transcript of a
// failed scenario and cleans up what it created. Use it as godog's ScenarioInitializer.
//
// Admin-level steps ("Okta assigns the app to …") send Okta's exact request sequence and fail
// naming the request that broke it; protocol-level steps ("the client sends …", "the JSON at
// … is …") send or check one request. Quoted names are aliases of Okta users and groups.
func (s *Suite) InitializeScenario(sc *godog.ScenarioContext) {
	sc.Before(s.before)
	sc.StepContext().After(s.afterStep)
	sc.After(s.after)

	// Okta's users and groups, and what the app already holds.
	sc.Step(`^Okta has (?:a user|users) "([^"]*)"$`, oktaHasUsers)
	sc.Step(`^Okta has a user "([^"]*)" whose userName is not an email address$`, oktaHasNonEmailUser)
	sc.Step(`^Okta has provisioned "([^"]*)"$`, oktaProvisions)
	sc.Step(`^the app already has an active user "([^"]*)"$`, appHasActiveUser)
	sc.Step(`^the app already has an active user "([^"]*)" whose userName is in upper case$`, appHasUpperCasedUser)
	sc.Step(`^the app already has a group "([^"]*)"$`, appHasGroup)
	sc.Step(`^the app already has a crowd of (\d+) users known to Okta$`, appHasCrowd)
	sc.Step(`^the app already has (\d+) users of this scenario$`, appHasOwnUsers)
	sc.Step(`^the app already has (\d+) groups of this scenario$`, appHasOwnGroups)
	sc.Step(`^the spec test's random user "([^"]*)"$`, specUser)
	sc.Step(`^the spec test's random group "([^"]*)"$`, specGroup)
	sc.Step(`^the spec test has created "([^"]*)"$`, specCreated)

	// Admin level: users (okta-wire §2–§5).
	sc.Step(`^Okta (?:assigns|has assigned) the app to "([^"]*)"(?: again)?$`, oktaAssigns)
	sc.Step(`^Okta retries the assignment of "([^"]*)"$`, oktaAssigns)
	sc.Step(`^Okta looks up "([^"]*)"$`, oktaLooksUp)
	sc.Step(`^Okta looks up "([^"]*)" with the userName in upper case$`, oktaLooksUpUpper)
	sc.Step(`^Okta looks up "([^"]*)" with spaces encoded as "\+"$`, oktaLooksUpPlus)
	sc.Step(`^Okta looks up the old userName of "([^"]*)"$`, oktaLooksUpOld)
	sc.Step(`^Okta sends the same POST for "([^"]*)" again$`, oktaSendsSamePost)
	sc.Step(`^Okta (?:changes|has changed) the (first name|last name|middle name|title) of "([^"]*)" to "([^"]*)"$`, oktaChanges)
	sc.Step(`^Okta changes the (userName and primary email|userName|primary email) of "([^"]*)" to a new address$`, oktaChangesAddress)
	sc.Step(`^Okta adds the work phone number "([^"]*)" to "([^"]*)"$`, oktaAddsPhone)
	sc.Step(`^Okta (empties|removes) the (title|middle name) of "([^"]*)"$`, oktaClears)
	sc.Step(`^Okta syncs a new password for "([^"]*)"$`, oktaSyncsPassword)
	sc.Step(`^Okta (?:deactivates|has deactivated|unassigns the app from|has unassigned the app from) "([^"]*)"$`, oktaDeactivates)
	sc.Step(`^Okta reactivates "([^"]*)"$`, oktaReactivates)
	sc.Step(`^Okta reactivates "([^"]*)" and then pushes a stale profile with active false$`, oktaReactivatesStale)

	// Admin level: groups (okta-wire §6) and import (§7).
	sc.Step(`^Okta (?:pushes|has pushed) group "([^"]*)"(?: with members "([^"]*)")?$`, oktaPushesGroup)
	sc.Step(`^Okta pushes group "([^"]*)" with the crowd as members$`, oktaPushesGroupCrowd)
	sc.Step(`^Okta looks up group "([^"]*)" by name$`, oktaLooksUpGroup)
	sc.Step(`^Okta links group "([^"]*)" by name$`, oktaLinksGroup)
	sc.Step(`^Okta renames group "([^"]*)"$`, oktaRenamesGroup)
	sc.Step(`^Okta pushes the name of group "([^"]*)" unchanged$`, oktaPushesSameName)
	sc.Step(`^Okta adds "([^"]*)" to and removes "([^"]*)" from group "([^"]*)"$`, oktaChangesMembers)
	sc.Step(`^Okta pushes group "([^"]*)" now with (?:members "([^"]*)"|no members)$`, oktaPushesNow)
	sc.Step(`^Okta unlinks group "([^"]*)" and deletes it in the app$`, oktaDeletesGroup)
	sc.Step(`^Okta imports (users|groups)(?: again)?$`, oktaImports)

	// Protocol level: one request.
	sc.Step(`^the client uses the headers of Okta's spec test$`, usesSpecHeaders)
	sc.Step(`^the client's next request carries the Authorization header "([^"]*)"$`, nextAuth)
	sc.Step(`^the client's next request carries no Authorization header$`, nextNoAuth)
	sc.Step(`^the client sends (GET|DELETE) "([^"]*)"$`, clientSends)
	sc.Step(`^the client sends (POST|PUT|PATCH) "([^"]*)" with:$`, clientSendsBody)
	sc.Step(`^the client sends GET "([^"]*)" filtered by (\w+) eq "([^"]*)"$`, clientSendsFiltered)
	sc.Step(`^the client asks for the page of (users|groups) after the last one$`, pageAfterLast)
	sc.Step(`^the client remembers the JSON at "([^"]*)" as "([^"]*)"$`, remember)
	sc.Step(`^the client remembers the JSON at "([^"]*)" as the id of "([^"]*)"$`, rememberID)

	// Protocol level: checks of the latest response.
	sc.Step(`^the response status is (\d+(?: or \d+)*)$`, responseStatus)
	sc.Step(`^the response is a SCIM error with status (\d+)$`, responseIsError)
	sc.Step(`^the response is a ListResponse$`, responseIsList)
	sc.Step(`^the response arrived within (\d+) ms$`, responseWithin)
	sc.Step(`^the JSON at "([^"]*)" is "([^"]*)"$`, jsonIs)
	sc.Step(`^the JSON at "([^"]*)" is not "([^"]*)"$`, jsonIsNot)
	sc.Step(`^the JSON at "([^"]*)" is "(\d+)" as a string or a number$`, jsonStringOrNumber)
	sc.Step(`^the JSON at "([^"]*)" is the number (-?\d+)$`, jsonIsNumber)
	sc.Step(`^the JSON at "([^"]*)" is (true|false)$`, jsonIsBool)
	sc.Step(`^the JSON at "([^"]*)" is a number$`, jsonIsANumber)
	sc.Step(`^the JSON at "([^"]*)" is at most (\d+)$`, jsonAtMost)
	sc.Step(`^the JSON at "([^"]*)" is not empty$`, jsonNotEmpty)
	sc.Step(`^the JSON at "([^"]*)" is empty$`, jsonEmpty)
	sc.Step(`^the JSON at "([^"]*)" is an empty array$`, jsonEmptyArray)
	sc.Step(`^the JSON at "([^"]*)" is an array$`, jsonIsArray)
	sc.Step(`^the JSON at "([^"]*)" contains "([^"]*)"$`, jsonContains)
	sc.Step(`^the JSON at "([^"]*)" is absent$`, jsonAbsent)

	// Outcomes: how Okta got there, and what the app holds now.
	sc.Step(`^Okta created "([^"]*)" with a POST$`, createdWithPost)
	sc.Step(`^Okta linked "([^"]*)" to the existing app user without a POST$`, linkedWithoutPost)
	sc.Step(`^Okta activated "([^"]*)" with a (PATCH|PUT)$`, activatedWith)
	sc.Step(`^Okta deactivated "([^"]*)" with a (PATCH|PUT)$`, deactivatedWith)
	sc.Step(`^Okta sent no POST for "([^"]*)"$`, sentNoPost)
	sc.Step(`^Okta never sent DELETE /Users$`, neverSentDeleteUsers)
	sc.Step(`^the app has exactly one user with the userName of "([^"]*)"$`, oneUserWithUserName)
	sc.Step(`^reading "([^"]*)" back shows "([^"]*)" as "([^"]*)"$`, readBackShows)
	sc.Step(`^reading "([^"]*)" back shows "([^"]*)" as (true|false)$`, readBackShowsBool)
	sc.Step(`^reading "([^"]*)" back shows no "([^"]*)"$`, readBackShowsNo)
	sc.Step(`^Okta created group "([^"]*)" with a POST$`, createdGroupWithPost)
	sc.Step(`^Okta added "([^"]*)" to group "([^"]*)" again right after the POST$`, addedAgain)
	sc.Step(`^the membership went out in PATCHes of at most the batch size$`, batchedPatches)
	sc.Step(`^the app group "([^"]*)" has Okta's name$`, groupHasOktaName)
	sc.Step(`^the app group "([^"]*)" has no members$`, groupHasNoMembers)
	sc.Step(`^the app group "([^"]*)" has exactly the members "([^"]*)"$`, groupHasExactly)
	sc.Step(`^the app group "([^"]*)" has exactly the crowd as members$`, groupHasCrowd)
	sc.Step(`^the app group "([^"]*)" no longer exists$`, groupGone)
	sc.Step(`^every page was a ListResponse whose itemsPerPage counts its resources$`, pagesAreListResponses)
	sc.Step(`^every page but the last held 100 resources$`, pagesAreFull)
	sc.Step(`^the import saw each of this scenario's (users|groups) exactly once$`, sawOwnOnce)
	sc.Step(`^both imports saw this scenario's (users|groups) in the same order$`, sameOrder)
}
