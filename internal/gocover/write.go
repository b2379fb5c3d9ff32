package gocover

import (
	"bufio"
	"io"
)

// Write writes the merged profile to w in gocovmerge's format, byte for
// byte: "mode: X", then every block, files sorted by name and blocks by
// start, as "%s:%d.%d,%d.%d %d %d". Like gocovmerge, it writes nothing
// when no input had a block.
func (m *Merger) Write(w io.Writer) error {
	if len(m.files) == 0 {
		return nil
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(modePrefix + m.mode + "\n")
	for _, name := range m.names() {
		for _, b := range m.files[name] {
			buf := bw.AvailableBuffer()
			if cap(buf) < len(name)+80 {
				if err := bw.Flush(); err != nil {
					return err
				}
				buf = bw.AvailableBuffer()
			}
			buf = append(buf, name...)
			buf = append(buf, ':')
			buf = appendUint(buf, b.start>>32)
			buf = append(buf, '.')
			buf = appendUint(buf, b.start&0xffffffff)
			buf = append(buf, ',')
			buf = appendUint(buf, b.end>>32)
			buf = append(buf, '.')
			buf = appendUint(buf, b.end&0xffffffff)
			buf = append(buf, ' ')
			buf = appendUint(buf, uint64(b.stmts))
			buf = append(buf, ' ')
			buf = appendUint(buf, b.count)
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// appendUint appends the decimal form of x to buf.
func appendUint(buf []byte, x uint64) []byte {
	if x < 10 {
		return append(buf, byte('0'+x))
	}
	var tmp [20]byte
	i := len(tmp)
	for x >= 10 {
		i--
		tmp[i] = byte('0' + x%10)
		x /= 10
	}
	i--
	tmp[i] = byte('0' + x)
	return append(buf, tmp[i:]...)
}
