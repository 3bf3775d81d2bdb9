@reactivate-users
Feature: Reactivate users
  Okta reactivates a deactivated user in one of two ways. When Okta still holds the user's app
  id (the user was reactivated in Okta), it reads the user, activates it (PATCH
  {"op":"replace","value":{"active":true}} in OIN apps, PUT with "active": true in AIW apps), then
  reads it again and PUTs the profile. When the user is assigned again after an unassignment, it
  runs the whole assignment: the userName look-up must still find the inactive user, after which
  Okta reads, activates, reads and PUTs. Either way Okta never POSTs, and the user keeps the id it
  had (okta-wire §2.4, §3.1, §5, §8.5 steps 12–15, §11 items 18 and 19).

  Background:
    Given Okta has provisioned "ada"

  @must
  Scenario Outline: a user reactivated in Okta is activated through its stored id (<mode>)
    Given Okta has deactivated "ada"
    When Okta reactivates "ada"
    Then Okta activated "ada" with a <method>
    And Okta sent no POST for "ada"
    And reading "ada" back shows "active" as true
    And reading "ada" back shows "id" as "{ada}"

    @oin
    Examples: OIN apps activate with PATCH
      | mode | method |
      | OIN  | PATCH  |

    @aiw
    Examples: AIW apps activate with PUT
      | mode | method |
      | AIW  | PUT    |

  @must
  Scenario Outline: a user assigned again is found by the look-up although inactive (<mode>)
    Given Okta has unassigned the app from "ada"
    When Okta assigns the app to "ada" again
    Then Okta linked "ada" to the existing app user without a POST
    And Okta activated "ada" with a <method>
    And reading "ada" back shows "active" as true
    And reading "ada" back shows "id" as "{ada}"

    @oin
    Examples: OIN apps activate with PATCH
      | mode | method |
      | OIN  | PATCH  |

    @aiw
    Examples: AIW apps activate with PUT
      | mode | method |
      | AIW  | PUT    |

  @optional @oin
  Scenario: a stale profile PUT right after the reactivation PATCH wins (last write wins)
    Given Okta has deactivated "ada"
    When Okta reactivates "ada" and then pushes a stale profile with active false
    Then reading "ada" back shows "active" as false
    And reading "ada" back shows "id" as "{ada}"
