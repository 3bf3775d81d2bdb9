@push-groups
Feature: Push groups
  Group Push creates an Okta group in the app with POST /Groups (members [] or the members
  already assigned, then at once a PATCH that adds the same members again, so adding an existing
  member must not fail), finds an existing app group by name with
  GET /Groups?filter=displayName eq "…"&startIndex=1&count=100 (spaces as %20), and reads it with
  GET /Groups/{id}. OIN apps then send PATCHes: a rename is a path-less replace whose value
  carries the group's id and is sent with every membership push, even with the name unchanged;
  membership changes are one remove operation per member (members[value eq "…"]) followed by one
  add operation, at most the batch size (100 by default) changes per PATCH; "Push Now" replaces
  the whole member list. AIW apps read the group and PUT it whole. Unlinking with "delete the
  group in the app" sends DELETE /Groups/{id} and expects 204; users are never touched
  (okta-wire §6, §8.3, §11 items 25–33).

  Background:
    Given Okta has provisioned "ada, grace, alan"

  @must
  Scenario: Okta pushes a new group without members
    When Okta pushes group "engineering"
    Then Okta created group "engineering" with a POST
    And the app group "engineering" has Okta's name
    And the app group "engineering" has no members

  @must @oin
  Scenario: Okta pushes a new group with members, then adds the same members again
    When Okta pushes group "engineering" with members "ada, grace"
    Then Okta created group "engineering" with a POST
    And Okta added "ada, grace" to group "engineering" again right after the POST
    And the app group "engineering" has exactly the members "ada, grace"

  @must
  Scenario: Okta links an existing app group by its name
    Given the app already has a group "engineering"
    When Okta looks up group "design" by name
    Then Okta finds nobody
    When Okta links group "engineering" by name
    Then the app group "engineering" has Okta's name

  @must @oin
  Scenario: Okta renames a group with its id in the value
    Given Okta has pushed group "engineering" with members "ada"
    When Okta renames group "engineering"
    Then the app group "engineering" has Okta's name
    And the app group "engineering" has exactly the members "ada"

  @must @oin
  Scenario: Okta pushes an unchanged name with a membership change
    Given Okta has pushed group "engineering" with members "ada"
    When Okta pushes the name of group "engineering" unchanged
    Then the app group "engineering" has Okta's name
    And the app group "engineering" has exactly the members "ada"

  @must @aiw
  Scenario: an AIW app renames a group with a PUT
    Given Okta has pushed group "engineering" with members "ada"
    When Okta renames group "engineering"
    Then the app group "engineering" has Okta's name
    And the app group "engineering" has exactly the members "ada"

  @must
  Scenario Outline: Okta adds and removes members in one push (<mode>)
    Given Okta has pushed group "engineering" with members "ada, grace"
    When Okta adds "alan" to and removes "grace" from group "engineering"
    Then the app group "engineering" has exactly the members "ada, alan"

    @oin
    Examples: OIN apps send one PATCH, removes first
      | mode |
      | OIN  |

    @aiw
    Examples: AIW apps PUT the whole member list
      | mode |
      | AIW  |

  @must @oin
  Scenario: removing a non-member and adding a member again do not fail
    Given Okta has pushed group "engineering" with members "ada, grace"
    When Okta adds "ada" to and removes "alan" from group "engineering"
    Then the app group "engineering" has exactly the members "ada, grace"

  @must @oin
  Scenario: a large group is pushed in PATCHes of at most the batch size
    Given the app already has a crowd of 250 users known to Okta
    When Okta pushes group "all-hands" with the crowd as members
    Then the membership went out in PATCHes of at most the batch size
    And the app group "all-hands" has exactly the crowd as members

  @must @oin
  Scenario: "Push Now" replaces the whole member list
    Given Okta has pushed group "engineering" with members "ada, grace"
    When Okta pushes group "engineering" now with members "grace, alan"
    Then the app group "engineering" has exactly the members "grace, alan"
    When Okta pushes group "engineering" now with no members
    Then the app group "engineering" has no members

  @must @aiw
  Scenario: an AIW app PUTs the whole member list, then an empty one
    Given Okta has pushed group "engineering" with members "ada"
    When Okta pushes group "engineering" now with members "ada, grace, alan"
    Then the app group "engineering" has exactly the members "ada, grace, alan"
    When Okta pushes group "engineering" now with no members
    Then the response status is 200
    And the JSON at "members" is empty
    And the app group "engineering" has no members

  @must
  Scenario: unlinking a group and deleting it in the app leaves its users alone
    Given Okta has pushed group "engineering" with members "ada, grace"
    When Okta unlinks group "engineering" and deletes it in the app
    Then Okta's DELETE succeeded
    And the app group "engineering" no longer exists
    And reading "ada" back shows "active" as true
    And reading "grace" back shows "active" as true

  @must
  Scenario: a group id the app does not know is answered 404
    When the client sends GET "/Groups/{unknown-id}"
    Then the response is a SCIM error with status 404

  @rfc
  Scenario: re-adding the members Okta has just pushed changes nothing, not even the version
    Given Okta has pushed group "engineering" with members "ada"
    When the client notes the version of group "engineering"
    And the client sends PATCH "/Groups/{engineering}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations":[{"op":"add","path":"members","value":[{"value":"{ada}"}]}]}
      """
    Then the response status is 200 or 204
    And the version of group "engineering" is unchanged
