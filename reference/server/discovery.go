package server

import (
	"net/http"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
)

// serviceProviderConfig answers GET /ServiceProviderConfig (RFC 7643 §5), telling the truth:
// PATCH, filter, sort, ETag and password change are supported; bulk is not.
func (h *Handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	var schemes []any
	if h.opts.Token != "" {
		schemes = append(schemes, map[string]any{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "Authentication with a bearer token: Authorization: Bearer <token>.",
		})
	}
	if h.opts.Basic != "" {
		schemes = append(schemes, map[string]any{
			"type": "httpbasic", "name": "HTTP Basic", "primary": h.opts.Token == "",
			"description": "Authentication with HTTP Basic (RFC 7617).",
		})
	}
	h.writeJSON(w, http.StatusOK, map[string]any{
		"schemas":               []string{reference.SPConfigSchema},
		"documentationUri":      "https://github.com/scimcheck/scimcheck#the-reference-server",
		"patch":                 map[string]any{"supported": true},
		"bulk":                  map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":                map[string]any{"supported": true, "maxResults": h.opts.MaxPageSize},
		"changePassword":        map[string]any{"supported": true},
		"sort":                  map[string]any{"supported": true},
		"etag":                  map[string]any{"supported": h.quirks.ETagsSupported()},
		"authenticationSchemes": schemes,
		"meta": map[string]any{
			"resourceType": "ServiceProviderConfig",
			"location":     baseURL(r) + "/ServiceProviderConfig",
		},
	})
}

func (h *Handler) resourceTypeJSON(r *http.Request, rt *reference.ResourceType) map[string]any {
	exts := []any{}
	for _, e := range rt.Extensions {
		exts = append(exts, map[string]any{"schema": e.ID, "required": false})
	}
	return map[string]any{
		"schemas":          []string{reference.ResourceTypeURN},
		"id":               rt.ID,
		"name":             rt.Name,
		"endpoint":         rt.Endpoint,
		"description":      rt.Description,
		"schema":           rt.Schema.ID,
		"schemaExtensions": exts,
		"meta":             map[string]any{"resourceType": "ResourceType", "location": baseURL(r) + "/ResourceTypes/" + rt.ID},
	}
}

// resourceTypes answers GET /ResourceTypes and GET /ResourceTypes/{name}.
func (h *Handler) resourceTypes(w http.ResponseWriter, r *http.Request, name []string) {
	all := []*reference.ResourceType{h.schemas.User, h.schemas.Group}
	if len(name) == 1 {
		for _, rt := range all {
			if strings.EqualFold(rt.ID, name[0]) {
				h.writeJSON(w, http.StatusOK, h.resourceTypeJSON(r, rt))
				return
			}
		}
		h.writeError(w, reference.NotFound("no resource type %q: this server has User and Group", name[0]))
		return
	}
	var list []any
	for _, rt := range all {
		list = append(list, h.resourceTypeJSON(r, rt))
	}
	h.writeListResponse(w, list)
}

func schemaJSON(r *http.Request, s *reference.Schema) map[string]any {
	return map[string]any{
		"schemas":     []string{reference.SchemaURN},
		"id":          s.ID,
		"name":        s.Name,
		"description": s.Description,
		"attributes":  s.Attributes,
		"meta":        map[string]any{"resourceType": "Schema", "location": baseURL(r) + "/Schemas/" + s.ID},
	}
}

// schemaList answers GET /Schemas and GET /Schemas/{urn}.
func (h *Handler) schemaList(w http.ResponseWriter, r *http.Request, id []string) {
	if len(id) == 1 {
		for _, s := range h.schemas.All {
			if strings.EqualFold(s.ID, id[0]) {
				h.writeJSON(w, http.StatusOK, schemaJSON(r, s))
				return
			}
		}
		h.writeError(w, reference.NotFound("no schema %q", id[0]))
		return
	}
	var list []any
	for _, s := range h.schemas.All {
		list = append(list, schemaJSON(r, s))
	}
	h.writeListResponse(w, list)
}

func (h *Handler) writeListResponse(w http.ResponseWriter, list []any) {
	h.writeJSON(w, http.StatusOK, map[string]any{
		"schemas":      []string{reference.ListSchema},
		"totalResults": len(list),
		"startIndex":   1,
		"itemsPerPage": len(list),
		"Resources":    list,
	})
}
