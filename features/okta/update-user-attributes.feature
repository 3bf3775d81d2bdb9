@update-users
Feature: Update user attributes
  When a user's profile changes in Okta, every kind of Okta app pushes it with a
  read-modify-write: GET /Users/{id}, then PUT /Users/{id} with the object the server returned,
  only the changed attributes overwritten. The PUT echoes what Okta got back (id, meta, groups,
  emails[].display) and adds what Okta keeps (externalId, the password, active), so the server
  must ignore read-only attributes instead of rejecting them, answer 200 with the updated user,
  and keep the change for the next GET. Okta also pushes emptied attributes (blank or left out)
  and userName changes as ordinary updates (okta-wire §3.1, §3.2, §8.3 "Update User", §8.6
  C9337, §11 items 12–15; RFC 7644 §3.5.1).

  Background:
    Given Okta has provisioned "ada"

  @must
  Scenario Outline: Okta pushes a changed <attribute>
    When Okta changes the <attribute> of "ada" to "<value>"
    Then the response status is 200
    And the JSON at "<path>" is "<value>"
    And reading "ada" back shows "<path>" as "<value>"
    And reading "ada" back shows "id" as "{ada}"

    Examples:
      | attribute   | value   | path            |
      | first name  | Augusta | name.givenName  |
      | last name   | King    | name.familyName |
      | middle name | Ada     | name.middleName |
      | title       | Analyst | title           |

  @must
  Scenario: Okta pushes a new primary email
    When Okta changes the primary email of "ada" to a new address
    Then the response status is 200
    And the JSON at "emails.0.value" is "{ada.email}"
    And reading "ada" back shows "emails.0.value" as "{ada.email}"
    And reading "ada" back shows "userName" as "{ada.userName}"

  @must
  Scenario: Okta pushes a new userName for the same id
    When Okta changes the userName of "ada" to a new address
    Then the response status is 200
    And the JSON at "userName" is "{ada.userName}"
    And reading "ada" back shows "userName" as "{ada.userName}"
    And reading "ada" back shows "id" as "{ada}"

  @must
  Scenario: Okta adds a phone number the user did not have
    When Okta adds the work phone number "555-555-5555" to "ada"
    Then the response status is 200
    And the JSON at "phoneNumbers.0.value" is "555-555-5555"
    And the JSON at "phoneNumbers.0.type" is "work"
    And reading "ada" back shows "phoneNumbers.0.value" as "555-555-5555"

  @must
  Scenario Outline: Okta pushes an attribute that was <how> in Okta
    Given Okta has changed the title of "ada" to "Analyst"
    When Okta <action> the title of "ada"
    Then the response status is 200
    And reading "ada" back shows no "title"
    And reading "ada" back shows "name.givenName" as "{ada.givenName}"

    Examples:
      | how     | action  |
      | emptied | empties |
      | removed | removes |

  @should @rfc
  Scenario: meta.version changes when Okta writes (RFC 7644 §3.14)
    Given the app advertises "etag" in its ServiceProviderConfig
    When the client sends GET "/Users/{ada}"
    And the client remembers the JSON at "meta.version" as "before"
    And Okta changes the first name of "ada" to "Augusta"
    Then the response status is 200
    And the JSON at "meta.version" is not "{before}"

  @optional @oin
  Scenario: Okta syncs a new password with a path-less PATCH (body shape inferred, okta-wire §9.5)
    When Okta syncs a new password for "ada"
    Then the response status is 200 or 204
    When the client sends GET "/Users/{ada}"
    Then the JSON at "password" is absent
