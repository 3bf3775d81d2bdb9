@spec-test @review
Feature: Okta SCIM 2.0 Spec Test
  Okta asks every OIN SCIM integration to pass its published Runscope test "Okta SCIM 2.0 SPEC
  Test" (2024-05) and, before that, its 2023 version with extra user and group steps. These
  scenarios replay them request by request: the test's own headers (User-Agent
  "OKTA SCIM Integration", POSTs labelled application/json), its generated data
  (randomGivenName "Runscope" and three digits, a random family name, userName = email at
  atko.com; here derived from the run's seed and namespaced by the run) and its assertions,
  without its pauses. Step 1 needs a user that is already in the app, as the test's precondition
  says; scenarios that read the whole target or time answers are tagged @exclusive and run
  alone (okta-wire §8.1, §8.2, §8.3, §11 items 3–10, 13, 16, 24, 29, 32, 33 and 38).

  Background:
    Given the client uses the headers of Okta's spec test
    And the spec test's random user "runscope"

  @must @exclusive
  Scenario: Okta SCIM 2.0 SPEC Test, required steps
    Given the app already has an active user "isv"
    # 1 Required: Test Users endpoint
    When the client sends GET "/Users?count=1&startIndex=1"
    Then the response status is 200
    And the JSON at "Resources" is not empty
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    And the JSON at "itemsPerPage" is a number
    And the JSON at "startIndex" is a number
    And the JSON at "totalResults" is a number
    And the JSON at "Resources.0.id" is not empty
    And the JSON at "Resources.0.name.familyName" is not empty
    And the JSON at "Resources.0.name.givenName" is not empty
    And the JSON at "Resources.0.userName" is not empty
    And the JSON at "Resources.0.active" is not empty
    And the JSON at "Resources.0.emails.0.value" is not empty
    And the client remembers the JSON at "Resources.0.id" as "ISVUserid"
    # 3 Required: Get Users/{{id}}
    When the client sends GET "/Users/{ISVUserid}"
    Then the response status is 200
    And the JSON at "id" is "{ISVUserid}"
    And the JSON at "name.familyName" is not empty
    And the JSON at "name.givenName" is not empty
    And the JSON at "userName" is not empty
    And the JSON at "active" is not empty
    And the JSON at "emails.0.value" is not empty
    # 5 Required: Test invalid User by username
    When the client sends GET "/Users" filtered by userName eq "abcdefgh@atko.com"
    Then the response status is 200
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    And the JSON at "totalResults" is the number 0
    # 7 Required: Test invalid User by ID
    When the client sends GET "/Users/010101001010101011001010101011"
    Then the response status is 404
    And the JSON at "detail" is not empty
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:Error"
    # 9 Required: Make sure random user doesn't exist
    When the client sends GET "/Users" filtered by userName eq "{runscope.email}"
    Then the response status is 200
    And the JSON at "totalResults" is the number 0
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    # 11 Required: Create Okta user with realistic values
    When the client sends POST "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName":"{runscope.userName}",
       "name":{"givenName":"{runscope.givenName}","familyName":"{runscope.familyName}"},
       "emails":[{"primary":true,"value":"{runscope.email}","type":"work"}],
       "displayName":"{runscope.givenName} {runscope.familyName}","active":true}
      """
    Then the response status is 201
    And the JSON at "active" is true
    And the JSON at "id" is not empty
    And the JSON at "name.familyName" is "{runscope.familyName}"
    And the JSON at "name.givenName" is "{runscope.givenName}"
    And the JSON at "userName" is "{runscope.userName}"
    And the JSON at "schemas" contains "urn:ietf:params:scim:schemas:core:2.0:User"
    And the client remembers the JSON at "id" as the id of "runscope"
    # 13 Required: Verify that user was created
    When the client sends GET "/Users/{runscope}"
    Then the response status is 200
    And the JSON at "userName" is "{runscope.userName}"
    And the JSON at "name.familyName" is "{runscope.familyName}"
    And the JSON at "name.givenName" is "{runscope.givenName}"
    # 15 Required: Expect failure when recreating user with same values
    When the client sends POST "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName":"{runscope.userName}",
       "name":{"givenName":"{runscope.givenName}","familyName":"{runscope.familyName}"},
       "emails":[{"primary":true,"value":"{runscope.userName}","type":"work"}],
       "displayName":"{runscope.givenName} {runscope.familyName}","active":true}
      """
    Then the response status is 409
    # 17 Required: Username Case Sensitivity Check
    When the client sends GET "/Users" filtered by userName eq "{runscope.userNameUpper}"
    Then the response status is 200
    # 21 Required: Check status 401
    Given the client's next request carries the Authorization header "non-token"
    When the client sends GET "/Users" filtered by userName eq "{runscope.userNameUpper}"
    Then the response status is 401
    And the JSON at "detail" is not empty
    And the JSON at "status" is "401" as a string or a number
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:Error"
    # 23 Required: Check status 404
    When the client sends GET "/Users/00919288221112222"
    Then the response status is 404
    And the JSON at "detail" is not empty
    And the JSON at "status" is "404" as a string or a number
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:Error"

  @optional @exclusive
  Scenario: Okta SCIM 2.0 SPEC Test, optional step 19: Verify Groups endpoint
    Given the app already has a group "isv-group"
    When the client sends GET "/Groups"
    Then the response status is 200
    And the response arrived within 600 ms
    And the JSON at "totalResults" is a number
    And the JSON at "Resources" is an array

  @must
  Scenario: 2023 SPEC Test, required steps: Update User and Deactivate User
    Given the spec test has created "runscope"
    # Required: Update User
    When the client sends PUT "/Users/{runscope}" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
       "id":"{runscope}",
       "userName":"{runscope.userName}",
       "name":{"givenName":"{runscope.givenName}","familyName":"{runscope.familyName}"},
       "emails":[{"primary":true,"value":"{runscope.email}","type":"work"}],
       "displayName":"{runscope.givenName} {runscope.familyName}","active":true,
       "phoneNumbers":[{"value":"555-555-5555","type":"work"}]}
      """
    Then the response status is 200
    And the JSON at "active" is true
    And the JSON at "id" is not empty
    And the JSON at "name.familyName" is "{runscope.familyName}"
    And the JSON at "name.givenName" is "{runscope.givenName}"
    And the JSON at "userName" is "{runscope.userName}"
    And the JSON at "phoneNumbers" is not empty
    And the JSON at "phoneNumbers.0.value" is not empty
    And the JSON at "phoneNumbers.0.type" is not empty
    # Required: Deactivate User
    When the client sends PATCH "/Users/{runscope}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations":[{"op":"replace","value":{"active":false}}]}
      """
    Then the response status is 200
    And the JSON at "active" is false

  @optional @exclusive
  Scenario: 2023 SPEC Test, optional group steps
    Given the spec test has created "runscope"
    And the spec test's random group "runscope-group"
    # Optional: Create Group with members
    When the client sends POST "/Groups" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
       "displayName":"{runscope-group.displayName}",
       "members":[{"value":"{runscope}","display":"{runscope.email}"}]}
      """
    Then the response status is 201
    And the response arrived within 600 ms
    And the JSON at "members" is not empty
    And the JSON at "members.0.value" is "{runscope}"
    And the JSON at "members.0.display" is "{runscope.email}"
    And the client remembers the JSON at "id" as the id of "runscope-group"
    # Optional: Verify Group was created
    When the client sends GET "/Groups/{runscope-group}"
    Then the response status is 200
    And the JSON at "members.0.value" is "{runscope}"
    And the JSON at "members.0.display" is "{runscope.email}"
    # Optional: Remove User From Group
    When the client sends PATCH "/Groups/{runscope-group}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations":[{"op":"remove","path":"members[value eq \"{runscope}\"]"}]}
      """
    Then the response status is 200
    And the JSON at "members" is empty
    # Optional: Add User To Group
    When the client sends PATCH "/Groups/{runscope-group}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations":[{"op":"add","path":"members","value":[{"value":"{runscope}","display":"{runscope.email}"}]}]}
      """
    Then the response status is 200
    And the JSON at "members.0.value" is "{runscope}"
    And the JSON at "members.0.display" is "{runscope.email}"
    # Optional: Remove Group Members w/ PUT
    When the client sends PUT "/Groups/{runscope-group}" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
       "displayName":"{runscope-group.displayName}","members":[]}
      """
    Then the response status is 200
    And the JSON at "members" is empty
    # Optional: Delete Group
    When the client sends DELETE "/Groups/{runscope-group}"
    Then the response status is 204
