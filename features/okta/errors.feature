@errors
Feature: Errors
  Okta parses every answer as JSON, error answers included, and shows the SCIM Error's detail to
  the admin; a plain-text error body breaks its parser ("Unrecognized token"). An id the app does
  not know is answered 404 in the Error schema (schemas holds the Error URN, detail is set,
  status is "404" as a string or a number). A userName look-up that matches nothing is not an
  error: it is a 200 ListResponse with totalResults 0 and no resources, which Okta's spec test
  requires (okta-wire §1.2, §2.2, §8.2 steps 5, 7 and 23, §9.2, §11 items 4, 5, 27 and 36).

  @must
  Scenario Outline: a user id the app does not know is answered 404 in the Error schema (<id>)
    When the client sends GET "/Users/<id>"
    Then the response is a SCIM error with status 404

    Examples: the ids of Okta's spec test
      | id                             |
      | 010101001010101011001010101011 |
      | 00919288221112222              |

  @must
  Scenario: a group id the app does not know is answered 404 in the Error schema
    When the client sends GET "/Groups/{unknown-id}"
    Then the response is a SCIM error with status 404

  @must @review
  Scenario: a userName that matches nobody is an empty ListResponse, not 404
    Given Okta has provisioned "ada"
    And Okta has a user "nobody"
    When Okta looks up "nobody"
    Then the response status is 200
    And the response is a ListResponse
    And the JSON at "totalResults" is the number 0
    And the JSON at "Resources" is an empty array

  @must
  Scenario: error answers are JSON that Okta can parse
    Given Okta has provisioned "ada"
    When Okta sends the same POST for "ada" again
    Then the response is a SCIM error with status 409
    When the client sends GET "/Users/{unknown-id}"
    Then the response is a SCIM error with status 404

  @rfc
  Scenario: an error's status is the HTTP status code as a JSON string
    When the client sends GET "/Users/{unknown-id}"
    Then the response is a SCIM error with status 404
    And the JSON at "status" is the status code as a string
