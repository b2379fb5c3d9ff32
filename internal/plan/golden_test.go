package plan

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/xshard/xshard/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenUniverse is a fixed mix of Go, pytest and Jest-style items. The
// hash plans over it in testdata/golden are the compatibility promise of
// docs/planning.md: never change this list or those files, except to add.
var goldenUniverse = []model.Item{
	{ID: "example.com/shop/cart.TestAdd", File: "cart/cart_test.go", Package: "example.com/shop/cart"},
	{ID: "example.com/shop/cart.TestRemove", File: "cart/cart_test.go", Package: "example.com/shop/cart"},
	{ID: "example.com/shop/cart.TestTotal", File: "cart/cart_test.go", Package: "example.com/shop/cart"},
	{ID: "example.com/shop/cart.TestEmpty", File: "cart/cart_test.go", Package: "example.com/shop/cart"},
	{ID: "example.com/shop/cart.TestDiscount", File: "cart/cart_test.go", Package: "example.com/shop/cart"},
	{ID: "example.com/shop/cart/internal/price.TestRound", File: "cart/internal/price/price_test.go", Package: "example.com/shop/cart/internal/price"},
	{ID: "example.com/shop/cart/internal/price.TestCurrency", File: "cart/internal/price/price_test.go", Package: "example.com/shop/cart/internal/price"},
	{ID: "example.com/shop/cart/internal/price.TestTax", File: "cart/internal/price/price_test.go", Package: "example.com/shop/cart/internal/price"},
	{ID: "example.com/shop/api.TestGetItem", File: "api/handler_test.go", Package: "example.com/shop/api"},
	{ID: "example.com/shop/api.TestPostOrder", File: "api/handler_test.go", Package: "example.com/shop/api"},
	{ID: "example.com/shop/api.TestAuth", File: "api/handler_test.go", Package: "example.com/shop/api"},
	{ID: "example.com/shop/api.TestRateLimit", File: "api/handler_test.go", Package: "example.com/shop/api"},
	{ID: "example.com/shop/api.TestRoutes", File: "api/router_test.go", Package: "example.com/shop/api"},
	{ID: "example.com/shop/api.TestNotFound", File: "api/router_test.go", Package: "example.com/shop/api"},
	{ID: "example.com/shop/store.TestOpen", File: "store/store_test.go", Package: "example.com/shop/store"},
	{ID: "example.com/shop/store.TestMigrate", File: "store/store_test.go", Package: "example.com/shop/store"},
	{ID: "example.com/shop/store.TestQuery", File: "store/store_test.go", Package: "example.com/shop/store"},
	{ID: "example.com/shop/store.TestTx", File: "store/store_test.go", Package: "example.com/shop/store"},
	{ID: "example.com/shop/store.TestClose", File: "store/store_test.go", Package: "example.com/shop/store"},
	{ID: "example.com/shop/store.TestConcurrentWrites", File: "store/store_test.go", Package: "example.com/shop/store"},
	{ID: "tests/test_models.py::test_create", File: "tests/test_models.py", Package: "tests.test_models"},
	{ID: "tests/test_models.py::test_update", File: "tests/test_models.py", Package: "tests.test_models"},
	{ID: "tests/test_models.py::test_delete", File: "tests/test_models.py", Package: "tests.test_models"},
	{ID: "tests/test_models.py::TestUser::test_login", File: "tests/test_models.py", Package: "tests.test_models.TestUser"},
	{ID: "tests/test_models.py::TestUser::test_logout", File: "tests/test_models.py", Package: "tests.test_models.TestUser"},
	{ID: "tests/test_models.py::TestUser::test_password[short]", File: "tests/test_models.py", Package: "tests.test_models.TestUser"},
	{ID: "tests/test_models.py::TestUser::test_password[long]", File: "tests/test_models.py", Package: "tests.test_models.TestUser"},
	{ID: "tests/test_views.py::test_index", File: "tests/test_views.py", Package: "tests.test_views"},
	{ID: "tests/test_views.py::test_detail[1]", File: "tests/test_views.py", Package: "tests.test_views"},
	{ID: "tests/test_views.py::test_detail[2]", File: "tests/test_views.py", Package: "tests.test_views"},
	{ID: "tests/test_views.py::test_detail[3]", File: "tests/test_views.py", Package: "tests.test_views"},
	{ID: "tests/test_views.py::TestAdmin::test_list", File: "tests/test_views.py", Package: "tests.test_views.TestAdmin"},
	{ID: "tests/test_views.py::TestAdmin::test_edit", File: "tests/test_views.py", Package: "tests.test_views.TestAdmin"},
	{ID: "tests/integration/test_db.py::test_connect", File: "tests/integration/test_db.py", Package: "tests.integration.test_db"},
	{ID: "tests/integration/test_db.py::test_pool@db", File: "tests/integration/test_db.py", Package: "tests.integration.test_db"},
	{ID: "tests/integration/test_db.py::test_migrate@db", File: "tests/integration/test_db.py", Package: "tests.integration.test_db"},
	{ID: "tests/integration/test_db.py::test_rollback@db", File: "tests/integration/test_db.py", Package: "tests.integration.test_db"},
	{ID: "tests/integration/test_queue.py::test_publish@mq", File: "tests/integration/test_queue.py", Package: "tests.integration.test_queue"},
	{ID: "tests/integration/test_queue.py::test_consume@mq", File: "tests/integration/test_queue.py", Package: "tests.integration.test_queue"},
	{ID: "tests/integration/test_queue.py::test_retry@mq", File: "tests/integration/test_queue.py", Package: "tests.integration.test_queue"},
	{ID: "tests/integration/test_queue.py::test_dead_letter", File: "tests/integration/test_queue.py", Package: "tests.integration.test_queue"},
	{ID: "tests/test_utils.py::test_slugify", File: "tests/test_utils.py", Package: "tests.test_utils"},
	{ID: "tests/test_utils.py::test_parse_date", File: "tests/test_utils.py", Package: "tests.test_utils"},
	{ID: "tests/test_utils.py::test_parse_date_tz", File: "tests/test_utils.py", Package: "tests.test_utils"},
	{ID: "tests/test_utils.py::test_chunks", File: "tests/test_utils.py", Package: "tests.test_utils"},
	{ID: "src/components/Button.test.tsx", File: "src/components/Button.test.tsx", Package: "src/components"},
	{ID: "src/components/Modal.test.tsx", File: "src/components/Modal.test.tsx", Package: "src/components"},
	{ID: "src/components/Table.test.tsx", File: "src/components/Table.test.tsx", Package: "src/components"},
	{ID: "src/hooks/useFetch.test.ts", File: "src/hooks/useFetch.test.ts", Package: "src/hooks"},
	{ID: "src/hooks/useDebounce.test.ts", File: "src/hooks/useDebounce.test.ts", Package: "src/hooks"},
	{ID: "src/utils/format.test.js", File: "src/utils/format.test.js", Package: "src/utils"},
	{ID: "src/utils/date.test.js", File: "src/utils/date.test.js", Package: "src/utils"},
	{ID: "src/pages/Home.test.tsx", File: "src/pages/Home.test.tsx", Package: "src/pages"},
	{ID: "src/pages/Cart.test.tsx", File: "src/pages/Cart.test.tsx", Package: "src/pages"},
	{ID: "src/pages/Checkout.test.tsx", File: "src/pages/Checkout.test.tsx", Package: "src/pages"},
	{ID: "e2e/login.spec.ts", File: "e2e/login.spec.ts", Package: "e2e"},
	{ID: "e2e/checkout.spec.ts", File: "e2e/checkout.spec.ts", Package: "e2e"},
	{ID: "e2e/search.spec.ts", File: "e2e/search.spec.ts", Package: "e2e"},
	{ID: "src/utils/format.test.js::formats currency", File: "src/utils/format.test.js", Package: "src/utils"},
	{ID: "legacy_smoke_test", File: "", Package: ""},
}

// goldenPlan is what a hash plan promises to keep: the assignment and its
// fingerprint, not the predicted seconds.
type goldenPlan struct {
	Total       int           `json:"total"`
	Strategy    Strategy      `json:"strategy"`
	By          By            `json:"by"`
	Seed        uint64        `json:"seed"`
	Fingerprint string        `json:"fingerprint"`
	Shards      []goldenShard `json:"shards"`
}

type goldenShard struct {
	Index int          `json:"index"`
	Units []goldenUnit `json:"units"`
}

type goldenUnit struct {
	ID    string   `json:"id"`
	Items []string `json:"items"`
}

func TestGoldenHashPlans(t *testing.T) {
	type golden struct {
		by    By
		total int
		seed  uint64
	}
	var cases []golden
	for _, total := range []int{1, 2, 3, 7} {
		for _, seed := range []uint64{0, 42} {
			cases = append(cases, golden{ByTest, total, seed})
		}
	}
	cases = append(cases, golden{ByFile, 3, 0}, golden{ByPackage, 3, 42}, golden{ByGroup, 2, 42})

	for _, c := range cases {
		name := fmt.Sprintf("hash-by-%s-total%d-seed%d", c.by, c.total, c.seed)
		t.Run(name, func(t *testing.T) {
			p, err := Make(goldenUniverse, Options{
				Total:        c.total,
				Strategy:     Hash,
				By:           c.by,
				Seed:         c.seed,
				GroupPattern: regexp.MustCompile(`@(\w+)$`),
			})
			if err != nil {
				t.Fatal(err)
			}
			g := goldenPlan{Total: p.Total, Strategy: p.Strategy, By: p.By, Seed: p.Seed, Fingerprint: p.Fingerprint}
			for _, s := range p.Shards {
				gs := goldenShard{Index: s.Index, Units: []goldenUnit{}}
				for _, u := range s.Units {
					gs.Units = append(gs.Units, goldenUnit{ID: u.ID, Items: u.Items})
				}
				g.Shards = append(g.Shards, gs)
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			file := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("hash plan differs from %s: hash plans must never change between releases; "+
					"if this change is intended, it breaks docs/planning.md's promise\ngot:\n%s", file, got)
			}
		})
	}
}
