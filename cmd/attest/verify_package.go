package main

import (
	"errors"
	"io/fs"
	"regexp"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/auditpack"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/evpack"
)

// packageReport is what verify prints for a package.
type packageReport struct {
	OK       bool        `json:"ok"`
	File     string      `json:"file"`
	Files    int         `json:"files"`
	Bytes    int64       `json:"bytes"`
	Signer   string      `json:"signer"`
	Pinned   bool        `json:"pinned"`
	Meta     evpack.Meta `json:"meta"`
	Problems []string    `json:"problems"`
}

// fingerprintRE is how a key fingerprint is written: hex SHA-256.
var fingerprintRE = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// verifyPackage checks a package with evpack alone. It never opens the
// database or the blob store: an auditor runs it on their own machine,
// where neither exists.
func (c *VerifyCmd) verifyPackage(a *App) error {
	var opts evpack.VerifyOptions
	fingerprint := ""
	switch key := strings.TrimSpace(c.Key); {
	case key == "":
	case fingerprintRE.MatchString(key):
		fingerprint = strings.ToLower(key)
	default:
		pub, err := auditpack.ParsePublicKey(key)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "--key: %s, or its 64-digit hex fingerprint", attest.ErrorMessage(err))
		}
		opts.PublicKey = pub
	}
	rep, err := evpack.VerifyFile(c.File, opts)
	if errors.Is(err, fs.ErrNotExist) {
		return attest.Errorf(attest.EINVALID, "no such file: %s", c.File)
	}
	if err != nil {
		return err
	}
	// Verify pins a key, not a fingerprint; comparing the signer's
	// fingerprint pins just as well, since it is the hash of the key.
	if fingerprint != "" && rep.Signer != "" && rep.Signer != fingerprint {
		rep.Problems = append(rep.Problems, "manifest.json: is signed by key "+rep.Signer+", not by the expected key "+fingerprint)
	}
	out := packageReport{OK: len(rep.Problems) == 0, File: c.File, Files: rep.Files, Bytes: rep.Bytes, Signer: rep.Signer,
		Pinned: c.Key != "", Meta: rep.Meta, Problems: rep.Problems}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	if c.JSON {
		if err := a.printJSON(out); err != nil {
			return err
		}
	} else {
		out.print(a)
	}
	if !out.OK {
		return &thresholdError{c.File + ": " + plural(int64(len(out.Problems)), "problem", "problems") + ": the package is incomplete or was altered"}
	}
	return nil
}

func (r *packageReport) print(a *App) {
	m := r.Meta
	fprintf(a.out, "package:      %s\norganization: %s\nengagement:   %s\nperiod:       %s\n", r.File, dash(m.Organization), dash(m.Engagement), dash(m.Period))
	if !m.CreatedAt.IsZero() {
		fprintf(a.out, "created:      %s by %s\n", m.CreatedAt.Format("2006-01-02 15:04:05 UTC"), dash(m.Generator))
	}
	switch {
	case r.Signer == "":
		fprintf(a.out, "signer:       unknown\n")
	case r.Pinned:
		fprintf(a.out, "signer:       %s (checked against --key)\n", r.Signer)
	default:
		fprintf(a.out, "signer:       %s (not checked: compare it with the fingerprint the organization gave you, or pass --key)\n", r.Signer)
	}
	fprintf(a.out, "files:        %s, %s\n", plural(int64(r.Files), "file", "files"), plural(r.Bytes, "byte", "bytes"))
	for _, p := range r.Problems {
		fprintf(a.out, "problem:      %s\n", p)
	}
	if r.OK {
		fprintf(a.out, "OK: the package is complete and unchanged since it was signed.\n")
	}
}

// blobCheck is the outcome of re-hashing every stored evidence file.
type blobCheck struct {
	Checked  int           `json:"checked"`
	Problems []blobProblem `json:"problems"`
}

// blobProblem names one file that is missing or altered.
type blobProblem struct {
	SHA256  string `json:"sha256"`
	Kind    string `json:"kind"` // missing or altered
	Message string `json:"message"`
}

// checkBlobs re-reads every file an evidence item names and checks it
// still hashes to its name. Other failures (an unreachable S3) stop the
// check: they say nothing about the evidence.
func (a *App) checkBlobs() (*blobCheck, error) {
	sums, err := a.db.EvidenceBlobs(a.ctx)
	if err != nil {
		return nil, err
	}
	out := &blobCheck{Problems: []blobProblem{}}
	if len(sums) == 0 {
		return out, nil
	}
	blobs, err := a.Blobs()
	if err != nil {
		return nil, err
	}
	for _, sum := range sums {
		out.Checked++
		err := blobs.Verify(a.ctx, sum)
		switch {
		case err == nil:
		case attest.ErrorCode(err) == attest.ENOTFOUND:
			out.Problems = append(out.Problems, blobProblem{sum, "missing", "file " + sum + " is missing from the blob store"})
		case errors.Is(err, blob.ErrCorrupt):
			out.Problems = append(out.Problems, blobProblem{sum, "altered", "file " + sum + " no longer matches its SHA-256: it was altered or damaged"})
		default:
			return nil, err
		}
	}
	return out, nil
}

// print reports the check in text; nothing when there are no files, so a
// workspace without evidence reads as before.
func (b *blobCheck) print(a *App) {
	if len(b.Problems) == 0 && b.Checked > 0 {
		fprintf(a.out, "evidence files: %s, intact\n", plural(int64(b.Checked), "file", "files"))
	}
	for _, p := range b.Problems {
		fprintf(a.out, "%s: %s\n", p.Kind, p.Message)
	}
}
