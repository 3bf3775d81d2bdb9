package server

import (
	"net/http"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
)

// attrRef is one entry of an attributes or excludedAttributes list, resolved against the
// resource type: ext is the extension URN ("" for core), attr and sub canonical names.
type attrRef struct{ ext, attr, sub string }

// projection is the attributes / excludedAttributes selection of RFC 7644 §3.4.2.5. only is
// true when attributes was given: then only the attributes it names (and those returned
// always) are returned, even when it names none this server knows.
type projection struct {
	include, exclude []attrRef
	only             bool
}

// requestProjection returns the projection r's query asks for.
func requestProjection(r *http.Request, rt *reference.ResourceType) projection {
	if r.URL.RawQuery == "" {
		return projection{}
	}
	q := r.URL.Query()
	return parseProjection(rt, q.Get("attributes"), q.Get("excludedAttributes"))
}

func parseProjection(rt *reference.ResourceType, include, exclude string) projection {
	return projection{
		include: parseAttrList(rt, include),
		exclude: parseAttrList(rt, exclude),
		only:    strings.Trim(include, " ,") != "",
	}
}

// parseAttrList resolves a comma-separated attribute list; names the resource type does not
// know are ignored, as RFC 7644 leaves them undefined and clients should not fail over them.
func parseAttrList(rt *reference.ResourceType, list string) []attrRef {
	if list == "" {
		return nil
	}
	var out []attrRef
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		urn, rest := rt.SplitURN(item)
		name, sub, _ := strings.Cut(rest, ".")
		ext, a, s, ok := rt.Resolve(urn, name, sub)
		if !ok {
			continue
		}
		ref := attrRef{attr: a.Name}
		if ext != nil {
			ref.ext = ext.ID
		}
		if s != nil {
			ref.sub = s.Name
		}
		out = append(out, ref)
	}
	return out
}

func (p projection) excludes(attr string) bool {
	for _, e := range p.exclude {
		if e.ext == "" && e.attr == attr && e.sub == "" {
			return true
		}
	}
	return false
}

// apply returns res restricted to the projection. id and schemas are always returned.
func (p projection) apply(rt *reference.ResourceType, res map[string]any) map[string]any {
	if p.only {
		out := map[string]any{"id": res["id"], "schemas": res["schemas"]}
		for _, ref := range p.include {
			src, dst := res, out
			if ref.ext != "" {
				m, ok := res[ref.ext].(map[string]any)
				if !ok {
					continue
				}
				src = m
				d, _ := out[ref.ext].(map[string]any)
				if d == nil {
					d = map[string]any{}
					out[ref.ext] = d
				}
				dst = d
			}
			v, ok := src[ref.attr]
			if !ok {
				continue
			}
			if ref.sub == "" {
				dst[ref.attr] = v
				continue
			}
			dst[ref.attr] = mergeSub(dst[ref.attr], v, ref.sub)
		}
		for k, v := range out {
			if m, ok := v.(map[string]any); ok && len(m) == 0 {
				delete(out, k)
			}
		}
		res = out
	}
	for _, ref := range p.exclude {
		target := res
		if ref.ext != "" {
			m, ok := res[ref.ext].(map[string]any)
			if !ok {
				continue
			}
			target = m
		}
		if ref.attr == "id" {
			continue
		}
		if ref.sub == "" {
			delete(target, ref.attr)
			continue
		}
		switch v := target[ref.attr].(type) {
		case map[string]any:
			delete(v, ref.sub)
		case []any:
			for _, el := range v {
				if m, ok := el.(map[string]any); ok {
					delete(m, ref.sub)
				}
			}
		}
	}
	return res
}

// mergeSub copies sub-attribute sub of src (a complex value or a list of them) into dst.
func mergeSub(dst, src any, sub string) any {
	switch s := src.(type) {
	case map[string]any:
		d, _ := dst.(map[string]any)
		if d == nil {
			d = map[string]any{}
		}
		if v, ok := s[sub]; ok {
			d[sub] = v
		}
		return d
	case []any:
		d, _ := dst.([]any)
		if len(d) != len(s) {
			d = make([]any, len(s))
		}
		for i, el := range s {
			m, _ := el.(map[string]any)
			dm, _ := d[i].(map[string]any)
			if dm == nil {
				dm = map[string]any{}
			}
			if v, ok := m[sub]; ok {
				dm[sub] = v
			}
			d[i] = dm
		}
		return d
	}
	return dst
}
