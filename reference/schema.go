package reference

import "strings"

// Schema URNs served by the reference server (RFC 7643 §8.7).
const (
	UserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ListSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchOpSchema    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SPConfigSchema   = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeURN  = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaURN        = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// AttrType is a SCIM attribute data type (RFC 7643 §2.3).
type AttrType string

// The SCIM data types.
const (
	TypeString    AttrType = "string"
	TypeBoolean   AttrType = "boolean"
	TypeDecimal   AttrType = "decimal"
	TypeInteger   AttrType = "integer"
	TypeDateTime  AttrType = "dateTime"
	TypeBinary    AttrType = "binary"
	TypeReference AttrType = "reference"
	TypeComplex   AttrType = "complex"
)

// Mutability values (RFC 7643 §7).
const (
	ReadOnly  = "readOnly"
	ReadWrite = "readWrite"
	Immutable = "immutable"
	WriteOnly = "writeOnly"
)

// Returned values (RFC 7643 §7).
const (
	ReturnedAlways  = "always"
	ReturnedNever   = "never"
	ReturnedDefault = "default"
	ReturnedRequest = "request"
)

// Attribute describes one SCIM attribute or sub-attribute (RFC 7643 §7).
type Attribute struct {
	Name            string       `json:"name"`
	Type            AttrType     `json:"type"`
	SubAttributes   []*Attribute `json:"subAttributes,omitempty"`
	MultiValued     bool         `json:"multiValued"`
	Description     string       `json:"description,omitempty"`
	Required        bool         `json:"required"`
	CanonicalValues []string     `json:"canonicalValues,omitempty"`
	CaseExact       bool         `json:"caseExact"`
	Mutability      string       `json:"mutability"`
	Returned        string       `json:"returned"`
	Uniqueness      string       `json:"uniqueness"`
	ReferenceTypes  []string     `json:"referenceTypes,omitempty"`
}

// Sub returns the sub-attribute named name (case-insensitive), or nil.
func (a *Attribute) Sub(name string) *Attribute {
	if a == nil {
		return nil
	}
	return findAttr(a.SubAttributes, name)
}

// Schema is a SCIM schema: its URN and top-level attributes.
type Schema struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Attributes  []*Attribute `json:"attributes"`
}

// Attr returns the top-level attribute named name (case-insensitive), or nil.
func (s *Schema) Attr(name string) *Attribute {
	if s == nil {
		return nil
	}
	return findAttr(s.Attributes, name)
}

// ResourceType is a SCIM resource type (RFC 7643 §6): its core schema and its extensions.
type ResourceType struct {
	ID          string
	Name        string
	Endpoint    string
	Description string
	Schema      *Schema
	Extensions  []*Schema
	// Common are id, externalId and meta, which every resource carries (RFC 7643 §3.1).
	Common []*Attribute
}

// commonAttributes returns id, externalId and meta, which every resource carries (RFC 7643 §3.1).
func commonAttributes() []*Attribute {
	return []*Attribute{
		{Name: "id", Type: TypeString, CaseExact: true, Mutability: ReadOnly, Returned: ReturnedAlways, Uniqueness: "server",
			Description: "Unique identifier for the SCIM resource as defined by the service provider."},
		{Name: "externalId", Type: TypeString, CaseExact: true, Mutability: ReadWrite, Returned: ReturnedDefault, Uniqueness: "none",
			Description: "An identifier for the resource as defined by the provisioning client."},
		{Name: "meta", Type: TypeComplex, Mutability: ReadOnly, Returned: ReturnedDefault, Uniqueness: "none",
			Description: "Resource metadata.", SubAttributes: []*Attribute{
				str("resourceType", ReadOnly, true), dt("created", ReadOnly), dt("lastModified", ReadOnly),
				ref("location", ReadOnly, "uri"), str("version", ReadOnly, true),
			}},
	}
}

// Resolve finds the attribute an attribute path names: uri is an optional schema URN prefix
// (core or extension, case-insensitive), attr the attribute name and sub an optional
// sub-attribute. It returns the extension schema the attribute lives in (nil for core and
// common attributes), the attribute, and the sub-attribute (nil when sub is empty). ok is false
// when nothing matches.
func (rt *ResourceType) Resolve(uri, attr, sub string) (ext *Schema, a, s *Attribute, ok bool) {
	if uri != "" {
		switch {
		case strings.EqualFold(uri, rt.Schema.ID):
			a = rt.coreAttr(attr)
		default:
			ext = rt.Extension(uri)
			if ext == nil {
				return nil, nil, nil, false
			}
			a = ext.Attr(attr)
		}
	} else {
		a = rt.coreAttr(attr)
		if a == nil {
			// "urn:...:User:employeeNumber" without the parser splitting it, or an extension attribute
			// named without its URN: RFC 7644 §3.10 allows the short form when it is unambiguous.
			for _, e := range rt.Extensions {
				if x := e.Attr(attr); x != nil {
					ext, a = e, x
					break
				}
			}
		}
	}
	if a == nil {
		return nil, nil, nil, false
	}
	if sub != "" {
		s = a.Sub(sub)
		if s == nil {
			return nil, nil, nil, false
		}
	}
	return ext, a, s, true
}

// Extension returns the extension schema with the given URN (case-insensitive), or nil.
func (rt *ResourceType) Extension(urn string) *Schema {
	for _, e := range rt.Extensions {
		if strings.EqualFold(e.ID, urn) {
			return e
		}
	}
	return nil
}

func (rt *ResourceType) coreAttr(name string) *Attribute {
	if a := findAttr(rt.Common, name); a != nil {
		return a
	}
	return rt.Schema.Attr(name)
}

// SplitURN splits "urn:…:User:name.givenName" style paths: when p starts with a known schema
// URN of rt followed by ':', it returns that URN and the rest. Otherwise it returns "", p.
func (rt *ResourceType) SplitURN(p string) (urn, rest string) {
	schemas := append([]*Schema{rt.Schema}, rt.Extensions...)
	for _, s := range schemas {
		if len(p) > len(s.ID) && strings.EqualFold(p[:len(s.ID)], s.ID) && p[len(s.ID)] == ':' {
			return s.ID, p[len(s.ID)+1:]
		}
	}
	return "", p
}

func findAttr(list []*Attribute, name string) *Attribute {
	for _, a := range list {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

func str(name, mut string, caseExact bool) *Attribute {
	return &Attribute{Name: name, Type: TypeString, CaseExact: caseExact, Mutability: mut, Returned: ReturnedDefault, Uniqueness: "none"}
}

func dt(name, mut string) *Attribute {
	return &Attribute{Name: name, Type: TypeDateTime, Mutability: mut, Returned: ReturnedDefault, Uniqueness: "none"}
}

func boolean(name, mut string) *Attribute {
	return &Attribute{Name: name, Type: TypeBoolean, Mutability: mut, Returned: ReturnedDefault, Uniqueness: "none"}
}

func ref(name, mut string, types ...string) *Attribute {
	return &Attribute{Name: name, Type: TypeReference, CaseExact: true, Mutability: mut, Returned: ReturnedDefault, Uniqueness: "none", ReferenceTypes: types}
}

func complexAttr(name string, multi bool, mut string, subs ...*Attribute) *Attribute {
	return &Attribute{Name: name, Type: TypeComplex, MultiValued: multi, Mutability: mut, Returned: ReturnedDefault, Uniqueness: "none", SubAttributes: subs}
}

// multiValued builds the usual value/display/type/primary multi-valued complex attribute.
func multiValued(name string, valueType AttrType, types ...string) *Attribute {
	v := str("value", ReadWrite, false)
	v.Type = valueType
	t := str("type", ReadWrite, false)
	t.CanonicalValues = types
	return complexAttr(name, true, ReadWrite, v, str("display", ReadWrite, false), t, boolean("primary", ReadWrite))
}

func newUserSchema() *Schema {
	userName := str("userName", ReadWrite, false)
	userName.Required, userName.Uniqueness = true, "server"
	userName.Description = "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. REQUIRED."
	password := str("password", WriteOnly, false)
	password.Returned = ReturnedNever
	active := boolean("active", ReadWrite)
	active.Description = "A Boolean value indicating the User's administrative status."
	addresses := complexAttr("addresses", true, ReadWrite,
		str("formatted", ReadWrite, false), str("streetAddress", ReadWrite, false), str("locality", ReadWrite, false),
		str("region", ReadWrite, false), str("postalCode", ReadWrite, false), str("country", ReadWrite, false),
		func() *Attribute {
			t := str("type", ReadWrite, false)
			t.CanonicalValues = []string{"work", "home", "other"}
			return t
		}(),
		boolean("primary", ReadWrite))
	groupValue := str("value", ReadOnly, false)
	groups := complexAttr("groups", true, ReadOnly, groupValue, ref("$ref", ReadOnly, "User", "Group"),
		str("display", ReadOnly, false), func() *Attribute {
			t := str("type", ReadOnly, false)
			t.CanonicalValues = []string{"direct", "indirect"}
			return t
		}())
	groups.Description = "A list of groups to which the user belongs, either through direct membership or indirectly. Read-only: derived from Group membership."
	x509 := complexAttr("x509Certificates", true, ReadWrite, func() *Attribute { v := str("value", ReadWrite, true); v.Type = TypeBinary; return v }(),
		str("display", ReadWrite, false), str("type", ReadWrite, false), boolean("primary", ReadWrite))
	return &Schema{
		ID: UserSchema, Name: "User", Description: "User Account",
		Attributes: []*Attribute{
			userName,
			complexAttr("name", false, ReadWrite,
				str("formatted", ReadWrite, false), str("familyName", ReadWrite, false), str("givenName", ReadWrite, false),
				str("middleName", ReadWrite, false), str("honorificPrefix", ReadWrite, false), str("honorificSuffix", ReadWrite, false)),
			str("displayName", ReadWrite, false), str("nickName", ReadWrite, false), ref("profileUrl", ReadWrite, "external"),
			str("title", ReadWrite, false), str("userType", ReadWrite, false), str("preferredLanguage", ReadWrite, false),
			str("locale", ReadWrite, false), str("timezone", ReadWrite, false), active, password,
			multiValued("emails", TypeString, "work", "home", "other"),
			multiValued("phoneNumbers", TypeString, "work", "home", "mobile", "fax", "pager", "other"),
			multiValued("ims", TypeString, "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
			multiValued("photos", TypeReference, "photo", "thumbnail"),
			addresses, groups,
			multiValued("entitlements", TypeString), multiValued("roles", TypeString),
			x509,
		},
	}
}

func newGroupSchema() *Schema {
	displayName := str("displayName", ReadWrite, false)
	displayName.Required = true
	value := str("value", Immutable, true)
	members := complexAttr("members", true, ReadWrite, value, ref("$ref", Immutable, "User", "Group"),
		str("display", ReadWrite, false), func() *Attribute {
			t := str("type", Immutable, false)
			t.CanonicalValues = []string{"User", "Group"}
			return t
		}())
	members.Description = "A list of members of the Group."
	return &Schema{ID: GroupSchema, Name: "Group", Description: "Group", Attributes: []*Attribute{displayName, members}}
}

func newEnterpriseSchema() *Schema {
	manager := complexAttr("manager", false, ReadWrite, str("value", ReadWrite, false), ref("$ref", ReadWrite, "User"), str("displayName", ReadOnly, false))
	return &Schema{
		ID: EnterpriseSchema, Name: "EnterpriseUser", Description: "Enterprise User",
		Attributes: []*Attribute{
			str("employeeNumber", ReadWrite, false), str("costCenter", ReadWrite, false), str("organization", ReadWrite, false),
			str("division", ReadWrite, false), str("department", ReadWrite, false), manager,
		},
	}
}

// Schemas holds the resource types and schemas the reference server serves. It is immutable
// after NewSchemas returns; share one value freely.
type Schemas struct {
	User  *ResourceType
	Group *ResourceType
	All   []*Schema
}

// NewSchemas returns the User (with the enterprise extension) and Group resource types.
func NewSchemas() *Schemas {
	user, group, ent := newUserSchema(), newGroupSchema(), newEnterpriseSchema()
	return &Schemas{
		User:  &ResourceType{ID: "User", Name: "User", Endpoint: "/Users", Description: "User Account", Schema: user, Extensions: []*Schema{ent}, Common: commonAttributes()},
		Group: &ResourceType{ID: "Group", Name: "Group", Endpoint: "/Groups", Description: "Group", Schema: group, Common: commonAttributes()},
		All:   []*Schema{user, group, ent},
	}
}
