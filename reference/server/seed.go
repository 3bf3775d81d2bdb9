package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/filter"
	"github.com/scimcheck/scimcheck/reference/store"
)

// Seed is the JSON fixture format of --seed-data: users and groups that exist before Okta's
// provisioning is switched on. A user may carry an "id" (so fixtures can name it); group
// members name a user by "value" (an id) or by "userName" (any letter case).
type Seed struct {
	Users  []map[string]any `json:"Users"`
	Groups []map[string]any `json:"Groups"`
}

// LoadSeedFile loads the Seed in the file at path into st, as LoadSeed does, in one
// transaction. It streams the file: it decodes one user or group at a time and inserts it
// before reading the next, so memory does not grow with the file (groups that come before
// "Users" in the file are kept until the users are in). Errors name the file and the failing
// entry; a file that fails loads nothing.
func LoadSeedFile(ctx context.Context, st *store.Store, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read seed data: %w", err)
	}
	defer f.Close()
	err = st.Tx(ctx, func(tx reference.Tx) error {
		return newSeeder(tx).stream(bufio.NewReaderSize(f, 64<<10))
	})
	var bad invalidSeed
	switch {
	case errors.As(err, &bad):
		return fmt.Errorf("seed data %s is not valid JSON: %w", path, bad.err)
	case err != nil:
		return fmt.Errorf("seed data %s: %w", path, err)
	}
	return nil
}

// LoadSeed creates seed's users, then its groups, in one transaction. It is idempotent, so a
// server restarted with --db and the same --seed-data starts: a user whose id or userName
// (case-insensitively) already exists, and a group whose id or displayName already exists,
// is left as it is. Errors name the entry (1-based) and wrap the *reference.Error.
func LoadSeed(ctx context.Context, st *store.Store, seed Seed) error {
	return st.Tx(ctx, func(tx reference.Tx) error {
		s := newSeeder(tx)
		for _, u := range seed.Users {
			if err := s.user(u); err != nil {
				return err
			}
		}
		for _, g := range seed.Groups {
			// group rewrites members named by userName: not in the caller's map.
			if err := s.group(reference.DeepCopy(g).(map[string]any)); err != nil {
				return err
			}
		}
		return nil
	})
}

// invalidSeed is a seed file that is not JSON, or not of Seed's shape.
type invalidSeed struct{ err error }

func (e invalidSeed) Error() string { return e.err.Error() }
func (e invalidSeed) Unwrap() error { return e.err }

// seeder loads users and groups into one transaction, numbering them as they come.
type seeder struct {
	tx            reference.Tx
	schemas       *reference.Schemas
	users, groups int
}

func newSeeder(tx reference.Tx) *seeder { return &seeder{tx: tx, schemas: reference.NewSchemas()} }

// stream reads one Seed object from r, loading each user as it is decoded, and each group too
// once the users are in. Errors: invalidSeed, or the failing entry's.
func (s *seeder) stream(r io.Reader) error {
	dec := json.NewDecoder(r)
	if err := delim(dec, '{', "a seed file is an object with \"Users\" and \"Groups\""); err != nil {
		return err
	}
	var early []map[string]any // groups seen before the users
	var sawUsers, sawGroups bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return invalidSeed{err}
		}
		key, _ := tok.(string)
		switch {
		case strings.EqualFold(key, "Users"):
			if sawUsers {
				return invalidSeed{errors.New(`"Users" given twice`)}
			}
			sawUsers = true
			if err := eachObject(dec, "Users", s.user); err != nil {
				return err
			}
		case strings.EqualFold(key, "Groups"):
			if sawGroups {
				return invalidSeed{errors.New(`"Groups" given twice`)}
			}
			sawGroups = true
			load := s.group
			if !sawUsers {
				load = func(g map[string]any) error { early = append(early, g); return nil }
			}
			if err := eachObject(dec, "Groups", load); err != nil {
				return err
			}
		default: // ignored, as json.Unmarshal ignores unknown fields
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return invalidSeed{err}
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return invalidSeed{err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidSeed{errors.New("data after the seed object")}
	}
	for _, g := range early {
		if err := s.group(g); err != nil {
			return err
		}
	}
	return nil
}

// delim reads the next token and requires it to be d; what names the expected shape.
func delim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return invalidSeed{err}
	}
	if tok != d {
		return invalidSeed{fmt.Errorf("%s, got %v", what, tok)}
	}
	return nil
}

// eachObject decodes the array (or null) of objects that is the value of key, calling fn with
// each object before it decodes the next.
func eachObject(dec *json.Decoder, key string, fn func(map[string]any) error) error {
	if !dec.More() {
		return invalidSeed{fmt.Errorf("%q has no value", key)}
	}
	tok, err := dec.Token()
	if err != nil {
		return invalidSeed{err}
	}
	if tok == nil { // "Users": null
		return nil
	}
	if tok != json.Delim('[') {
		return invalidSeed{fmt.Errorf("%q must be an array of objects, got %v", key, tok)}
	}
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return invalidSeed{fmt.Errorf("%q: %w", key, err)}
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing bracket
	if err != nil {
		return invalidSeed{err}
	}
	return nil
}

// user creates u unless a user with its id or userName exists.
func (s *seeder) user(u map[string]any) error {
	s.users++
	return s.insert(store.KindUser, s.schemas.User, "user", s.users, u, "userName")
}

// group creates g, its members named by id or userName, unless a group with its id or
// displayName exists.
func (s *seeder) group(g map[string]any) error {
	s.groups++
	list, _ := g["members"].([]any)
	for _, el := range list {
		m, _ := el.(map[string]any)
		un, ok := m["userName"].(string)
		if !ok {
			continue
		}
		uid, err := seeded(s.tx, s.schemas.User, "", "userName", un)
		if err != nil {
			return err
		}
		if uid == "" {
			return fmt.Errorf("group %d (%v): member userName %q is not a user", s.groups, g["displayName"], un)
		}
		m["value"] = uid
		delete(m, "userName")
		if _, ok := m["display"]; !ok {
			m["display"] = un
		}
	}
	return s.insert(store.KindGroup, s.schemas.Group, "group", s.groups, g, "displayName")
}

// insert normalizes raw as a resource of rt and creates it, unless one with its id or with
// its name (the value of attr) exists. Errors name it as what and its number i.
func (s *seeder) insert(kind string, rt *reference.ResourceType, what string, i int, raw map[string]any, attr string) error {
	res, err := reference.NormalizeResource(rt, raw)
	if err == nil {
		err = checkRequired(rt, res)
	}
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, i, err)
	}
	id, _ := raw["id"].(string)
	found, err := seeded(s.tx, rt, id, attr, str(res[attr]))
	if err != nil || found != "" {
		return err
	}
	if _, err := s.tx.Create(kind, id, res); err != nil {
		return fmt.Errorf("%s %d (%v): %w", what, i, raw[attr], err)
	}
	return nil
}

// seeded returns the id of the resource of rt with the given id, or else with attr equal to
// value (case-insensitively), or "" when there is none.
func seeded(tx reference.Tx, rt *reference.ResourceType, id, attr, value string) (string, error) {
	if id != "" {
		kind, err := tx.Exists(id)
		if err != nil || kind != "" {
			return id, err
		}
	}
	f, err := filter.Parse(attr+` eq "`+filterEscaper.Replace(value)+`"`, rt)
	if err != nil {
		return "", err
	}
	_, page, err := tx.List(rt.Name, reference.Query{Filter: f, StartIndex: 1, Count: 1})
	if err != nil || len(page) == 0 {
		return "", err
	}
	return str(page[0]["id"]), nil
}
