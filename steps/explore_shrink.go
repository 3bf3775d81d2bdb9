package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Shrinking: from the sequence that diverged, the shortest one found that still fails with
// the same root cause, its users and groups named in order ("ada" first) when it still fails so. Each candidate runs as a fresh trial (a world of its own, its own
// generated names, cleaned up after). Three moves, repeated while one of them helps: take
// actions out (delta debugging, chunks of halving size), merge two users or two groups into
// one, and simplify values (fewer members, one address attribute instead of two). After a
// move, the actions it made invalid are dropped (keepValid), and the candidate is cut after
// the action its divergence followed.

// shrinker is the state of one shrinking.
type shrinker struct {
	s        *Suite
	ctx      context.Context
	opts     ExploreOptions
	key      string
	runs     int
	best     []action
	trial    *trial
	failure  *divergence
	progress func(format string, args ...any)
}

// shrink returns the divergence orig found after seq, shrunk. When ctx ends while it
// shrinks, it returns the shortest sequence found so far (the whole one if none), saying so
// in Stopped. Errors: a harness bug.
func (s *Suite) shrink(ctx context.Context, orig *trial, seq []action, found *divergence, opts ExploreOptions) (*Divergence, error) {
	start := time.Now()
	sh := &shrinker{s: s, ctx: ctx, opts: opts, key: found.key, progress: opts.Progress}
	first := seq[:found.action]
	ok, err := sh.try(first)
	stopped := ""
	switch {
	case err != nil && errors.As(err, new(*HarnessError)):
		return nil, err
	case err != nil:
		stopped = err.Error()
	case !ok:
		opts.Progress("the divergence did not show again in a fresh run: the whole sequence is kept")
	}
	if sh.failure == nil {
		d := divergenceOf(orig, found, first)
		d.Found, d.ShrinkRuns, d.ShrinkTime, d.Stopped = found.action, sh.runs, time.Since(start), stopped
		return d, nil
	}
	for changed := true; changed && stopped == "" && sh.runs < opts.MaxShrinkRuns; {
		changed = false
		for _, move := range []func() (bool, error){sh.drop, sh.merge, sh.simplify, sh.rename} {
			c, err := move()
			if err != nil && errors.As(err, new(*HarnessError)) {
				return nil, err
			}
			if err != nil {
				stopped = err.Error()
				break
			}
			changed = changed || c
		}
	}
	d := divergenceOf(sh.trial, sh.failure, sh.best)
	d.Found, d.ShrinkRuns, d.ShrinkTime, d.Stopped, d.Reproduced = found.action, sh.runs, time.Since(start), stopped, true
	if stopped != "" {
		opts.Progress("shrinking stopped (%s): the shortest sequence so far is kept", stopped)
	}
	return d, nil
}

// divergenceOf returns the divergence f that trial t found after the actions seq: its steps
// (the passing checks left out), failure and transcript.
func divergenceOf(t *trial, f *divergence, seq []action) *Divergence {
	d := &Divergence{Diagnosis: f.diagnosis(), Cause: f.key, Grade: f.grade, Message: f.err.Error(), Actions: len(seq),
		Transcript: t.transcript()}
	for i, st := range t.steps {
		if st.text != "" && (!st.check || i == len(t.steps)-1) {
			d.Steps = append(d.Steps, st.text)
		}
	}
	return d
}

// rename names the users and groups in order (canonical), once the sequence is short: a
// cosmetic move, kept only when the renamed sequence still fails the same way.
func (sh *shrinker) rename() (bool, error) { return sh.attempt(canonical(sh.best)) }

// try runs cand as a fresh trial and, when it diverges with the same root cause, keeps it,
// cut after the action the divergence followed, and returns true.
func (sh *shrinker) try(cand []action) (bool, error) {
	if len(cand) == 0 || sh.runs >= sh.opts.MaxShrinkRuns {
		return false, nil
	}
	sh.runs++
	t := sh.s.newTrial(sh.ctx, fmt.Sprintf("explore seed %d shrink %d", sh.s.Seed, sh.runs), sh.opts.AIW)
	defer t.close()
	for _, a := range cand {
		f, err := t.run(a)
		if err != nil {
			return false, err
		}
		if f == nil {
			continue
		}
		if f.key != sh.key {
			return false, nil
		}
		if sh.best != nil && f.action == len(sh.best) {
			sh.progress("simplified, still %d actions (run %d)", f.action, sh.runs)
		} else {
			sh.progress("shrunk to %d actions (run %d)", f.action, sh.runs)
		}
		sh.best, sh.trial, sh.failure = slices.Clone(cand[:f.action]), t, f
		return true, nil
	}
	return false, nil
}

// attempt is try of what keepValid leaves of cand, unless that is no change.
func (sh *shrinker) attempt(cand []action) (bool, error) {
	cand = keepValid(cand)
	if len(cand) == len(sh.best) && slices.EqualFunc(cand, sh.best, sameAction) {
		return false, nil
	}
	return sh.try(cand)
}

// drop takes chunks of actions out, halving the chunk size down to single actions.
func (sh *shrinker) drop() (bool, error) {
	changed := false
	for n := 2; len(sh.best) >= 2 && sh.runs < sh.opts.MaxShrinkRuns; {
		chunk := (len(sh.best) + n - 1) / n
		reduced := false
		for start := 0; start < len(sh.best); start += chunk {
			cand := slices.Concat(sh.best[:start], sh.best[min(start+chunk, len(sh.best)):])
			ok, err := sh.attempt(cand)
			if err != nil {
				return changed, err
			}
			if ok {
				reduced, changed = true, true
				n = max(n-1, 2)
				break
			}
		}
		if !reduced {
			if chunk == 1 {
				break
			}
			n = min(n*2, len(sh.best))
		}
	}
	return changed, nil
}

// merge replaces one user by another everywhere (then one group by another).
func (sh *shrinker) merge() (bool, error) {
	changed := false
	for _, names := range [][]string{exploreUsers, exploreGroups} {
		for _, from := range names {
			for _, to := range names {
				if from == to || !uses(sh.best, from) || !uses(sh.best, to) {
					continue
				}
				ok, err := sh.attempt(renamed(sh.best, from, to))
				if err != nil {
					return changed, err
				}
				changed = changed || ok
			}
		}
	}
	return changed, nil
}

// simplify leaves members out of member lists one at a time, and changes one address attribute
// instead of two.
func (sh *shrinker) simplify() (bool, error) {
	changed := false
	for i := 0; i < len(sh.best); i++ {
		a := sh.best[i]
		var cands []action
		for j := range a.members {
			b := a
			b.members = slices.Delete(slices.Clone(a.members), j, j+1)
			cands = append(cands, b)
		}
		for j := range a.remove {
			b := a
			b.remove = slices.Delete(slices.Clone(a.remove), j, j+1)
			cands = append(cands, b)
		}
		if a.kind == actAddress && a.attr == exploreAddresses[0] {
			for _, attr := range exploreAddresses[1:] {
				b := a
				b.attr = attr
				cands = append(cands, b)
			}
		}
		for _, b := range cands {
			if i >= len(sh.best) {
				break
			}
			cand := slices.Clone(sh.best)
			cand[i] = b
			ok, err := sh.attempt(cand)
			if err != nil {
				return changed, err
			}
			if ok {
				changed = true
				break
			}
		}
	}
	return changed, nil
}

// canonical returns seq with its users and groups named in the order of exploreUsers and
// exploreGroups by first appearance: the first user seq names becomes "ada", the next "grace".
func canonical(seq []action) []action {
	names := map[string]string{}
	next := map[bool]int{}
	name := func(x string, group bool) string {
		if x == "" {
			return ""
		}
		if n, ok := names[x]; ok {
			return n
		}
		pool := exploreUsers
		if group {
			pool = exploreGroups
		}
		names[x] = pool[next[group]]
		next[group]++
		return names[x]
	}
	out := make([]action, len(seq))
	for i, a := range seq {
		a.members, a.remove = slices.Clone(a.members), slices.Clone(a.remove)
		a.user, a.group = name(a.user, false), name(a.group, true)
		for j := range a.members {
			a.members[j] = name(a.members[j], false)
		}
		for j := range a.remove {
			a.remove[j] = name(a.remove[j], false)
		}
		out[i] = a
	}
	return out
}

// uses reports whether an action of seq names alias, as user, group or member.
func uses(seq []action, alias string) bool {
	return slices.ContainsFunc(seq, func(a action) bool {
		return a.user == alias || a.group == alias || slices.Contains(a.members, alias) || slices.Contains(a.remove, alias)
	})
}

// renamed returns seq with alias from replaced by to, member lists without repeats.
func renamed(seq []action, from, to string) []action {
	out := make([]action, len(seq))
	sub := func(list []string) []string {
		var r []string
		for _, x := range list {
			if x == from {
				x = to
			}
			if !slices.Contains(r, x) {
				r = append(r, x)
			}
		}
		return r
	}
	for i, a := range seq {
		if a.user == from {
			a.user = to
		}
		if a.group == from {
			a.group = to
		}
		a.members, a.remove = sub(a.members), sub(a.remove)
		out[i] = a
	}
	return out
}

// sameAction reports whether a and b are the same action.
func sameAction(a, b action) bool {
	return a.kind == b.kind && a.user == b.user && a.group == b.group && a.attr == b.attr && a.value == b.value &&
		slices.Equal(a.members, b.members) && slices.Equal(a.remove, b.remove)
}
