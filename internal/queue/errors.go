package queue

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
)

// Kind classifies a queue error by what the user should do about it.
type Kind int

// The kinds of Error.
const (
	// KindConfig: the URL or the key is not usable.
	KindConfig Kind = iota
	// KindUnreachable: nothing answers at the URL's address.
	KindUnreachable
	// KindAuth: the server refused the credentials.
	KindAuth
	// KindTLS: the TLS handshake failed (rediss:// to a plain port, an
	// untrusted certificate, a wrong host name).
	KindTLS
	// KindWrongType: a key of the queue holds something else.
	KindWrongType
	// KindLost: Redis stopped answering after the queue was in use.
	KindLost
	// KindGone: the queue's keys disappeared (expired, deleted).
	KindGone
	// KindProtocol: a reply that the queue's scripts never give.
	KindProtocol
)

var kindNames = map[Kind]string{
	KindConfig: "configuration", KindUnreachable: "unreachable", KindAuth: "authentication",
	KindTLS: "TLS", KindWrongType: "wrong key type", KindLost: "connection lost", KindGone: "queue gone",
	KindProtocol: "protocol",
}

func (k Kind) String() string { return kindNames[k] }

// Error is a failed queue operation. Its message names the URL without
// its password and says what to do.
type Error struct {
	URL  string // redacted
	Kind Kind
	Op   string
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("queue ")
	b.WriteString(e.URL)
	if e.Op != "" {
		b.WriteString(": " + e.Op)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if hint := e.hint(); hint != "" {
		b.WriteString("; " + hint)
	}
	return b.String()
}

func (e *Error) hint() string {
	switch e.Kind {
	case KindUnreachable:
		return "check the host and port of the queue URL, and that the runner can reach it"
	case KindAuth:
		return "check the password in the queue URL (redis://:PASSWORD@host:port)"
	case KindTLS:
		return "use rediss:// only for a TLS port and redis:// for a plain one, and check the server's certificate"
	case KindLost:
		return "Redis stopped answering: the batches not yet claimed did not run here"
	}
	return ""
}

func (e *Error) Unwrap() error { return e.Err }

// FingerprintError: the queue was seeded by a worker with another plan.
type FingerprintError struct {
	URL, Key    string
	Queue, Mine string // the fingerprints
	SeededBy    string
}

func (e *FingerprintError) Error() string {
	return fmt.Sprintf("queue %s key %q was seeded by %s with fingerprint %q, this worker's is %q: the workers of one run must collect the same tests with the same --by; check that every job checks out the same commit and runs the same shard command",
		e.URL, e.Key, e.SeededBy, e.Queue, e.Mine)
}

// wrap classifies err. atStart: the first contact, where a network error
// means unreachable rather than lost.
func (q *Queue) wrap(op string, err error, atStart bool) error {
	var qe *Error
	if errors.As(err, &qe) {
		return err
	}
	kind := KindProtocol
	msg := stripURL(err, q.cfg.URL)
	s := err.Error()
	var rh tls.RecordHeaderError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var ve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &rh) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &ve) ||
		strings.HasPrefix(s, "tls: ") || strings.Contains(s, "x509: "):
		kind = KindTLS
	case strings.Contains(s, "WRONGPASS") || strings.Contains(s, "NOAUTH") || strings.Contains(s, "invalid password") ||
		strings.Contains(s, "invalid username-password") || strings.Contains(s, "AUTH <password> called without any password"):
		kind = KindAuth
		if strings.Contains(s, "without any password") {
			msg = "the server has no password, but the URL gives one"
		}
	case strings.HasPrefix(s, "WRONGTYPE"):
		kind = KindWrongType
		msg = "a key of the queue holds another type (" + s + "): another program uses this name; choose another --queue-key"
	case isNetwork(err):
		if atStart {
			kind = KindUnreachable
			if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
				msg += " (the server closed the connection: is it a TLS port? then use rediss://)"
			}
		} else {
			kind = KindLost
		}
	}
	return &Error{URL: q.url, Kind: kind, Op: op, Err: errors.New(msg)}
}

// isNetwork reports whether err is a connection failure (which a retry
// may cure) rather than a reply.
func isNetwork(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "connection pool timeout") ||
		strings.Contains(err.Error(), "use of closed network connection") || strings.HasPrefix(err.Error(), "LOADING")
}
