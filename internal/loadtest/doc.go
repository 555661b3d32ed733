// Package loadtest measures the web pages under concurrent load: see
// BenchmarkPages in load_test.go.
package loadtest
