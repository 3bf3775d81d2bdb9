@connection
Feature: Connection
  When an admin saves the API integration or clicks "Test API Credentials", Okta sends two
  constant requests, GET /Users?startIndex=1&count=2 and GET /Groups?startIndex=1&count=100, and
  needs a 200 ListResponse with integer counts, even from an app with no users (okta-wire §2.1,
  §7). Every request carries the configured credentials; a request with a wrong token, or with
  none, must be refused with 401 and a SCIM Error body whose detail Okta shows the admin and
  whose status is 401, as a string or a number (okta-wire §1.3, §1.4, §8.2 step 21, §9.2,
  §11 items 1, 2 and 37).

  @must
  Scenario: Test API Credentials reads a page of users and a page of groups
    Given the app already has active users "ada, grace, alan"
    When the client sends GET "/Users?startIndex=1&count=2"
    Then the response status is 200
    And the response is a ListResponse whose itemsPerPage counts its resources
    And the JSON at "itemsPerPage" is at most 2
    When the client sends GET "/Groups?startIndex=1&count=100"
    Then the response status is 200
    And the response is a ListResponse whose itemsPerPage counts its resources

  @must @review
  Scenario: a request with a wrong token is refused with 401
    Given the client's next request carries the Authorization header "non-token"
    When Okta looks up "ada"
    Then the response is a SCIM error with status 401

  @must @review
  Scenario: a request without credentials is refused with 401
    Given the client's next request carries no Authorization header
    When Okta looks up "ada"
    Then the response is a SCIM error with status 401
