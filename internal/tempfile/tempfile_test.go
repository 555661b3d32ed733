package tempfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestSweepKeepsOpenFilesAndRemovesClosedOnes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("age-based sweep on this system")
	}
	dir := t.TempDir()
	live, err := Create(dir, "put-*")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	dead, err := Create(dir, "put-*")
	if err != nil {
		t.Fatal(err)
	}
	dead.Close() // its writer is gone: the lock went with the descriptor
	other := filepath.Join(dir, "keep.txt")
	if err := os.WriteFile(other, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}

	n, err := Sweep(dir, "put-")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("removed %d files, want 1", n)
	}
	if _, err := os.Stat(dead.Name()); !os.IsNotExist(err) {
		t.Errorf("the abandoned file is still there (err %v)", err)
	}
	if _, err := os.Stat(live.Name()); err != nil {
		t.Errorf("the file being written was removed: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file without the prefix was removed: %v", err)
	}
	if _, err := live.WriteString("still writing"); err != nil {
		t.Fatal(err)
	}
}

func TestSweepMissingDirectory(t *testing.T) {
	n, err := Sweep(filepath.Join(t.TempDir(), "absent"), "x")
	if err != nil || n != 0 {
		t.Fatalf("Sweep of a missing directory = %d, %v", n, err)
	}
}

// TestSweepAfterKill kills a real writer process with SIGKILL while its
// file is open, as a crash would, and sweeps what it left.
func TestSweepAfterKill(t *testing.T) {
	if dir := os.Getenv("TEMPFILE_CHILD_DIR"); dir != "" {
		f, err := Create(dir, "put-*")
		if err != nil {
			os.Exit(2)
		}
		f.WriteString("half")
		os.Stdout.WriteString(f.Name() + "\n")
		select {} // wait to be killed
	}
	if runtime.GOOS == "windows" {
		t.Skip("age-based sweep on this system")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSweepAfterKill$")
	cmd.Env = append(os.Environ(), "TEMPFILE_CHILD_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, _ := out.Read(buf) // the child names its file once it holds it
	if n == 0 {
		cmd.Process.Kill()
		t.Fatal("the child wrote no file name")
	}
	if removed, err := Sweep(dir, "put-"); err != nil || removed != 0 {
		t.Fatalf("while the writer lives, Sweep removed %d (err %v), want 0", removed, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if removed, err := Sweep(dir, "put-"); err != nil || removed != 1 {
		t.Fatalf("after the writer was killed, Sweep removed %d (err %v), want 1", removed, err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}
