@reprovisioning
Feature: Reprovisioning
  The troubleshooting cases Okta support sees most. A user who was in the app before
  provisioning was switched on must be found by Okta's userName look-up and linked, not POSTed
  again into a 409. A user whose userName and email change in Okta keeps the same app user: the
  profile PUT carries the new userName, and Okta's next look-up by the new userName finds the
  same id while the old one finds nobody. A task that failed after its POST succeeded and is
  retried runs the whole assignment again: the look-up now finds the user and links it, so the
  app never holds two users for one person (okta-wire §2.2, §2.4, §2.5, §3.2, §9.1, §9.4).

  @must
  Scenario: a user created in the app before provisioning was switched on is linked
    Given the app already has an active user "ada"
    When Okta assigns the app to "ada"
    Then Okta linked "ada" to the existing app user without a POST
    And the app has exactly one user with the userName of "ada"

  @must
  Scenario: a user the app stored with a differently-cased userName is linked
    Given the app already has an active user "ada" whose userName is in upper case
    When Okta assigns the app to "ada"
    Then Okta linked "ada" to the existing app user without a POST

  @must
  Scenario: a user whose userName and email changed keeps the same app user
    Given Okta has provisioned "ada"
    When Okta changes the userName and primary email of "ada" to a new address
    Then the response status is 200
    When Okta looks up "ada"
    Then the JSON at "totalResults" is the number 1
    And the JSON at "Resources.0.id" is "{ada}"
    When Okta looks up the old userName of "ada"
    Then Okta finds nobody

  @must
  Scenario: a failed task that is retried does not create a second user
    Given Okta has a user "ada"
    And Okta has assigned the app to "ada"
    When Okta retries the assignment of "ada"
    Then Okta linked "ada" to the existing app user without a POST
    And the app has exactly one user with the userName of "ada"
