// Package e2e holds Attest's browser tests: each flow drives a headless
// Chromium (the Debian package, /usr/bin/chromium) through chromedp against
// an Attest server running in the test process over a real database,
// SQLite always and PostgreSQL when ATTEST_TEST_POSTGRES names a server.
// The tests save full-page screenshots of the pages they visit to
// testoutput/screenshots/ at the repository root.
//
// Without Chromium the tests fail, unless ATTEST_SKIP_BROWSER=1 says to skip
// them.
package e2e
