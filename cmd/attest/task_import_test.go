package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTaskImport(t *testing.T) {
	dir := t.TempDir()
	c := &cli{t, []string{"--data", dir}}
	c.ok(nil, "init", "--demo")
	var before []map[string]any
	c.ok(&before, "task", "list", "--json")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := []struct{ name, body, msg string }{
		{"unknown-column.csv", "title,colour\nx,red\n", `unknown column "colour"`},
		{"no-title.csv", "owner\nmarcus@northwind.example\n", "a title column is required"},
		{"bad-date.csv", "title,due_date\nfine,2027-01-01\nbroken,next week\n", "CSV line 3"},
		{"empty-title.csv", "title,owner\n,marcus@northwind.example\n", "CSV line 2: a task needs a title"},
		// Owners are members: a name nobody has is refused, naming the line.
		{"unknown-owner.csv", "title,owner\nfine,Marcus Lee\nwho,Marcus Leigh\n", `CSV line 3: owner: "Marcus Leigh" is not a member`},
		{"nul.csv", "title,notes\nfine,ok\nbroken,b\x00c\n", "CSV line 3, column notes contains a NUL byte"},
		{"latin1.csv", "title\ncaf\xe9\n", "CSV line 2, column title is not valid UTF-8"},
		{"unknown-control.csv", "title,control_id\nok,ACC-05\nnope,NOPE-01\n", `task 2: unknown control "NOPE-01"`},
		{"empty.csv", "", "empty"},
	}
	for _, b := range bad {
		c.fails(2, b.msg, "task", "import", write(b.name, b.body))
	}
	var after []map[string]any
	c.ok(&after, "task", "list", "--json")
	if len(after) != len(before) {
		t.Fatalf("refused imports stored tasks: %d before, %d after", len(before), len(after))
	}
	good := write("good.csv", "Title,Owner,Due_Date,Control_ID,Status,Notes\n"+
		"Review firewall rules,Marcus Lee,2027-02-01,NET-03,open,quarterly\n"+
		"\"Collect SOC reports, critical vendors\",Priya Raman,,VEN-03,in_progress,\n")
	var imported []map[string]any
	c.ok(&imported, "task", "import", good, "--json", "--engagement", "1")
	if len(imported) != 2 || imported[1]["title"] != "Collect SOC reports, critical vendors" || imported[0]["engagement_id"] != float64(1) {
		t.Fatalf("imported %v", imported)
	}
	if owner, _ := imported[0]["owner"].(map[string]any); owner["email"] != "marcus@northwind.example" {
		t.Errorf("the first imported task's owner is %v, want Marcus Lee's membership", imported[0]["owner"])
	}
	c.ok(&after, "task", "list", "--json")
	if len(after) != len(before)+2 {
		t.Errorf("%d tasks after importing 2 into %d", len(after), len(before))
	}
	var audit []map[string]any
	c.ok(&audit, "audit", "--json", "--action", "task.import")
	if len(audit) != 2 {
		t.Errorf("%d audit entries for the import, want 2", len(audit))
	}
}
