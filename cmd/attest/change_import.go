package main

// ChangePullRequestsCmd records merged pull requests as changes.
type ChangePullRequestsCmd struct {
	jsonFlag
	Integration string `help:"Integration name or ID whose pull requests are read (default: every integration)."`
	Control     string `default:"CHG-02" help:"Control the changes are attached to (\"\" for none)."`
}

// Run imports the pull requests.
func (c *ChangePullRequestsCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	var id int64
	if c.Integration != "" {
		in, err := a.db.FindIntegration(a.ctx, orgID, c.Integration)
		if err != nil {
			return err
		}
		id = in.ID
	}
	added, merged, err := a.db.ImportPullRequests(a.ctx, orgID, id, c.Control)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(map[string]int{"merged": merged, "added": added})
	}
	fprintf(a.out, "%d merged pull requests read, %d new changes recorded.\n", merged, added)
	return nil
}
