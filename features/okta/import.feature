@import
Feature: Import
  An import reads every user (and, with Import Groups on, every group) a page at a time:
  GET /Users?startIndex=1&count=100, then startIndex=101, 201, … while startIndex <= totalResults.
  Okta steps by 100 whatever a page held, so the server must honour count=100, keep the order
  stable between requests, report totalResults, startIndex and itemsPerPage as JSON integers with
  itemsPerPage equal to the resources actually on the page, and answer a page past the end with
  200 and no resources. The checks only look at the users and groups this scenario made, so a
  target holding other data can be tested too; the walks are tagged @exclusive, so that no other
  scenario writes while they page (okta-wire §7, §9.4, §11 items 22–24).

  @must @exclusive
  Scenario: Okta imports users 100 at a time
    Given the app already has 120 users of this scenario
    When Okta imports users
    Then every page was a ListResponse whose itemsPerPage counts its resources
    And every page but the last held 100 resources
    And the import saw each of this scenario's users exactly once
    When Okta imports users again
    Then both imports saw this scenario's users in the same order

  @must @exclusive
  Scenario: Okta imports groups 100 at a time
    Given the app already has 105 groups of this scenario
    When Okta imports groups
    Then every page was a ListResponse whose itemsPerPage counts its resources
    And every page but the last held 100 resources
    And the import saw each of this scenario's groups exactly once
    When Okta imports groups again
    Then both imports saw this scenario's groups in the same order

  @must
  Scenario Outline: a page past the end of the <resources> is empty
    Given the app already has an active user "ada"
    And the app already has a group "engineering"
    When the client asks for the page of <resources> after the last one
    Then the response status is 200
    And the response is a ListResponse whose itemsPerPage counts its resources
    And the JSON at "itemsPerPage" is the number 0
    And the JSON at "Resources" is an empty array

    Examples:
      | resources |
      | users     |
      | groups    |

