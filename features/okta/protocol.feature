@protocol @rfc
Feature: SCIM protocol
  What RFC 7644 asks of every SCIM service provider and Okta neither sends nor reads: answers
  labelled application/scim+json (§3.1, §8.1), a 401 that names its authentication scheme in
  WWW-Authenticate (RFC 7235 §3.1), and the discovery endpoints (§4). Okta parses any JSON
  answer, shows the admin the detail of a 401 and does not call discovery for SCIM 2.0 apps
  without entitlements (okta-wire §1.2, §1.4, §10), so every check here is at rfc grade: a
  failure is a finding for other SCIM clients, never a reason Okta fails.

  Scenario: answers are labelled application/scim+json
    Given the app already has active users "ada"
    When the client sends GET "/Users?startIndex=1&count=2"
    Then the response status is 200
    And the response is labelled application/scim+json

  Scenario: a 401 names the scheme it wants in WWW-Authenticate
    Given the client's next request carries no Authorization header
    When the client sends GET "/Users?startIndex=1&count=2"
    Then the response status is 401
    And the response carries a WWW-Authenticate header

  Scenario: the discovery endpoints describe the server
    Then the discovery endpoints answer
