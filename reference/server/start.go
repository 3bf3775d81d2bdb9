package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/filter"
	"github.com/scimcheck/scimcheck/reference/store"
)

// Config configures Start.
type Config struct {
	// Addr to listen on; default "127.0.0.1:0" (a free loopback port).
	Addr string
	// DB is the SQLite file; empty means in memory.
	DB string
	// SeedData is a JSON fixture loaded before serving (see LoadSeed); empty loads nothing.
	SeedData string
	// Handler options. A zero Token gets a random one (Running.Token).
	Options Options
	// ReadTimeout bounds reading one request, body included; default 30s. A client that
	// stalls its upload is cut off then.
	ReadTimeout time.Duration
	// IdleTimeout closes a keep-alive connection idle that long; default 60s.
	IdleTimeout time.Duration
}

// Timeouts of the reference server's http.Server (Config's defaults).
const (
	readHeaderTimeout  = 10 * time.Second
	defaultReadTimeout = 30 * time.Second
	writeTimeout       = 60 * time.Second
	defaultIdleTimeout = 60 * time.Second
	// shutdownGrace is how long Close lets requests in flight finish before it closes their
	// connections.
	shutdownGrace = 3 * time.Second
)

// Running is a reference server serving on a real TCP listener.
type Running struct {
	// URL is the SCIM base URL, e.g. http://127.0.0.1:41234/scim/v2.
	URL string
	// Token is the bearer token it accepts.
	Token   string
	Store   *store.Store
	Handler *Handler
	addr    string
	srv     *http.Server
	done    chan error

	closeOnce sync.Once
	closeErr  error
}

// RandomToken returns 32 random hex characters.
func RandomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Start opens the store, loads the seed data and serves the reference server in the
// background until Close or ctx ends. Errors: the store, the seed file, or the listener.
func Start(ctx context.Context, cfg Config) (*Running, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Options.Token == "" && cfg.Options.Basic == "" {
		cfg.Options.Token = RandomToken()
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if cfg.SeedData != "" {
		if err := LoadSeedFile(ctx, st, cfg.SeedData); err != nil {
			st.Close()
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	h := NewHandler(st, cfg.Options)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       cmp.Or(cfg.ReadTimeout, defaultReadTimeout),
		WriteTimeout:      writeTimeout,
		IdleTimeout:       cmp.Or(cfg.IdleTimeout, defaultIdleTimeout),
		ErrorLog:          slogAdapter(cfg.Options.Log),
	}
	run := &Running{
		URL:     "http://" + ln.Addr().String() + BasePath,
		Token:   cfg.Options.Token,
		Store:   st,
		Handler: h,
		addr:    ln.Addr().String(),
		srv:     srv,
		done:    make(chan error, 1),
	}
	go func() { run.done <- srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = run.Close()
	}()
	return run, nil
}

// Close stops serving (letting requests in flight finish for up to 3 s, then closing their
// connections: a stalled upload does not hold it up) and closes the store. It may be called
// more than once, also concurrently (Start calls it when its context ends); every call returns
// the first call's error.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		err := r.srv.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = r.srv.Close() // the clients that did not finish in time lose their connection
		}
		if serr := <-r.done; err == nil && serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = fmt.Errorf("serve: %w", serr)
		}
		if cerr := r.Store.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close store: %w", cerr)
		}
		r.closeErr = err
	})
	return r.closeErr
}

// Addr returns the host:port the server listens on.
func (r *Running) Addr() string { return r.addr }

func slogAdapter(l *slog.Logger) *stdlog.Logger {
	if l == nil {
		return nil
	}
	return slog.NewLogLogger(l.Handler(), slog.LevelWarn)
}

// Seed is the JSON fixture format of --seed-data: users and groups that exist before Okta's
// provisioning is switched on. A user may carry an "id" (so fixtures can name it); group
// members name a user by "value" (an id) or by "userName" (any letter case).
type Seed struct {
	Users  []map[string]any `json:"Users"`
	Groups []map[string]any `json:"Groups"`
}

// LoadSeedFile loads a Seed from path into st. Errors name the file and the failing entry.
func LoadSeedFile(ctx context.Context, st *store.Store, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read seed data: %w", err)
	}
	var seed Seed
	if err := json.Unmarshal(raw, &seed); err != nil {
		return fmt.Errorf("seed data %s is not valid JSON: %w", path, err)
	}
	if err := LoadSeed(ctx, st, seed); err != nil {
		return fmt.Errorf("seed data %s: %w", path, err)
	}
	return nil
}

// LoadSeed creates seed's users, then its groups, in one transaction. It is idempotent, so a
// server restarted with --db and the same --seed-data starts: a user whose id or userName
// (case-insensitively) already exists, and a group whose id or displayName already exists,
// is left as it is. Errors name the entry (1-based) and wrap the *reference.Error.
func LoadSeed(ctx context.Context, st *store.Store, seed Seed) error {
	schemas := reference.NewSchemas()
	return st.Tx(ctx, func(tx reference.Tx) error {
		for i, u := range seed.Users {
			res, err := reference.NormalizeResource(schemas.User, u)
			if err != nil {
				return fmt.Errorf("user %d: %w", i+1, err)
			}
			if err := checkRequired(schemas.User, res); err != nil {
				return fmt.Errorf("user %d: %w", i+1, err)
			}
			id, _ := u["id"].(string)
			found, err := seeded(tx, schemas.User, id, "userName", str(res["userName"]))
			if err != nil {
				return err
			}
			if found != "" {
				continue
			}
			if _, err := tx.Create(store.KindUser, id, res); err != nil {
				return fmt.Errorf("user %d (%v): %w", i+1, u["userName"], err)
			}
		}
		for i, g := range seed.Groups {
			g = reference.DeepCopy(g).(map[string]any)
			list, _ := g["members"].([]any)
			for _, el := range list {
				m, _ := el.(map[string]any)
				un, ok := m["userName"].(string)
				if !ok {
					continue
				}
				uid, err := seeded(tx, schemas.User, "", "userName", un)
				if err != nil {
					return err
				}
				if uid == "" {
					return fmt.Errorf("group %d (%v): member userName %q is not a user", i+1, g["displayName"], un)
				}
				m["value"] = uid
				delete(m, "userName")
				if _, ok := m["display"]; !ok {
					m["display"] = un
				}
			}
			res, err := reference.NormalizeResource(schemas.Group, g)
			if err != nil {
				return fmt.Errorf("group %d: %w", i+1, err)
			}
			if err := checkRequired(schemas.Group, res); err != nil {
				return fmt.Errorf("group %d: %w", i+1, err)
			}
			id, _ := g["id"].(string)
			found, err := seeded(tx, schemas.Group, id, "displayName", str(res["displayName"]))
			if err != nil {
				return err
			}
			if found != "" {
				continue
			}
			if _, err := tx.Create(store.KindGroup, id, res); err != nil {
				return fmt.Errorf("group %d (%v): %w", i+1, g["displayName"], err)
			}
		}
		return nil
	})
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
