//go:build race

package documents

// raceEnabled: the race detector slows the WebAssembly PDF renderer of the image test
// (wazero compiling pdfium) by far too much; make test runs that test without it.
const raceEnabled = true
