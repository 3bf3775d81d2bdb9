package server

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentMemberAdds: 50 clients each PATCH-add a different member to one group at the
// same time, over real loopback connections. A server that reads, modifies and writes the
// whole member list outside one transaction loses some of them.
func TestConcurrentMemberAdds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := Start(ctx, Config{})
	require.NoError(t, err)
	defer run.Close()

	const n = 50
	users := make([]string, n)
	for i := range users {
		r := call(t, run.URL, run.Token, "POST", "/Users", oktaUser(fmt.Sprintf("user-%02d@example.com", i)))
		require.Equal(t, 201, r.Status, r.Body)
		users[i] = r.JSON("id").String()
	}
	r := call(t, run.URL, run.Token, "POST", "/Groups", groupBody("everyone"))
	require.Equal(t, 201, r.Status, r.Body)
	g := r.JSON("id").String()

	var wg sync.WaitGroup
	start := make(chan struct{})
	statuses := make([]int, n)
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := `{` + patchSchema + `,"Operations":[{"op":"replace","value":{"id":"` + g + `","displayName":"everyone"}},` +
				`{"op":"add","path":"members","value":[{"value":"` + u + `","display":"` + u + `"}]}]}`
			req, _ := http.NewRequest("PATCH", run.URL+"/Groups/"+g, stringsReader(body))
			req.Header.Set("Authorization", "Bearer "+run.Token)
			req.Header.Set("Content-Type", scimJSON)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses[i] = -1
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	for i, s := range statuses {
		assert.Equal(t, 200, s, "PATCH %d", i)
	}
	got := call(t, run.URL, run.Token, "GET", "/Groups/"+g, "")
	assert.ElementsMatch(t, users, memberValues(got), "no member lost")
	assert.Equal(t, fmt.Sprintf(`W/"%d"`, n+1), got.JSON("meta.version").String(), "one version per write")
}

// TestConcurrentDuplicateCreates: of many simultaneous POSTs of one userName, one wins and the
// others get 409.
func TestConcurrentDuplicateCreates(t *testing.T) {
	c := newClient(t)
	const n = 20
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "Same@Example.com"
			if i%2 == 1 {
				name = "same@example.COM"
			}
			statuses <- c.do("POST", "/Users", oktaUser(name)).Status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	assert.Equal(t, map[int]int{201: 1, 409: n - 1}, count)
}

func TestStartShutsDownWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	run, err := Start(ctx, Config{Options: Options{Token: "given"}})
	require.NoError(t, err)
	assert.Equal(t, "given", run.Token)
	httpGet(t, run, "/Users")
	cancel()
	require.Eventually(t, func() bool {
		_, err := http.Get(run.URL + "/Users")
		return err != nil
	}, 5*time.Second, 10*time.Millisecond, "the listener closes when the context ends")
	assert.NoError(t, run.Close(), "Close after the context closed it is harmless")
	assert.NoError(t, run.Close())
}
