package documents

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// A document uses a few hundred of the font's 30,000 glyphs, and fpdf reads the whole
// 4.6 MB font for each document it makes — most of a render's time. So the font is read
// once (sfntFont) and each document gets a small TrueType font holding only the glyphs of
// the characters it shows (subset), which fpdf reads in a moment and subsets again as it
// always does.

// sfntFont is a TrueType font read once: its tables and the glyphs of its characters.
type sfntFont struct {
	tables    map[string][]byte
	glyphOf   map[rune]uint16
	loca      []uint32 // numGlyphs+1 offsets into glyf
	advances  []uint16
	lsbs      []int16
	numGlyphs int
}

var errFont = errors.New("documents: unreadable font")

func u16(b []byte, off int) uint16 { return binary.BigEndian.Uint16(b[off:]) }
func u32(b []byte, off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }

// parseSFNT reads the tables of a TrueType font with glyf outlines.
func parseSFNT(data []byte) (f *sfntFont, err error) {
	defer func() {
		if recover() != nil { // an index out of range: a truncated or foreign file
			f, err = nil, errFont
		}
	}()
	f = &sfntFont{tables: map[string][]byte{}, glyphOf: map[rune]uint16{}}
	n := int(u16(data, 4))
	for i := range n {
		rec := data[12+16*i:]
		off, length := u32(rec, 8), u32(rec, 12)
		f.tables[string(rec[:4])] = data[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "name", "post", "OS/2"} {
		if f.tables[tag] == nil {
			return nil, fmt.Errorf("%w: no %s table", errFont, tag)
		}
	}
	f.numGlyphs = int(u16(f.tables["maxp"], 4))
	long := u16(f.tables["head"], 50) == 1
	loca := f.tables["loca"]
	f.loca = make([]uint32, f.numGlyphs+1)
	for i := range f.loca {
		if long {
			f.loca[i] = u32(loca, 4*i)
		} else {
			f.loca[i] = 2 * uint32(u16(loca, 2*i))
		}
	}
	hm := f.tables["hmtx"]
	nh := int(u16(f.tables["hhea"], 34))
	f.advances, f.lsbs = make([]uint16, f.numGlyphs), make([]int16, f.numGlyphs)
	for g := range f.numGlyphs {
		if g < nh {
			f.advances[g], f.lsbs[g] = u16(hm, 4*g), int16(u16(hm, 4*g+2))
		} else {
			f.advances[g], f.lsbs[g] = f.advances[nh-1], int16(u16(hm, 4*nh+2*(g-nh)))
		}
	}
	if err := f.readCmap(); err != nil {
		return nil, err
	}
	return f, nil
}

// readCmap reads the Unicode BMP map (format 4) and, when present, the full one (12).
func (f *sfntFont) readCmap() error {
	cm := f.tables["cmap"]
	var f4, f12 []byte
	for i := range int(u16(cm, 2)) {
		pid, eid, off := u16(cm, 4+8*i), u16(cm, 6+8*i), u32(cm, 8+8*i)
		if pid != 0 && !(pid == 3 && (eid == 1 || eid == 10)) {
			continue
		}
		sub := cm[off:]
		switch u16(sub, 0) {
		case 4:
			f4 = sub
		case 12:
			f12 = sub
		}
	}
	if f4 == nil {
		return fmt.Errorf("%w: no Unicode cmap", errFont)
	}
	segs := int(u16(f4, 6)) / 2
	ends, starts, deltas, ranges := 14, 16+2*segs, 16+4*segs, 16+6*segs
	for s := range segs {
		end, start := int(u16(f4, ends+2*s)), int(u16(f4, starts+2*s))
		delta, ro := u16(f4, deltas+2*s), int(u16(f4, ranges+2*s))
		for c := start; c <= end && c != 0xFFFF; c++ {
			var g uint16
			if ro == 0 {
				g = uint16(c) + delta
			} else {
				g = u16(f4, ranges+2*s+ro+2*(c-start))
				if g != 0 {
					g += delta
				}
			}
			if g != 0 && int(g) < f.numGlyphs {
				f.glyphOf[rune(c)] = g
			}
		}
	}
	if f12 != nil {
		for i := range int(u32(f12, 12)) {
			start, end, g := u32(f12, 16+12*i), u32(f12, 20+12*i), u32(f12, 24+12*i)
			for c := start; c <= end && c <= 0x10FFFF; c++ {
				if _, ok := f.glyphOf[rune(c)]; !ok && int(g+c-start) < f.numGlyphs {
					f.glyphOf[rune(c)] = uint16(g + c - start)
				}
			}
		}
	}
	return nil
}

func (f *sfntFont) glyph(g int) []byte { return f.tables["glyf"][f.loca[g]:f.loca[g+1]] }

// components returns the glyphs a composite glyph is made of, with the offsets of their
// indices in its data.
func components(data []byte) (glyphs []uint16, offsets []int) {
	if len(data) < 10 || int16(u16(data, 0)) >= 0 {
		return nil, nil // empty or simple
	}
	const (
		argsAreWords = 0x0001
		haveScale    = 0x0008
		moreComps    = 0x0020
		haveXYScale  = 0x0040
		have2x2      = 0x0080
	)
	off := 10
	for {
		flags := u16(data, off)
		glyphs, offsets = append(glyphs, u16(data, off+2)), append(offsets, off+2)
		off += 4
		if flags&argsAreWords != 0 {
			off += 4
		} else {
			off += 2
		}
		switch {
		case flags&haveScale != 0:
			off += 2
		case flags&haveXYScale != 0:
			off += 4
		case flags&have2x2 != 0:
			off += 8
		}
		if flags&moreComps == 0 {
			return glyphs, offsets
		}
	}
}

// subset returns a TrueType font with the glyphs of runes only (and .notdef), mapped from
// the same characters.
func (f *sfntFont) subset(runes []rune) []byte {
	newID := map[uint16]uint16{0: 0}
	order := []uint16{0}
	var add func(g uint16)
	add = func(g uint16) {
		if _, ok := newID[g]; ok {
			return
		}
		newID[g] = uint16(len(order))
		order = append(order, g)
		comps, _ := components(f.glyph(int(g)))
		for _, c := range comps {
			if int(c) < f.numGlyphs {
				add(c)
			}
		}
	}
	type pair struct {
		r rune
		g uint16
	}
	var cmap []pair
	for _, r := range runes {
		if g, ok := f.glyphOf[r]; ok && r <= 0xFFFF {
			add(g)
			cmap = append(cmap, pair{r, g})
		}
	}
	sort.Slice(cmap, func(i, j int) bool { return cmap[i].r < cmap[j].r })
	cmap = slices.CompactFunc(cmap, func(a, b pair) bool { return a.r == b.r })

	n := len(order)
	var glyf, loca, hmtx []byte
	for _, g := range order {
		loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))
		data := f.glyph(int(g))
		if _, offs := components(data); len(offs) > 0 {
			data = slices.Clone(data)
			comps, _ := components(data)
			for i, off := range offs {
				binary.BigEndian.PutUint16(data[off:], newID[comps[i]])
			}
		}
		glyf = append(glyf, data...)
		if len(glyf)%4 != 0 {
			glyf = append(glyf, make([]byte, 4-len(glyf)%4)...)
		}
		hmtx = binary.BigEndian.AppendUint16(hmtx, f.advances[g])
		hmtx = binary.BigEndian.AppendUint16(hmtx, uint16(f.lsbs[g]))
	}
	loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment
	binary.BigEndian.PutUint16(head[50:], 1)
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(n))
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))
	post := slices.Clone(f.tables["post"][:32])
	binary.BigEndian.PutUint32(post[0:], 0x00030000) // no glyph names

	// cmap: one format 4 subtable (Windows, Unicode BMP), a segment per character.
	segs := len(cmap) + 1
	var sub []byte
	put := func(v uint16) { sub = binary.BigEndian.AppendUint16(sub, v) }
	put(4)
	put(uint16(16 + 8*segs))
	put(0)
	put(uint16(2 * segs))
	sr := 2
	for sr*2 <= 2*segs {
		sr *= 2
	}
	es := 0
	for 1<<(es+1) <= segs {
		es++
	}
	put(uint16(sr))
	put(uint16(es))
	put(uint16(2*segs - sr))
	for _, p := range cmap {
		put(uint16(p.r))
	}
	put(0xFFFF)
	put(0)
	for _, p := range cmap {
		put(uint16(p.r))
	}
	put(0xFFFF)
	for _, p := range cmap {
		put(newID[p.g] - uint16(p.r))
	}
	put(1)
	for range segs {
		put(0)
	}
	cmapTable := []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12}
	cmapTable = append(cmapTable, sub...)

	tables := map[string][]byte{
		"OS/2": f.tables["OS/2"], "cmap": cmapTable, "glyf": glyf, "head": head, "hhea": hhea,
		"hmtx": hmtx, "loca": loca, "maxp": maxp, "name": f.tables["name"], "post": post,
	}
	for _, tag := range []string{"cvt ", "fpgm", "prep", "gasp"} {
		if t := f.tables[tag]; t != nil {
			tables[tag] = t
		}
	}
	return writeSFNT(tables)
}

// writeSFNT writes tables as a TrueType font file.
func writeSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	n := len(tags)
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	out := make([]byte, 12+16*n, 12+16*n+1<<16)
	binary.BigEndian.PutUint32(out[0:], 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(16<<es))
	binary.BigEndian.PutUint16(out[8:], uint16(es))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-16<<es))
	for i, tag := range tags {
		data := tables[tag]
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
