package qr

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// Result describes a successful Decode.
type Result struct {
	Text   string        // the reassembled text
	Parts  int           // number of codes the message was split into (1 if unframed)
	Images []ImageResult // one per image, in the order given
}

// ImageResult tells what was found in one image.
type ImageResult struct {
	Codes  []string // accepted codes (frames or whole texts), duplicates removed
	Method string   // the fallback step that first found a code; "" if none
	Tried  []string // the fallback steps run
}

// DecodeImage returns the text of every acceptable QR code in one PNG, JPEG
// or GIF image: frames of multi-part messages and texts for which accept
// returns true (nil accept takes any non-empty text). It runs the fallback
// chain until the codes found make up a whole message or every step has
// been tried. It fails with an *ImageError for an unreadable image and a
// *DecodeError when no acceptable code is found.
func DecodeImage(data []byte, accept func(string) bool) ([]string, error) {
	if accept == nil {
		accept = acceptAny
	}
	g, err := loadImage(data)
	if err != nil {
		return nil, &ImageError{Index: 1, Err: err}
	}
	s := run(g, accept, complete)
	if len(s.codes) == 0 {
		return nil, &DecodeError{Images: 1, Tried: s.tried, Rejected: s.rejected}
	}
	return s.codes, nil
}

// Decode reads a message from images given in any order — one code per
// image, several codes in one image, or both — and returns its text. It is
// what commands that read a message from photos or screenshots call. The
// reassembled text must satisfy accept (nil: any non-empty text).
//
// Errors: *ImageError (unreadable image), *DecodeError (no code anywhere),
// *IncompleteError (parts missing, listed by number), ErrMixed, ErrConflict,
// ErrChecksum, ErrNotAccepted.
func Decode(images [][]byte, accept func(string) bool) (string, error) {
	r, err := DecodeDetail(images, accept)
	if err != nil {
		return "", err
	}
	return r.Text, nil
}

// DecodeDetail is Decode with a report of what each image held.
func DecodeDetail(images [][]byte, accept func(string) bool) (*Result, error) {
	if accept == nil {
		accept = acceptAny
	}
	if len(images) == 0 {
		return nil, fmt.Errorf("%w: no images given", ErrNoCode)
	}
	grays := make([]*gray, len(images))
	for i, data := range images {
		g, err := loadImage(data)
		if err != nil {
			return nil, &ImageError{Index: i + 1, Err: err}
		}
		grays[i] = g
	}
	// Quick pass: stop at the first step that finds anything.
	scans := scanAll(grays, accept, nil)
	r, asm, err := gather(scans)
	if err != nil {
		return nil, err
	}
	if !asm.Done() {
		// Thorough pass over the images that held codes: the early stop may
		// have left codes of a crowded image behind.
		scans = scanAll(grays, accept, scans)
		if r, asm, err = gather(scans); err != nil {
			return nil, err
		}
	}
	text, err := asm.Text()
	if err != nil {
		if ie, ok := err.(*IncompleteError); ok {
			for i, s := range scans {
				if len(s.codes) == 0 {
					ie.Unreadable = append(ie.Unreadable, i+1)
				}
			}
			return nil, ie
		}
		if err == ErrNoCode {
			return nil, noCode(scans)
		}
		return nil, err
	}
	if !accept(text) {
		return nil, fmt.Errorf("%w: reassembled text %q", ErrNotAccepted, truncate(text, 60))
	}
	r.Text, r.Parts = text, asm.Count()
	return r, nil
}

// scanAll runs the chain on each image, a few at a time. Without prev it
// stops at the first step that finds a code; with prev it runs the whole
// chain again on the images where the first pass found a code and stopped
// early, and keeps the other results.
func scanAll(grays []*gray, accept func(string) bool, prev []*scan) []*scan {
	scans := make([]*scan, len(grays))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, g := range grays {
		if prev != nil && (len(prev[i].codes) == 0 || prev[i].full) {
			scans[i] = prev[i]
			continue
		}
		enough := anyCode
		if prev != nil {
			enough = never
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			scans[i] = run(g, accept, enough)
		}()
	}
	wg.Wait()
	return scans
}

// gather adds the codes of every image to one Assembler.
func gather(scans []*scan) (*Result, *Assembler, error) {
	r := &Result{Images: make([]ImageResult, len(scans))}
	asm := &Assembler{}
	for i, s := range scans {
		r.Images[i] = ImageResult{Codes: s.codes, Method: s.method, Tried: s.tried}
		for _, c := range s.codes {
			if err := asm.Add(c); err != nil {
				if len(scans) > 1 {
					err = &ImageError{Index: i + 1, Err: err}
				}
				return nil, nil, err
			}
		}
	}
	return r, asm, nil
}

// noCode builds the error for images in which nothing acceptable was found.
func noCode(scans []*scan) error {
	e := &DecodeError{Images: len(scans)}
	for _, s := range scans {
		for _, t := range s.tried {
			if !slices.Contains(e.Tried, t) {
				e.Tried = append(e.Tried, t)
			}
		}
		e.Rejected = append(e.Rejected, s.rejected...)
	}
	return e
}
