@push-users
Feature: Push users
  When a user is assigned to the app, Okta first looks the user up with
  GET /Users?filter=userName eq "…"&startIndex=1&count=100 (spaces encoded %20; older captures
  used "+"). Not found (200, totalResults 0) → POST /Users with the full profile, a random
  password, the Okta user id as externalId and groups [], labelled
  application/scim+json; charset=utf-8, expecting 201 with the server's id, which Okta stores
  and uses for every later call. Found → Okta links the existing app user: GET, activate (PATCH
  in OIN apps, PUT in AIW apps), GET, then PUT the profile; it never POSTs. A POST for a userName
  that exists must be refused with 409 in the SCIM Error schema, and userName look-ups are
  case-insensitive (okta-wire §1.1, §2.2–§2.5, §8.2 steps 9–17, §11 items 6–11; RFC 7643
  §4.1.1: userName is caseExact false).

  @must
  Scenario: a user who is not in the app yet is created with Okta's POST
    Given Okta has a user "ada"
    When Okta assigns the app to "ada"
    Then Okta created "ada" with a POST
    And reading "ada" back shows "userName" as "{ada.userName}"
    And reading "ada" back shows "name.givenName" as "{ada.givenName}"
    And reading "ada" back shows "name.familyName" as "{ada.familyName}"
    And reading "ada" back shows "emails.0.value" as "{ada.email}"
    And reading "ada" back shows "active" as true

  @must
  Scenario Outline: a user who is already in the app is linked, not created (<mode>)
    Given the app already has an active user "ada"
    When Okta assigns the app to "ada"
    Then Okta linked "ada" to the existing app user without a POST
    And Okta activated "ada" with a <method>
    And reading "ada" back shows "active" as true

    @oin
    Examples: OIN apps activate with PATCH
      | mode | method |
      | OIN  | PATCH  |

    @aiw
    Examples: AIW apps activate with PUT
      | mode | method |
      | AIW  | PUT    |

  @must
  Scenario: a second POST of the same user is refused with 409
    Given Okta has provisioned "ada"
    When Okta sends the same POST for "ada" again
    Then the response is a SCIM error with status 409
    And the app has exactly one user with the userName of "ada"

  @must
  Scenario: the look-up finds a user whatever the case of the userName
    Given Okta has provisioned "ada, grace"
    When Okta looks up "ada" with the userName in upper case
    Then the response status is 200
    And the response is a ListResponse
    And the JSON at "totalResults" is the number 1
    And the JSON at "Resources.0.id" is "{ada}"

  @must
  Scenario: the look-up understands spaces encoded as "+"
    Given Okta has provisioned "ada, grace"
    When Okta looks up "ada" with spaces encoded as "+"
    Then the response status is 200
    And the response is a ListResponse
    And the JSON at "totalResults" is the number 1
    And the JSON at "Resources.0.id" is "{ada}"

  @must
  Scenario: a userName that is not an email address is matched on userName, not on email
    Given Okta has a user "jane" whose userName is not an email address
    And Okta has provisioned "jane"
    When Okta looks up "jane"
    Then the response status is 200
    And the JSON at "totalResults" is the number 1
    And the JSON at "Resources.0.id" is "{jane}"

  @must @review
  Scenario: a POST labelled application/json with the spec test's minimal body is accepted
    Given Okta has a user "ada"
    And the client uses the headers of Okta's spec test
    When the client sends POST "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName":"{ada.userName}",
       "name":{"givenName":"{ada.givenName}","familyName":"{ada.familyName}"},
       "emails":[{"primary":true,"value":"{ada.email}","type":"work"}],
       "displayName":"{ada.displayName}","active":true}
      """
    Then the response status is 201
    And the JSON at "id" is not empty
    And the JSON at "userName" is "{ada.userName}"
    And the JSON at "active" is true

  @should @rfc
  Scenario: the password Okta sends is never returned (RFC 7643 §4.1.1)
    Given Okta has a user "ada"
    When Okta assigns the app to "ada"
    Then the JSON at "password" is absent
    When the client sends GET "/Users/{ada}"
    Then the JSON at "password" is absent

  @should @review
  Scenario: active is a JSON boolean (RFC 7643 §4.1.1)
    Given Okta has provisioned "ada"
    When the client sends GET "/Users/{ada}"
    Then the response status is 200
    And the JSON at "active" is true

  @rfc
  Scenario: a created user's Location header is its absolute URL, the same as meta.location
    Given Okta has a user "ada"
    When the client sends POST "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{ada.userName}","active":true,
       "name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"primary":true,"value":"{ada.email}","type":"work"}]}
      """
    Then the response status is 200 or 201
    And the response header "Location" is the absolute URL in the JSON at "meta.location"

  @rfc
  Scenario: a user with two primary emails is refused or keeps one primary
    Given Okta has a user "ada"
    When the client sends POST "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{ada.userName}","active":true,
       "emails":[{"primary":true,"value":"{ada.email}","type":"work"},{"primary":true,"value":"home.{ada.email}","type":"home"}]}
      """
    Then the app refused the user with 400 or kept one primary email

  @rfc
  Scenario: an email sent twice is stored once
    Given Okta has a user "ada"
    When the client sends POST "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{ada.userName}","active":true,
       "emails":[{"primary":true,"value":"{ada.email}","type":"work"},{"value":"{ada.email}","type":"work"}]}
      """
    Then the app refused the user with 400 or kept the repeated email once
