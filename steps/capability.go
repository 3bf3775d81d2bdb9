package steps

import "slices"

// Capability is one of Okta's provisioning capabilities as scimcheck tests it: the feature tag
// that marks its scenarios, the name Okta's admin console gives it, and the requirement a
// protocol-level check of its scenarios enforces when the step did not name a more precise
// one.
type Capability struct {
	Tag         string // e.g. "@push-users"
	Title       string // e.g. "Push users"
	Requirement string // "" for none: the scenario's steps name theirs
}

// Capabilities returns the capabilities in the order of the run's capability table, a copy
// the caller may change.
func Capabilities() []Capability { return slices.Clone(capabilityTable) }

// capabilityTable is the one place that lists the capabilities: the feature files carry the
// tags, and a test checks that every feature file of features/okta has exactly one of them.
// It is never modified.
var capabilityTable = []Capability{
	{"@connection", "Connection", "Test API Credentials sends GET /Users?startIndex=1&count=2 and GET /Groups?startIndex=1&count=100 " +
		"and needs 200 ListResponses with integer counts (okta-wire §2.1, §7)"},
	{"@errors", "Errors", becauseError},
	{"@push-users", "Push users", becauseLookup},
	{"@update-users", "Update user attributes", becausePut},
	{"@deactivate-users", "Deactivate users", becauseDeactivate + "; PATCH op names are case-insensitive (RFC 7644 §3.5.2)"},
	{"@reactivate-users", "Reactivate users", becauseActivate},
	{"@push-groups", "Push groups", becauseMemberOp},
	{"@import", "Import", becauseImport},
	{"@reprovisioning", "Reprovisioning", becauseLookupMatch},
	{"@spec-test", "Okta spec test", "Okta's SCIM 2.0 Spec Test asserts this step (okta-wire §8.2, §8.3)"},
	{"@protocol", "SCIM protocol (RFC)", ""},
}

// capabilityBecause returns the requirement of the capability tagged tag, or "".
func capabilityBecause(tag string) string {
	for _, c := range capabilityTable {
		if c.Tag == tag {
			return c.Requirement
		}
	}
	return ""
}
