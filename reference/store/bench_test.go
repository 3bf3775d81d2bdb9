package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/scimcheck/scimcheck/reference"
)

// BenchmarkDeepPage measures the store alone reading the last page of 100 users, cold (no page
// boundary remembered, so SQLite skips every row before it: linear in the offset) and warm (the
// page was served before, as during Okta's import walk).
func BenchmarkDeepPage(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			st, err := Open(context.Background(), "")
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			for start := 0; start < n; start += 1000 {
				inTx(b, st, func(tx reference.Tx) error {
					for i := start; i < start+1000; i++ {
						if _, err := tx.Create(KindUser, "", user(fmt.Sprintf("user-%06d", i))); err != nil {
							return err
						}
					}
					return nil
				})
			}
			last := func(b *testing.B) {
				inTx(b, st, func(tx reference.Tx) error {
					_, page, err := tx.List(KindUser, reference.Query{StartIndex: n - 99, Count: 100})
					if len(page) != 100 {
						b.Fatalf("page of %d", len(page))
					}
					return err
				})
			}
			b.Run("cold", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					st.pages.forget(KindUser)
					last(b)
				}
			})
			b.Run("warm", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					last(b)
				}
			})
		})
	}
}
