@deactivate-users
Feature: Deactivate users
  When a user is deactivated in Okta or unassigned from the app, Okta reads the user and then
  deactivates it: OIN apps send PATCH /Users/{id} with one path-less operation
  {"op":"replace","value":{"active":false}} (lower-case op, a JSON boolean) and accept 200 with
  the user or 204; AIW apps send PUT /Users/{id} with the whole object and "active": false. The
  user must stay readable: a later GET answers 200 with active false, not 404. Okta never sends
  DELETE /Users (okta-wire §0, §4, §9.3, §11 items 16, 17, 20 and 21; RFC 7644 §3.5.2).

  Background:
    Given Okta has provisioned "ada"

  @must @oin
  Scenario: an OIN app deactivates with a path-less PATCH
    When Okta deactivates "ada"
    Then Okta deactivated "ada" with a PATCH
    And reading "ada" back shows "active" as false

  @must @aiw
  Scenario: an AIW app deactivates with a PUT of the whole user
    When Okta deactivates "ada"
    Then Okta deactivated "ada" with a PUT
    And the response status is 200
    And the JSON at "active" is false
    And reading "ada" back shows "active" as false

  @must
  Scenario: unassigning the app deactivates the user and never deletes it
    When Okta unassigns the app from "ada"
    Then reading "ada" back shows "active" as false
    And reading "ada" back shows "userName" as "{ada.userName}"
    And Okta never sent DELETE /Users

  @should @rfc
  Scenario: PATCH op names are case-insensitive (RFC 7644 §3.5.2)
    When the client sends PATCH "/Users/{ada}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations":[{"op":"Replace","value":{"active":false}}]}
      """
    Then the response status is 200 or 204
    And reading "ada" back shows "active" as false
