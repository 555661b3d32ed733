package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/check"
	"github.com/attest-dev/attest/collect"
)

// CheckRunCmd evaluates checks over resources read from a file.
type CheckRunCmd struct {
	jsonFlag
	checkDirFlag
	Resources string   `help:"JSON Lines file of resources, one {\"type\",\"id\",\"name\",\"attributes\"} object a line ('-' for standard input); without it, the resources the integrations stored, and the results are recorded." placeholder:"FILE"`
	Check     []string `name:"check" help:"Run only these check IDs (repeatable)." placeholder:"ID"`
	FailOn    string   `name:"fail-on" help:"Exit 1 when any row is a failure (fail) or a failure or an error (error)." enum:"none,fail,error" default:"none"`
}

// maxResourceLine bounds one resource in the file.
const maxResourceLine = 16 << 20

// Run evaluates the checks and prints the rows.
func (c *CheckRunCmd) Run(a *App) error {
	checks, err := c.checks()
	if err != nil {
		return err
	}
	if len(c.Check) > 0 {
		var sel []*check.Check
		for _, id := range c.Check {
			i := slices.IndexFunc(checks, func(ch *check.Check) bool { return ch.ID == id })
			if i < 0 {
				return attest.Errorf(attest.ENOTFOUND, "no check %q (see attest check list)", id)
			}
			sel = append(sel, checks[i])
		}
		checks = sel
	}
	if c.Resources == "" {
		return c.runStored(a, checks)
	}
	src, err := readResources(c.Resources)
	if err != nil {
		return err
	}
	counts := map[check.Status]int{}
	rows := 0
	out := bufio.NewWriter(a.out)
	enc := json.NewEncoder(out)
	tw := a.table()
	if c.JSON {
		fmt.Fprint(out, "[")
	} else {
		fprintf(tw, "CHECK\tRESOURCE\tSTATUS\tREASON\n")
	}
	err = check.Run(a.ctx, checks, src, func(r check.Result) error {
		counts[r.Status]++
		rows++
		if !c.JSON {
			fprintf(tw, "%s\t%s %s\t%s\t%s\n", r.CheckID, r.ResourceType, r.ResourceID, r.Status, r.Reason)
			return nil
		}
		if rows > 1 {
			out.WriteByte(',')
		}
		return enc.Encode(r)
	})
	if err != nil {
		return fmt.Errorf("run checks: %w", err)
	}
	if c.JSON {
		fmt.Fprintln(out, "]")
	} else if err := tw.Flush(); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	summary := fmt.Sprintf("%d checks over %d resources: %d pass, %d fail, %d error, %d skip",
		len(checks), src.Len(), counts[check.Pass], counts[check.Fail], counts[check.Error], counts[check.Skip])
	if !c.JSON {
		fmt.Fprintln(a.errOut, summary)
	}
	switch {
	case c.FailOn == "fail" && counts[check.Fail] > 0,
		c.FailOn == "error" && counts[check.Fail]+counts[check.Error] > 0:
		return &thresholdError{summary}
	}
	return nil
}

// readResources reads a JSON Lines file of resources into memory. A bad
// line is refused with its number.
func readResources(name string) (*check.MemorySource, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, attest.Errorf(attest.EINVALID, "resources: %v", err)
		}
		defer f.Close()
		r = f
	}
	src := check.NewMemorySource(nil)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxResourceLine)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var res collect.Resource
		if err := json.Unmarshal(line, &res); err != nil {
			return nil, attest.Errorf(attest.EINVALID, "%s:%d: %v", name, n, err)
		}
		if res.Type == "" || res.ID == "" {
			return nil, attest.Errorf(attest.EINVALID, "%s:%d: a resource needs a type and an id", name, n)
		}
		src.Add(res)
	}
	if err := sc.Err(); err != nil {
		return nil, attest.Errorf(attest.EINVALID, "%s: %v", name, err)
	}
	return src, nil
}
