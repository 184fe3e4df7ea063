// Package vectors reads the format's test vectors in testdata/vectors and
// checks every one against the request, response and crypto packages. The
// vectors are written by ./gen from fixed seeds:
//
//	go generate ./internal/vectors
package vectors

//go:generate go run ./gen -out ../../testdata/vectors
